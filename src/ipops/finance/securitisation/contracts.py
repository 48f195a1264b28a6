"""Contracts an originator can securitise: licences, leases and receivables, entered or imported from CSV."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ipops.alliance.service import organisations_by_id
from ipops.assets.service import brief, record_licence
from ipops.core.audit import record_audit
from ipops.core.authz import Action, Facts, Principal, clause, require
from ipops.core.db import db_now
from ipops.core.errors import DomainError, ErrorCode
from ipops.core.uow import UnitOfWork
from ipops.finance.models import Contract, ContractKind
from ipops.finance.scope import contract_columns
from ipops.finance.securitisation.schemas import ContractCreate, ContractRead, ImportProblem, ImportReport

CSV_COLUMNS = (
    "kind",
    "reference",
    "obligor",
    "obligor_region_code",
    "asset_id",
    "currency",
    "amount",
    "annual_rate",
    "term_months",
    "residual",
    "first_due",
    "royalties",
)


def _require_originator(session: Session, actor: Principal) -> int:
    """The actor's organisation, if the policy lets it record contracts."""
    facts = Facts(
        entity="contract",
        record_id=None,
        alliance_id=actor.alliance_id,
        parties={"originator": frozenset({actor.org_id} if actor.org_id is not None else ())},
    )
    require(session, actor, Action.CREATE, facts)
    assert actor.org_id is not None  # noqa: S101 - the rule names the actor's organisation
    return actor.org_id


def _insert_contract(session: Session, *, actor: Principal, org_id: int, data: ContractCreate) -> Contract:
    """Validate one contract against the registry and add it (the caller flushes, audits and commits)."""
    assert actor.alliance_id is not None  # noqa: S101 - checked by the caller
    if data.asset_id is not None:
        asset = brief(session, data.asset_id)
        if asset.alliance_id != actor.alliance_id:
            raise DomainError(ErrorCode.NOT_FOUND, f"asset {data.asset_id} not found")
        if org_id not in asset.owner_org_ids:
            raise DomainError(ErrorCode.FORBIDDEN, f"asset {data.asset_id} is not owned by the originator")
    taken = session.scalar(
        select(func.count(Contract.id)).where(
            Contract.originator_org_id == org_id, Contract.reference == data.reference
        )
    )
    if taken:
        raise DomainError(ErrorCode.DUPLICATE, f"contract {data.reference} is already recorded")
    contract = Contract(
        alliance_id=actor.alliance_id,
        originator_org_id=org_id,
        kind=data.kind.value,
        reference=data.reference,
        obligor=data.obligor,
        obligor_region_code=data.obligor_region_code,
        asset_id=data.asset_id,
        currency=data.currency,
        amount=data.amount or Decimal(0),
        annual_rate=data.annual_rate,
        term_months=data.term_months,
        residual=data.residual,
        first_due=data.first_due,
        royalties=[str(r) for r in data.royalties],
        created_by=actor.user_id,
    )
    session.add(contract)
    if contract.kind == ContractKind.LICENCE.value and contract.asset_id is not None:
        # the registry's event history shows the licence the pool will collect royalties from
        record_licence(
            session,
            actor=actor,
            asset_id=contract.asset_id,
            licensee=contract.obligor,
            reference=contract.reference,
            occurred_on=db_now(session).date(),
        )
    return contract


def _audit_contract(session: Session, actor: Principal, contract: Contract, region_code: str | None) -> None:
    record_audit(
        session,
        actor=actor,
        action="finance.contract.created",
        entity_type="contract",
        entity_id=contract.id,
        after={
            "kind": contract.kind,
            "reference": contract.reference,
            "obligor": contract.obligor,
            "amount": contract.amount,
            "currency": contract.currency,
            "asset_id": contract.asset_id,
        },
        region_code=region_code,
        org_id=contract.originator_org_id,
    )


def _region_of(session: Session, org_id: int) -> str | None:
    org = organisations_by_id(session, {org_id}).get(org_id)
    return org.region_code if org else None


