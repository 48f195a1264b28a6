"""Imports every domain's ORM models so that Base.metadata is complete (for Alembic and tests)."""

from __future__ import annotations

import importlib

from ipops.core.db import Base

MODEL_MODULES = (
    "ipops.core.audit",
    "ipops.core.ledger.models",
    "ipops.core.jobs.models",
    "ipops.core.events",
    "ipops.notify.models",
    "ipops.alliance.models",
    "ipops.assets.models",
    "ipops.valuation.models",
    "ipops.finance.models",
    "ipops.reports.models",
    "ipops.lake.models",
)


def load_all_models() -> type[Base]:
    """Import each domain's models module that exists and return the declarative base."""
    for name in MODEL_MODULES:
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name is None or not name.startswith(exc.name):
                raise
    return Base
