"""Unit of work: one session and one transaction per use case, committed once by the service."""

from __future__ import annotations

from types import TracebackType
from typing import Self

from sqlalchemy.orm import Session, sessionmaker


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

    def __enter__(self) -> Self:
        if self._session is not None:
            raise RuntimeError("a unit of work is not re-entrant; one use case, one transaction")
        self._session = self._session_factory()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        session = self.session
        self._session = None
        # close() rolls back whatever was not committed (error or early return) without expiring the
        # loaded objects, so read models built from them stay usable after the block.
        session.close()

    def commit(self) -> None:
        """Commit the use case's single transaction."""
        self.session.commit()

    def flush(self) -> None:
        """Send pending changes so generated keys are known, without committing."""
        self.session.flush()