def create_contract(*, uow: UnitOfWork, actor: Principal, data: ContractCreate) -> ContractRead:
    """Record a licence, lease or receivable contract of the actor's organisation."""
    with uow:
        session = uow.session
        org_id = _require_originator(session, actor)
        contract = _insert_contract(session, actor=actor, org_id=org_id, data=data)
        uow.flush()
        _audit_contract(session, actor, contract, _region_of(session, org_id))
        uow.commit()
        return ContractRead.model_validate(contract)


def _csv_row_to_contract(row: dict[str, str]) -> ContractCreate:
    def opt(name: str) -> str | None:
        value = (row.get(name) or "").strip()
        return value or None

    royalties = [r.strip() for r in (row.get("royalties") or "").replace(",", ";").split(";") if r.strip()]
    return ContractCreate.model_validate(
        {
            "kind": opt("kind"),
            "reference": opt("reference"),
            "obligor": opt("obligor"),
            "obligor_region_code": opt("obligor_region_code"),
            "asset_id": opt("asset_id"),
            "currency": opt("currency") or "CNY",
            "amount": opt("amount"),
            "annual_rate": opt("annual_rate"),
            "term_months": opt("term_months"),
            "residual": opt("residual"),
            "first_due": opt("first_due"),
            "royalties": royalties,
        }
    )


def _validation_lines(exc: ValidationError) -> list[str]:
    return [f"{'.'.join(str(p) for p in e['loc']) or 'row'}: {e['msg']}" for e in exc.errors()]


def import_contracts(*, uow: UnitOfWork, actor: Principal, text: str) -> ImportReport:
    """Import contracts from CSV (header row, columns CSV_COLUMNS): good rows go in, bad rows are reported."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = {"kind", "reference", "obligor", "first_due"} - set(reader.fieldnames or [])
    if missing:
        raise DomainError(ErrorCode.VALIDATION_ERROR, f"the CSV lacks columns: {', '.join(sorted(missing))}")
    problems: list[ImportProblem] = []
    created: list[Contract] = []
    rows = 0
    with uow:
        session = uow.session
        org_id = _require_originator(session, actor)
        region_code = _region_of(session, org_id)
        for row in reader:
            rows += 1
            line = reader.line_num
            reference = (row.get("reference") or "").strip() or None
            try:
                data = _csv_row_to_contract(row)
                with session.begin_nested():
                    contract = _insert_contract(session, actor=actor, org_id=org_id, data=data)
                    session.flush()
            except ValidationError as exc:
                problems.append(ImportProblem(line=line, reference=reference, errors=_validation_lines(exc)))
                continue
            except DomainError as exc:
                problems.append(
                    ImportProblem(line=line, reference=reference, errors=[f"{exc.code.value}: {exc.detail}"])
                )
                continue
            created.append(contract)
        for contract in created:
            _audit_contract(session, actor, contract, region_code)
        record_audit(
            session,
            actor=actor,
            action="finance.contract.imported",
            entity_type="organisation",
            entity_id=org_id,
            after={"rows": rows, "imported": len(created), "rejected": [p.line for p in problems]},
            region_code=region_code,
            org_id=org_id,
        )
        uow.commit()
        return ImportReport(
            rows=rows, imported=len(created), rejected=problems, contract_ids=[c.id for c in created]
        )


def list_contracts(*, uow: UnitOfWork, actor: Principal, org_id: int | None = None) -> list[ContractRead]:
    """The contracts the actor may read: its own organisation's, or an originator's it arranges deals for."""
    target = org_id if org_id is not None else actor.org_id
    if target is None:
        return []
    with uow:
        rows = uow.session.scalars(
            select(Contract)
            .where(Contract.originator_org_id == target, clause(actor, Action.READ, contract_columns()))
            .order_by(Contract.id)
        ).all()
        if org_id is not None and org_id != actor.org_id and not rows:
            raise DomainError(ErrorCode.NOT_FOUND)  # nothing of that originator is the actor's to see
        return [ContractRead.model_validate(c) for c in rows]
