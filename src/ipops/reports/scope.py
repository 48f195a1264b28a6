"""Imported statistics tables as the policy sees them (`statistics_dataset`): public, or the alliance's."""

from __future__ import annotations

from ipops.core.authz import Action, Columns, Facts, Principal, decide, refusal
from ipops.reports.models import StatDataset


def dataset_facts(
    *, alliance_id: int, region_code: str | None, visibility: str, dataset_id: int | None = None
) -> Facts:
    """A table's facts (or those of one about to be imported)."""
    return Facts(
        entity="statistics_dataset",
        record_id=dataset_id,
        alliance_id=alliance_id,
        region_code=region_code,
        visibility=visibility,
    )


def dataset_columns() -> Columns:
    """Tables as SQL."""
    return Columns(
        entity="statistics_dataset",
        record_id=StatDataset.id,
        alliance_id=StatDataset.alliance_id,
        region_code=StatDataset.scope_region_code,
        visibility=StatDataset.visibility,
    )


def require_on_dataset(actor: Principal, action: str, facts: Facts) -> None:
    """Refuse unless the policy allows (tables take no record grants, so no session is needed)."""
    if not decide(actor, action, facts):
        raise refusal(actor, action, facts, can_read=decide(actor, Action.READ, facts))
