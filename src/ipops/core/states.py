"""Transition tables: a workflow's states, its allowed moves and their audit action names.

A move is one conditional `UPDATE … SET state = :to WHERE id = :id AND state = :from` and its row count, so
two requests racing for the same record cannot both move it: the loser's update matches no row and it gets
INVALID_STATE. Nothing reads the state and then writes it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from sqlalchemy import update
from sqlalchemy.orm import InstrumentedAttribute, Session

from ipops.core.audit import record_audit
from ipops.core.errors import DomainError, ErrorCode

if TYPE_CHECKING:
    from ipops.core.authz import Principal

S = TypeVar("S", bound=StrEnum)


@dataclass(frozen=True, slots=True)
class Transition(Generic[S]):
    """One named move from any of `sources` to `target`, audited as `audit_action`."""

    name: str
    sources: frozenset[S]
    target: S
    audit_action: str


@dataclass(frozen=True, slots=True)
class Moved(Generic[S]):
    """What a move did: the state it left, the state it reached and the transition taken."""

    record_id: object
    source: S
    target: S
    transition: Transition[S]


@dataclass(frozen=True)
class StateMachine(Generic[S]):
    """A workflow's transition table over one ORM model's state column."""

    entity_type: str
    states: type[S]
    transitions: tuple[Transition[S], ...]
    terminal: frozenset[S] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        names = [t.name for t in self.transitions]
        if len(names) != len(set(names)):
            raise ValueError(f"{self.entity_type}: transition names repeat: {names}")
        for transition in self.transitions:
            if transition.target in transition.sources:
                raise ValueError(f"{self.entity_type}.{transition.name} leads back to its own source")
            if transition.sources & self.terminal:
                raise ValueError(f"{self.entity_type}.{transition.name} leaves a terminal state")

    @classmethod
    def table(
        cls,
        *,
        entity_type: str,
        states: type[S],
        moves: Mapping[str, tuple[tuple[S, ...] | S, S]],
        terminal: Iterable[S] = (),
        audit_prefix: str | None = None,
    ) -> StateMachine[S]:
        """Build from `{"submit": (Draft, Submitted), "reject": ((Submitted, Assessed), Rejected)}`."""
        prefix = audit_prefix or entity_type
        transitions = tuple(
            Transition(
                name=name,
                sources=frozenset(sources if isinstance(sources, tuple) else (sources,)),
                target=target,
                audit_action=f"{prefix}.{name}",
            )
            for name, (sources, target) in moves.items()
        )
        return cls(
            entity_type=entity_type, states=states, transitions=transitions, terminal=frozenset(terminal)
        )

    def transition(self, name: str) -> Transition[S]:
        """The transition of that name; a programming error if it does not exist."""
        for transition in self.transitions:
            if transition.name == name:
                return transition
        raise KeyError(f"{self.entity_type} has no transition {name!r}")

    def available(self, state: S) -> list[str]:
        """The names of the transitions allowed from `state` (pages show these as buttons)."""
        return [t.name for t in self.transitions if state in t.sources]

    def can(self, state: S, name: str) -> bool:
        """Whether transition `name` is allowed from `state`."""
        return state in self.transition(name).sources

    @property
    def audit_actions(self) -> list[str]:
        """Every audit action this workflow writes (for the audit page's filters and labels)."""
        return [t.audit_action for t in self.transitions]

    def move(
        self,
        session: Session,
        *,
        state_column: InstrumentedAttribute[Any],
        record_id: object,
        name: str,
        expected: S,
        values: Mapping[str, Any] | None = None,
        actor: Principal | None = None,
        audit: Mapping[str, Any] | None = None,
        region_code: str | None = None,
        org_id: int | None = None,
    ) -> Moved[S]:
        """Move the record from `expected` by transition `name` with one conditional UPDATE, then audit it.

        `expected` is the state the caller last saw; if another request moved the record since, the UPDATE
        matches no row and the move is refused with INVALID_STATE. `values` are further columns set by the
        same statement (a decision date, a version bump). Audited when `actor` is given.
        """
        transition = self.transition(name)
        if expected not in transition.sources:
            raise DomainError(
                ErrorCode.INVALID_STATE,
                f"{self.entity_type} {record_id}: cannot {name} from {expected.value}",
                state=expected.value,
                allowed=self.available(expected),
            )
        model: Any = state_column.class_
        id_column = model.__mapper__.primary_key[0]
        statement = (
            update(model)
            .where(id_column == record_id, state_column == expected.value)
            .values({state_column.key: transition.target.value, **(values or {})})
            .execution_options(synchronize_session="fetch")
        )
        result = session.execute(statement)
        if getattr(result, "rowcount", 0) != 1:
            raise DomainError(
                ErrorCode.INVALID_STATE,
                f"{self.entity_type} {record_id} is no longer {expected.value}",
                state=expected.value,
            )
        if actor is not None:
            record_audit(
                session,
                actor=actor,
                action=transition.audit_action,
                entity_type=self.entity_type,
                entity_id=record_id,
                before={"state": expected.value},
                after={"state": transition.target.value, **(audit or {})},
                region_code=region_code,
                org_id=org_id,
            )
        return Moved(record_id=record_id, source=expected, target=transition.target, transition=transition)
