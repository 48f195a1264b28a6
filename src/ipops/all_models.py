"""Every ORM model, so that Base.metadata is complete (for Alembic and tests): the core's own tables and
those of each domain in the registry (`ipops.domains`), imported by name."""

from __future__ import annotations

from ipops.core import audit as core_audit
from ipops.core import events as core_events
from ipops.core.authz import grants as authz_grants
from ipops.core.db import Base
from ipops.core.jobs import models as jobs_models
from ipops.core.ledger import models as ledger_models

CORE_MODELS = (core_audit, authz_grants, ledger_models, jobs_models, core_events)


def load_all_models() -> type[Base]:
    """The declarative base with every model registered (importing the registry imports them all)."""
    from ipops.domains import DOMAINS

    assert all(m is not None for m in CORE_MODELS)  # noqa: S101 - imported for their tables
    assert DOMAINS  # noqa: S101 - the registry imports every domain's models
    return Base
