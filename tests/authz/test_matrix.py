"""The authorisation matrix: every entity and action, every role in every tenancy position, on real rows.

EXPECTED is written out by hand from the rules as the issue states them (who may read, write and move each
record); it is never computed from the policy. For every cell the Python check (`decide`, with the record's
grants and the database clock) and the SQL clause (`clause`, run against the stored row) must both give the
expected answer.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from tests.authz.matrix_world import MatrixWorld, build_matrix_world

from ipops.alliance.models import Organisation, User
from ipops.alliance.scope import organisation_columns, organisation_facts, user_columns, user_facts
from ipops.assets.models import Asset
from ipops.assets.scope import asset_columns, asset_facts
from ipops.core.audit import AuditEntry, audit_columns, audit_facts
from ipops.core.authz import RULES, Columns, Facts, clause, decide, load_grants
from ipops.core.db import db_now
from ipops.core.uow import UnitOfWork
from ipops.finance.models import Appraisal, Contract, LendingPolicy, Loan, SecuritisationDeal
from ipops.finance.scope import (
    appraisal_columns,
    appraisal_facts,
    contract_columns,
    contract_facts,
    deal_columns,
    deal_facts,
    loan_columns,
    loan_facts,
    policy_columns,
    policy_facts,
)
from ipops.reports.models import StatDataset
from ipops.reports.scope import dataset_columns, dataset_facts
from ipops.valuation.models import ValuationReport, ValuationRequest
from ipops.valuation.scope import report_columns, report_facts, request_columns, request_facts

# ------------------------------------------------------------------ positions, by name (see matrix_world)

EVERYONE = frozenset(
    {
        "own.admin",
        "own.member",
        "coowner.admin",
        "city.org_admin",
        "city.office",
        "city.staff",
        "province.office",
        "other_region.office",
        "other_region.org_admin",
        "alliance.admin",
        "second_alliance.admin",
        "second_alliance.org_admin",
        "bank.financier",
        "other_bank.financier",
        "firm.appraiser",
        "other_firm.appraiser",
        "public",
        "anonymous",
        "grant.active",
        "grant.expired",
        "grant.revoked",
    }
)
# signed-in accounts of the alliance, the public role excluded
MEMBERS = EVERYONE - {"second_alliance.admin", "second_alliance.org_admin", "public", "anonymous"}
OWN = frozenset({"own.admin", "own.member"})
ADMINS_OVER_SUZHOU = frozenset({"city.office", "province.office", "alliance.admin"})
OFFICE_OVER_SUZHOU = ADMINS_OVER_SUZHOU | {"city.staff"}
NOBODY: frozenset[str] = frozenset()


def only(*names: str) -> frozenset[str]:
    """An explicit set of positions."""
    return frozenset(names)


# ------------------------------------------------------------------ the expected answers

ASSET_PRIVATE = {  # owned 60 % by own, 40 % by coowner (accepted); private; in Suzhou; the firm is engaged
    "read": OWN | OFFICE_OVER_SUZHOU | only("coowner.admin", "firm.appraiser", "grant.active"),
    "create": OWN | only("coowner.admin") | ADMINS_OVER_SUZHOU,
    "update": OWN | only("coowner.admin") | ADMINS_OVER_SUZHOU,
    "record_legal_event": ADMINS_OVER_SUZHOU,
    "encumber": ADMINS_OVER_SUZHOU,
    "transfer": only("own.admin", "coowner.admin"),
    "pledge": only("own.admin", "coowner.admin"),
    "licence_exclusive": only("own.admin", "coowner.admin"),
    "licence_non_exclusive": only("own.admin", "coowner.admin"),
    "list": only("own.admin", "coowner.admin"),
    "consent": only("own.admin", "coowner.admin"),
    "accept_ownership": NOBODY,
    "grant": only("own.admin", "coowner.admin") | ADMINS_OVER_SUZHOU,
    "appraise": only("firm.appraiser"),
    "request_valuation": OWN | only("coowner.admin"),
}
ASSET_PUBLIC = {  # own's alone; public; a draft loan names it (a draft opens nothing to the bank)
    "read": EVERYONE,
    "create": OWN | ADMINS_OVER_SUZHOU,
    "update": OWN | ADMINS_OVER_SUZHOU,
    "record_legal_event": ADMINS_OVER_SUZHOU,
    "encumber": ADMINS_OVER_SUZHOU,
    "transfer": only("own.admin"),
    "pledge": only("own.admin"),
    "licence_exclusive": only("own.admin"),
    "licence_non_exclusive": only("own.admin"),
    "list": only("own.admin"),
    "consent": only("own.admin"),
    "accept_ownership": NOBODY,
    "grant": only("own.admin") | ADMINS_OVER_SUZHOU,
    "appraise": NOBODY,
    "request_valuation": OWN,
}
# own's alone; alliance-wide; a submitted loan reserved it for the bank; the firm appraised it
ASSET_ALLIANCE = {
    "read": MEMBERS,
    "create": OWN | ADMINS_OVER_SUZHOU,
    "update": OWN | ADMINS_OVER_SUZHOU,
    "record_legal_event": ADMINS_OVER_SUZHOU,
    "encumber": ADMINS_OVER_SUZHOU,
    "transfer": only("own.admin"),
    "pledge": only("own.admin"),
    "licence_exclusive": only("own.admin"),
    "licence_non_exclusive": only("own.admin"),
    "list": only("own.admin"),
    "consent": only("own.admin", "bank.financier"),  # the pledgee consents to what its pledge blocks
    "accept_ownership": NOBODY,
    "grant": only("own.admin") | ADMINS_OVER_SUZHOU,
    "appraise": only("firm.appraiser"),
    "request_valuation": OWN | only("bank.financier"),  # the reviewing bank, through the loan's grant
}
ASSET_SECRET = {  # a trade secret: its owners (and whom they open it to), not even administrators
    "read": OWN | only("grant.active"),
    "create": OWN,
    "update": OWN,
    "record_legal_event": NOBODY,
    "encumber": NOBODY,
    "transfer": only("own.admin"),
    "pledge": only("own.admin"),
    "licence_exclusive": only("own.admin"),
    "licence_non_exclusive": only("own.admin"),
    "list": only("own.admin"),
    "consent": only("own.admin"),
    "accept_ownership": NOBODY,
    "grant": only("own.admin"),
    "appraise": NOBODY,
    "request_valuation": OWN,
}
ASSET_INVITED = {  # own named the same-city firm as 50 % co-owner; it has not accepted yet
    "read": OWN | OFFICE_OVER_SUZHOU | only("city.org_admin", "grant.active"),
    "create": OWN | ADMINS_OVER_SUZHOU,
    "update": OWN | ADMINS_OVER_SUZHOU,
    "record_legal_event": ADMINS_OVER_SUZHOU,
    "encumber": ADMINS_OVER_SUZHOU,
    "transfer": only("own.admin"),
    "pledge": only("own.admin"),
    "licence_exclusive": only("own.admin"),
    "licence_non_exclusive": only("own.admin"),
    "list": only("own.admin"),
    "consent": only("own.admin"),
    "accept_ownership": only("city.org_admin"),
    "grant": only("own.admin") | ADMINS_OVER_SUZHOU,
    "appraise": NOBODY,
    "request_valuation": OWN,
}

USER_OWN_MEMBER = {  # the account of own's member
    "read": OWN | ADMINS_OVER_SUZHOU,
    "create": only("own.admin"),  # own has accounts: only its admin opens more
    "deactivate": only("own.admin") | ADMINS_OVER_SUZHOU,
    "activate": only("own.admin"),
    "reset_password": only("own.admin"),
}
USER_CITY_STAFF = {  # the Suzhou centre's staff account
    "read": OFFICE_OVER_SUZHOU,
    "create": ADMINS_OVER_SUZHOU,
    "deactivate": ADMINS_OVER_SUZHOU,
    "activate": ADMINS_OVER_SUZHOU,
    "reset_password": ADMINS_OVER_SUZHOU,
}
ORGANISATION = {
    "read": MEMBERS,
    "create": ADMINS_OVER_SUZHOU,
    "update": ADMINS_OVER_SUZHOU | only("own.admin"),
}
VALUATION_READERS = OWN | only("coowner.admin", "firm.appraiser", "grant.active")
VALUATION_REQUEST = {"read": VALUATION_READERS, "run": OWN | only("firm.appraiser")}
VALUATION_REPORT = {"read": VALUATION_READERS, "sign": only("firm.appraiser")}
APPRAISAL = {"read": OWN | only("coowner.admin", "firm.appraiser", "grant.active")}
LENDING_POLICY = {"read": MEMBERS, "set": only("bank.financier")}

LOAN_READERS = OWN | ADMINS_OVER_SUZHOU | only("grant.active")


def loan(stage: str) -> dict[str, frozenset[str]]:
    """The loan table at one stage, written out (the bank sees it once submitted)."""
    bank = only("bank.financier")
    return {
        "read": LOAN_READERS | (NOBODY if stage == "draft" else bank),
        "create": OWN,
        "submit": only("own.admin") if stage == "draft" else NOBODY,
        "withdraw": OWN if stage in ("draft", "submitted") else NOBODY,
        "approve": bank if stage == "submitted" else NOBODY,
        "reject": bank if stage == "submitted" else NOBODY,
        "register_pledge": bank if stage == "approved" else NOBODY,
        "disburse": NOBODY,  # the approved loan's registration is not recorded; the disbursed one is paid out
        "repay": bank if stage == "disbursed" else NOBODY,
        "default": bank if stage == "disbursed" else NOBODY,
        "dispose": NOBODY,
    }


CONTRACT = {
    "read": OWN | only("bank.financier", "grant.active"),  # the bank arranges a deal of own's
    "create": OWN,
    "pool": only("own.admin", "bank.financier"),
}
DEAL = {
    "read": OWN | ADMINS_OVER_SUZHOU | only("bank.financier", "grant.active"),
    "create": only("own.admin"),
    "write": only("own.admin", "bank.financier"),
}
AUDIT_ASSET_CREATED = {"read": ADMINS_OVER_SUZHOU | only("own.admin")}  # own.admin made it, for own
AUDIT_BANK_POLICY = {"read": only("alliance.admin")}  # a Shanghai bank's row: no Suzhou office, no org admin
DATASET_PUBLIC = {"read": EVERYONE, "create": ADMINS_OVER_SUZHOU, "delete": ADMINS_OVER_SUZHOU}
DATASET_ALLIANCE = {"read": MEMBERS, "create": ADMINS_OVER_SUZHOU, "delete": ADMINS_OVER_SUZHOU}

EXPECTED: dict[str, dict[str, frozenset[str]]] = {
    "asset:private": ASSET_PRIVATE,
    "asset:public": ASSET_PUBLIC,
    "asset:alliance": ASSET_ALLIANCE,
    "asset:secret": ASSET_SECRET,
    "asset:invited": ASSET_INVITED,
    "user:own_member": USER_OWN_MEMBER,
    "user:city_staff": USER_CITY_STAFF,
    "organisation": ORGANISATION,
    "valuation_request": VALUATION_REQUEST,
    "valuation_report": VALUATION_REPORT,
    "appraisal": APPRAISAL,
    "lending_policy": LENDING_POLICY,
    "loan:draft": loan("draft"),
    "loan:submitted": loan("submitted"),
    "loan:approved": loan("approved"),
    "loan:disbursed": loan("disbursed"),
    "contract": CONTRACT,
    "deal": DEAL,
    "audit:asset_created": AUDIT_ASSET_CREATED,
    "audit:bank_policy": AUDIT_BANK_POLICY,
    "dataset:public": DATASET_PUBLIC,
    "dataset:alliance": DATASET_ALLIANCE,
}


# ------------------------------------------------------------------ each entity's facts and columns


def _facts(session: Session, entity: str, ident: int) -> Facts:  # noqa: PLR0911 - one branch per entity
    if entity == "asset":
        asset = session.get(Asset, ident)
        assert asset is not None
        return asset_facts(asset)
    if entity == "user":
        user = session.get(User, ident)
        assert user is not None
        return user_facts(session, user)
    if entity == "organisation":
        org = session.get(Organisation, ident)
        assert org is not None
        return organisation_facts(org, alliance_id=org.alliance_id, region_code=org.region_code)
    if entity == "valuation_request":
        request = session.get(ValuationRequest, ident)
        assert request is not None
        return request_facts(session, request)
    if entity == "valuation_report":
        report = session.get(ValuationReport, ident)
        assert report is not None
        owner = session.get(ValuationRequest, report.request_id)
        assert owner is not None
        return report_facts(session, report, owner)
    if entity == "appraisal":
        row = session.get(Appraisal, ident)
        assert row is not None
        return appraisal_facts(session, row)
    if entity == "lending_policy":
        policy = session.get(LendingPolicy, ident)
        bank = session.get(Organisation, policy.bank_org_id if policy else 0)
        assert policy is not None and bank is not None
        return policy_facts(
            alliance_id=policy.alliance_id,
            bank_org_id=bank.id,
            region_code=bank.region_code,
            policy_id=policy.id,
        )
    if entity == "loan":
        row_loan = session.get(Loan, ident)
        assert row_loan is not None
        return loan_facts(row_loan)
    if entity == "contract":
        contract = session.get(Contract, ident)
        assert contract is not None
        return contract_facts(session, contract)
    if entity == "deal":
        deal = session.get(SecuritisationDeal, ident)
        assert deal is not None
        return deal_facts(deal)
    if entity == "audit_entry":
        entry = session.get(AuditEntry, ident)
        assert entry is not None
        return audit_facts(entry)
    dataset = session.get(StatDataset, ident)
    assert dataset is not None
    return dataset_facts(
        alliance_id=dataset.alliance_id,
        region_code=dataset.scope_region_code,
        visibility=dataset.visibility,
        dataset_id=dataset.id,
    )


COLUMNS: dict[str, Callable[[], Columns]] = {
    "asset": asset_columns,
    "user": user_columns,
    "organisation": organisation_columns,
    "valuation_request": request_columns,
    "valuation_report": report_columns,
    "appraisal": appraisal_columns,
    "lending_policy": policy_columns,
    "loan": loan_columns,
    "contract": contract_columns,
    "deal": deal_columns,
    "audit_entry": audit_columns,
    "statistics_dataset": dataset_columns,
}


@pytest.fixture
def matrix(uow: UnitOfWork) -> MatrixWorld:
    """The matrix world, in the test's rolled-back transaction."""
    return build_matrix_world(uow)


