"""The domain registry: the one explicit list of the platform's domain packages.

Each entry names the domain's ORM models, its JSON and HTML routers, the records whose audit rows a reader
may see in full (entity type -> the policy's columns of that entity), and its part of the sample data.
Everything is imported by name, so a missing module fails at start-up instead of vanishing from the app.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import ModuleType

from fastapi import APIRouter

from ipops.alliance import api as alliance_api
from ipops.alliance import models as alliance_models
from ipops.alliance import pages as alliance_pages
from ipops.alliance import scope as alliance_scope
from ipops.assets import api as assets_api
from ipops.assets import models as assets_models
from ipops.assets import pages as assets_pages
from ipops.assets import scope as assets_scope
from ipops.core.authz import Columns
from ipops.core.jobs import api as jobs_api
from ipops.core.jobs import pages as jobs_pages
from ipops.core.ledger import api as ledger_api
from ipops.core.uow import UnitOfWork
from ipops.finance import api as finance_api
from ipops.finance import models as finance_models
from ipops.finance import pages as finance_pages
from ipops.finance import sample as finance_sample
from ipops.finance import scope as finance_scope
from ipops.lake import api as lake_api
from ipops.lake import pages as lake_pages
from ipops.notify import api as notify_api
from ipops.notify import models as notify_models
from ipops.notify import pages as notify_pages
from ipops.reports import api as reports_api
from ipops.reports import models as reports_models
from ipops.reports import pages as reports_pages
from ipops.reports import scope as reports_scope
from ipops.reports import service as reports_service
from ipops.valuation import api as valuation_api
from ipops.valuation import models as valuation_models
from ipops.valuation import pages as valuation_pages
from ipops.valuation import scope as valuation_scope

SampleLoader = Callable[..., object]  # (*, actor, uow: UnitOfWork, alliance_id: int) -> None


@dataclass(frozen=True, slots=True)
class Domain:
    """One domain package and what it contributes to the platform."""

    name: str
    models: ModuleType | None
    api: APIRouter | None
    pages: APIRouter | None
    audited: Mapping[str, Callable[[], Columns]] = field(default_factory=dict)
    load_sample: SampleLoader | None = None


DOMAINS: tuple[Domain, ...] = (
    # Platform pieces with routes of their own (their tables are core models, see all_models).
    Domain("jobs", None, jobs_api.router, jobs_pages.router),
    Domain("ledger", None, ledger_api.router, None),
    Domain("notify", notify_models, notify_api.router, notify_pages.router),
    Domain(
        "alliance",
        alliance_models,
        alliance_api.router,
        alliance_pages.router,
        audited={"user": alliance_scope.user_columns, "organisation": alliance_scope.organisation_columns},
    ),
    Domain(
        "assets",
        assets_models,
        assets_api.router,
        assets_pages.router,
        audited={"asset": assets_scope.asset_columns},
    ),
    Domain("lake", None, lake_api.router, lake_pages.router),
    Domain(
        "valuation",
        valuation_models,
        valuation_api.router,
        valuation_pages.router,
        audited={
            "valuation_request": valuation_scope.request_columns,
            "valuation_report": valuation_scope.report_columns,
        },
    ),
    Domain(
        "finance",
        finance_models,
        finance_api.router,
        finance_pages.router,
        audited={
            "loan": finance_scope.loan_columns,
            "lending_policy": finance_scope.policy_columns,
            "appraisal": finance_scope.appraisal_columns,
            "contract": finance_scope.contract_columns,
            "deal": finance_scope.deal_columns,
        },
        load_sample=finance_sample.load_sample_finance,
    ),
    Domain(
        "reports",
        reports_models,
        reports_api.router,
        reports_pages.router,
        audited={"report_dataset": reports_scope.dataset_columns},
        load_sample=reports_service.load_sample_statistics,
    ),
)

# Modules that register a named search index (ipops.core.search.register_index) when imported.
SEARCH_INDEX_MODULES: tuple[str, ...] = ("ipops.lake.search_index",)


def audited_columns() -> dict[str, Callable[[], Columns]]:
    """Every audited entity type and the policy's columns of its records."""
    return {kind: columns for domain in DOMAINS for kind, columns in domain.audited.items()}


def load_samples(*, actor: object, uow: UnitOfWork, alliance_id: int) -> None:
    """Let each domain add its part of the sample (statistics, valuations, loans...), in registry order."""
    for domain in DOMAINS:
        if domain.load_sample is not None:
            domain.load_sample(actor=actor, uow=uow, alliance_id=alliance_id)
