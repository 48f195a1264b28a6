"""Unit of work: one session and one transaction per use case, committed once by the service."""

from __future__ import annotations

import logging
from collections.abc import Callable
from types import TracebackType
from typing import Self

from sqlalchemy import event
from sqlalchemy.orm import Session, sessionmaker

logger = logging.getLogger(__name__)
AFTER_COMMIT_KEY = "ipops.after_commit"
FACTORY_KEY = "ipops.session_factory"


def on_commit(session: Session, callback: Callable[[], None]) -> None:
    """Run `callback` once the unit of work that owns `session` commits; a rollback drops it."""
    callbacks: list[Callable[[], None]] | None = session.info.get(AFTER_COMMIT_KEY)
    if callbacks is None:
        callbacks = session.info[AFTER_COMMIT_KEY] = []
        event.listen(session, "after_rollback", _drop_callbacks)
    callbacks.append(callback)


def factory_of(session: Session) -> sessionmaker[Session] | None:
    """The factory of the unit of work that opened `session` (after-commit work opens its own sessions)."""
    factory: sessionmaker[Session] | None = session.info.get(FACTORY_KEY)
    return factory


def _drop_callbacks(session: Session) -> None:
    session.info.pop(AFTER_COMMIT_KEY, None)


def run_after_commit(session: Session) -> None:
    """Run and forget the callbacks registered on a session whose transaction has just committed."""
    for callback in session.info.pop(AFTER_COMMIT_KEY, []):
        try:
            callback()
        except Exception:
            # The use case is committed; a failed hand-off (e.g. the queue is down) must not report it as
            # failed. Every hook here has a sweeper that retries what was left behind (jobs, events).
            logger.exception("after-commit hook %r failed", callback)


class UnitOfWork:
    """`with uow: ...; uow.commit()` — anything not committed is rolled back on exit."""

    def __init__(self, session_factory: sessionmaker[Session]) -> None:
        self._session_factory = session_factory
        self._session: Session | None = None

    @property
    def session(self) -> Session:
        """The open session; only valid inside the `with` block."""
        if self._session is None:
            raise RuntimeError("the unit of work is not open; use it as a context manager")
        return self._session

    @property
    def session_factory(self) -> sessionmaker[Session]:
        """The factory this unit of work opens sessions from (background work opens its own from it)."""
        return self._session_factory

    def __enter__(self) -> Self:
        if self._session is not None:
            raise RuntimeError("a unit of work is not re-entrant; one use case, one transaction")
        self._session = self._session_factory()
        self._session.info[FACTORY_KEY] = self._session_factory
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        session = self.session
        self._session = None
        _drop_callbacks(session)
        # close() rolls back whatever was not committed (error or early return) without expiring the
        # loaded objects, so read models built from them stay usable after the block.
        session.close()

    def commit(self) -> None:
        """Commit the use case's single transaction, then run its after-commit hooks."""
        self.session.commit()
        run_after_commit(self.session)

    def flush(self) -> None:
        """Send pending changes so generated keys are known, without committing."""
        self.session.flush()

    def after_commit(self, callback: Callable[[], None]) -> None:
        """Run `callback` after this unit of work commits (enqueue a job, deliver events)."""
        on_commit(self.session, callback)