def test_the_table_covers_every_entity_action_and_position(matrix: MatrixWorld) -> None:
    assert set(matrix.principals) == EVERYONE
    assert set(EXPECTED) == set(matrix.records)
    covered: dict[str, set[str]] = {}
    for name, actions in EXPECTED.items():
        covered.setdefault(matrix.records[name][0], set()).update(actions)
    assert {entity: set(rule.actions) for entity, rule in RULES.items()} == covered
    assert set(COLUMNS) == set(RULES)


def test_python_check_and_sql_clause_give_the_expected_answer(uow: UnitOfWork, matrix: MatrixWorld) -> None:
    wrong: list[str] = []
    cells = 0
    with uow:
        session = uow.session
        now = db_now(session)
        for name, actions in EXPECTED.items():
            entity, ident = matrix.records[name]
            facts = _facts(session, entity, ident)
            grants = load_grants(session, facts.targets())
            columns = COLUMNS[entity]()
            for action, allowed in actions.items():
                for position, principal in matrix.principals.items():
                    cells += 1
                    expected = position in allowed
                    in_python = decide(principal, action, facts, grants=grants, now=now)
                    found = session.scalars(
                        select(columns.record_id).where(
                            columns.record_id == ident, clause(principal, action, columns)
                        )
                    ).first()
                    in_sql = found is not None
                    if in_python != expected or in_sql != expected:
                        wrong.append(
                            f"{name} {action} {position}: expected {expected}, py {in_python}, sql {in_sql}"
                        )
    print(f"\nauthorisation matrix: {len(EXPECTED)} records, {cells} cells")  # noqa: T201 - the matrix size
    assert wrong == []


