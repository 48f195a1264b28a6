"""One transaction per use case: the unit of work commits once and rolls back everything else."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ipops.alliance.models import Alliance
from ipops.core.audit import AuditEntry, diff_summary, record_audit
from ipops.core.authz import SYSTEM
from ipops.core.db import db_now
from ipops.core.uow import UnitOfWork


def _count(session: Session) -> int:
    return int(session.execute(select(func.count(Alliance.id))).scalar_one())


def _failing_use_case(uow: UnitOfWork) -> None:
    with uow:
        uow.session.add(Alliance(code="lost", name_zh="丢弃", name_en="lost"))
        uow.flush()
        raise RuntimeError("the use case failed half-way")


def test_commit_keeps_and_exception_discards(uow: UnitOfWork, db_session: Session) -> None:
    before = _count(db_session)
    with uow:
        uow.session.add(Alliance(code="kept", name_zh="保留", name_en="kept"))
        uow.commit()
    with pytest.raises(RuntimeError):
        _failing_use_case(uow)
    with uow:
        uow.session.add(Alliance(code="forgotten", name_zh="未提交", name_en="not committed"))
    assert _count(db_session) == before + 1
    codes = set(db_session.scalars(select(Alliance.code)))
    assert "kept" in codes and "lost" not in codes and "forgotten" not in codes


def test_unit_of_work_is_not_reentrant(uow: UnitOfWork) -> None:
    with uow, pytest.raises(RuntimeError, match="re-entrant"), uow:
        pass
    with pytest.raises(RuntimeError, match="not open"):
        _ = uow.session


def test_audit_rows_use_the_database_clock(uow: UnitOfWork) -> None:
    with uow:
        now = db_now(uow.session)
        entry = record_audit(
            uow.session,
            actor=SYSTEM,
            action="test.write",
            entity_type="thing",
            entity_id=7,
            before={"amount": Decimal("1.00"), "on": dt.date(2024, 1, 1), "same": 1},
            after={"amount": Decimal("2.50"), "on": dt.date(2024, 1, 1), "same": 1},
        )
        uow.commit()
    assert now.tzinfo is not None
    assert entry.at is not None and abs((entry.at - now).total_seconds()) < 5
    assert entry.summary == {"before": {"amount": "1.00"}, "after": {"amount": "2.50"}}
    assert entry.actor_label == "system"


def test_diff_summary_lists_only_changes() -> None:
    assert diff_summary({"a": 1, "b": [1, 2]}, {"a": 1, "b": [1, 3], "c": "new"}) == {
        "before": {"b": [1, 2]},
        "after": {"b": [1, 3], "c": "new"},
    }
    assert diff_summary(None, None) == {"before": {}, "after": {}}
    assert AuditEntry.__tablename__ == "audit_log"
