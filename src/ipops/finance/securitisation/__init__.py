"""Securitisation: `contracts` (entered or imported), `deals` (opening, structure), `pools` (eligibility
and concentration) and `runs` (scenario grids on the cash-flow engine). The use cases are re-exported here."""

from ipops.finance.securitisation.contracts import (
    CSV_COLUMNS,
    create_contract,
    import_contracts,
    list_contracts,
)
from ipops.finance.securitisation.deals import (
    create_deal,
    get_deal,
    list_deals,
    may_open_deals,
    may_write,
    parse_decimal,
    set_structure,
    today,
)
from ipops.finance.securitisation.pools import (
    add_to_pool,
    concentration_reasons,
    contract_facts,
    eligibility_reasons,
    remove_from_pool,
)
from ipops.finance.securitisation.runs import deal_inputs, execute, get_run, latest_run_id, run_scenarios

__all__ = [
    "CSV_COLUMNS",
    "add_to_pool",
    "concentration_reasons",
    "contract_facts",
    "create_contract",
    "create_deal",
    "deal_inputs",
    "eligibility_reasons",
    "execute",
    "get_deal",
    "get_run",
    "import_contracts",
    "latest_run_id",
    "list_contracts",
    "list_deals",
    "may_open_deals",
    "may_write",
    "parse_decimal",
    "remove_from_pool",
    "run_scenarios",
    "set_structure",
    "today",
]