def test_the_services_serve_exactly_the_readers(uow: UnitOfWork, matrix: MatrixWorld) -> None:
    """The use cases ask the same policy: a record is served to its readers and is unknown (404) to others."""
    from ipops.assets.service import get_asset
    from ipops.core.errors import DomainError, ErrorCode
    from ipops.finance.pledge import get_loan
    from ipops.finance.securitisation import get_deal
    from ipops.valuation.service import get_report, get_request

    getters: dict[str, Callable[..., object]] = {
        "asset": lambda actor, ident: get_asset(uow=uow, actor=actor, asset_id=ident),
        "loan": lambda actor, ident: get_loan(uow=uow, actor=actor, loan_id=ident),
        "deal": lambda actor, ident: get_deal(uow=uow, actor=actor, deal_id=ident),
        "valuation_report": lambda actor, ident: get_report(uow=uow, actor=actor, report_id=ident),
        "valuation_request": lambda actor, ident: get_request(uow=uow, actor=actor, request_id=ident),
    }
    wrong = []
    for name, actions in EXPECTED.items():
        entity, ident = matrix.records[name]
        if entity not in getters:
            continue
        for position, principal in matrix.principals.items():
            code = None
            try:
                getters[entity](principal, ident)
            except DomainError as exc:
                code = exc.code
            assert code in (None, ErrorCode.NOT_FOUND, ErrorCode.UNAUTHENTICATED), (name, position, code)
            served = code is None
            if served != (position in actions["read"]):
                wrong.append(f"{name} {position}: served {served}")
    assert wrong == []
