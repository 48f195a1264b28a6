"""Import AbsBox / Hastructure deal JSON (the ``MDeal`` request format) into the engine's data model.

Covered (the features of the China benchmark deals test01-test05): ``PreClosingDates`` (cut-off, closing,
month-end collection periods, monthly distribution days) and, for a deal already in progress (status
``Amortizing``), ``CurrentDates`` with the bonds' unpaid interest (``bndDueInt``, ``bndDueIntOverInt``),
fees' unpaid dues (``feeDue`` accrued to ``feeDueDate``) and accounts' balances; a ``MultiPool`` of
``Mortgage`` assets (fixed or floating rate, ``Even`` or ``Level`` principal, current balance / rate /
remaining term); bonds of type ``Sequential``, ``Equity`` and ``PAC`` (balance curve) with ``Fix`` or
``Floater`` interest (annual reset on a ``MonthDayOfYear``); fees ``FixFee``, ``RecurFee`` (``MonthFirst``),
``AnnualRateFee`` and ``TargetBalanceFee``; accounts and ``collects``; waterfall actions ``PayFee``,
``AccrueAndPayInt``, ``PayInt``, ``PayPrin``, ``PayPrinResidual``, ``PayIntResidual``, ``Transfer``,
``PayFeeResidual``, ``LiquidatePool`` and ``CalcFee``; the ``CleanUp`` waterfall.

To reproduce that engine to the cent the import uses its conventions (``FloorToCent``): every product is
floored to 0.01 (Haskell ``Centi``), periodic asset rates are truncated to 1e-6 (``IRate``), default and
prepayment rates convert by days (``1 - (1 - annual) ** (days / 365)``) with prepayment taken before
scheduled principal, bond interest accrues ACT/365F from closing on the bond's current rate with unpaid
interest earning interest-on-interest (paid first).  Differences that remain are pinned in the tests.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np

from ipops.finance.cashflow.assets import Pool, ProjectedCashflow
from ipops.finance.cashflow.calendar import DayCount, PeriodSchedule, add_months, month_end
from ipops.finance.cashflow.money import FloatArray, FloorToCent
from ipops.finance.cashflow.structure import (
    Account,
    Coupon,
    Deal,
    Fee,
    FixedCoupon,
    FixedFee,
    FloatingCoupon,
    OutstandingFee,
    PercentOfBalanceFee,
    RecurringFee,
    Seniority,
    Tranche,
)
from ipops.finance.cashflow.waterfall import (
    LiquidatePool,
    PayFee,
    PayInterest,
    PayPrincipal,
    PayResidual,
    Step,
    Transfer,
)

_COLLECTION_SOURCES = {
    "CollectedInterest": "interest",
    "CollectedPrincipal": "principal",
    "CollectedPrepayment": "prepayment",
    "CollectedRecoveries": "recovery",
}


@dataclass(frozen=True, slots=True)
class AbsBoxAssumptions:
    """Pool performance and rate curves for an imported deal (annual CDR / CPR, flat index rates).

    The AbsBox China benchmark runs its deals with ``mortgage_empty.json`` (CDR 1%, CPR 10%, no recovery)
    and ``rates.json``; the responses show LPR5Y at 4%.
    """

    cdr: float = 0.01
    cpr: float = 0.10
    index_rates: Mapping[str, float] = field(default_factory=lambda: {"LPR5Y": 0.04, "LPR1Y": 0.04})


@dataclass(frozen=True, slots=True)
class ImportedDeal:
    """An imported deal, the dates its periods stand for, and the parts left out (with reasons)."""

    deal: Deal
    collection_dates: tuple[date, ...]
    pool_rows: tuple[tuple[date, float, float, float, float, float], ...]
    ignored: tuple[str, ...]
    clean_up_date: date | None


def _day(text: str) -> date:
    return date.fromisoformat(text)


def _floor(value: float) -> float:
    return math.floor(value * 100.0 + 1e-6) / 100.0


def _month_ends_after(start: date, until: date) -> list[date]:
    dates = []
    current = month_end(year=start.year, month=start.month)
    if current <= start:
        current = month_end(
            year=add_months(start=start, months=1).year, month=add_months(start=start, months=1).month
        )
    while current <= until:
        dates.append(current)
        nxt = add_months(start=date(current.year, current.month, 1), months=1)
        current = month_end(year=nxt.year, month=nxt.month)
    return dates


def project_hastructure_mortgage(
    *, asset: Mapping[str, Any], assumptions: AbsBoxAssumptions, cutoff: date
) -> list[tuple[date, float, float, float, float, float]]:
    """A Mortgage's flows after ``cutoff``: (date, balance, principal, interest, prepayment, default)."""
    contents: list[Any] = list(asset["contents"])
    original: Mapping[str, Any] = contents[0]
    balance, rate, remaining = float(contents[1]), float(contents[2]), int(contents[3])
    term = int(original["originTerm"])
    start = _day(original["startDate"])
    kind = original["prinType"]["tag"]
    rate_spec = original["originRate"]
    floating_rate = None
    if rate_spec["tag"] == "Floater":
        _, index, spread, *_ = rate_spec["contents"]
        floating_rate = assumptions.index_rates[index] + spread
    elapsed = term - int(remaining)
    dates = [add_months(start=start, months=elapsed + k) for k in range(int(remaining) + 1)]
    rows = []
    current = float(balance)
    for k in range(1, len(dates)):
        days = (dates[k] - dates[k - 1]).days
        annual = float(rate) if floating_rate is None or k == 1 else floating_rate
        mdr = 1.0 - (1.0 - assumptions.cdr) ** (days / 365.0)
        smm = 1.0 - (1.0 - assumptions.cpr) ** (days / 365.0)
        defaulted = _floor(current * mdr)
        current = round(current - defaulted, 2)
        prepaid = _floor(current * smm)
        current = round(current - prepaid, 2)
        periodic = math.floor(annual / 12.0 * 1e6 + 1e-6) / 1e6
        interest = _floor(current * periodic)
        left = len(dates) - k
        if left == 1:
            principal = current
        elif kind == "Even":
            principal = _floor(current / left)
        else:
            payment = current * periodic / (1.0 - (1.0 + periodic) ** (-left)) if periodic else current / left
            principal = round(_floor(payment) - interest, 2)
        current = round(current - principal, 2)
        rows.append((dates[k], current, principal, interest, prepaid, defaulted))
    return [row for row in rows if row[0] > cutoff]


def _coupon(bond: Mapping[str, Any], reset_periods: tuple[int, ...]) -> Coupon:
    info = bond["bndInterestInfo"]
    if info["tag"] == "Fix":
        return FixedCoupon(float(bond["bndRate"]))
    if info["tag"] == "Floater":
        _, index, spread, *_ = info["contents"]
        return FloatingCoupon(
            index=index,
            spread=float(spread),
            reset_periods=reset_periods,
            initial_rate=float(bond["bndRate"]),
        )
    raise NotImplementedError(f"bond interest {info['tag']} is not imported")


def _reset_dates(info: Mapping[str, Any], closing: date, until: date) -> list[date]:
    if info["tag"] != "Floater":
        return []
    pattern = info["contents"][3]
    if pattern["tag"] != "MonthDayOfYear":
        raise NotImplementedError(f"rate reset {pattern['tag']} is not imported")
    month, day = pattern["contents"]
    candidates = (date(year, month, day) for year in range(closing.year, until.year + 1))
    return [d for d in candidates if closing < d < until]


def _reset_periods(resets: Sequence[date], dates: Sequence[date]) -> tuple[int, ...]:
    """A reset on date d applies from the period that starts on d (accrual up to d uses the old rate)."""
    return tuple(dates.index(d) + 1 for d in resets if d in dates)


def _month_firsts(start: date, end: date) -> int:
    count = 0
    current = date(start.year, start.month, 1)
    while current <= end:
        if start < current <= end:
            count += 1
        current = add_months(start=current, months=1)
    return count


@dataclass(frozen=True, slots=True)
class DealDates:
    """The dates an import needs: cut-off (pool flows after it), closing (bonds accrue from it), firsts."""

    cutoff: date
    closing: date
    first_collection: date
    first_pay: date
    pay_day: int


def deal_dates(spec: Mapping[str, Any]) -> DealDates:
    """``PreClosingDates`` of a new deal, or ``CurrentDates`` of a deal in progress.

    ``CurrentDates`` is ``[[last collection, last payment], revolving end, stated maturity,
    [next collection, pool pattern], [next payment, payment pattern]]``; as Hastructure does, the last
    collection date is the pool's cut-off and the last payment date is where bond interest accrues from.
    """
    tag, contents = spec["tag"], spec["contents"]
    if tag == "PreClosingDates":
        cutoff_text, closing_text, _, _, collect, pay = contents
    elif tag == "CurrentDates":
        (cutoff_text, closing_text), revolving_end, _, collect, pay = contents
        if revolving_end is not None:
            raise NotImplementedError("deal dates CurrentDates with a revolving period are not imported")
    else:
        raise NotImplementedError(f"deal dates {tag} are not imported")
    (first_collect_text, collect_pattern), (first_pay_text, pay_pattern) = collect, pay
    if collect_pattern["tag"] != "MonthEnd" or pay_pattern["tag"] != "DayOfMonth":
        raise NotImplementedError("only month-end collections and day-of-month payments are imported")
    closing = _day(closing_text)
    return DealDates(
        cutoff=_day(cutoff_text),
        closing=closing,
        first_collection=closing if tag == "PreClosingDates" else _day(first_collect_text),
        first_pay=_day(first_pay_text),
        pay_day=int(pay_pattern["contents"]),
    )


def _check_status(status: Mapping[str, Any] | None) -> None:
    """Only amortising deals are imported: before closing, or already in progress."""
    if status is None:
        return
    phase = status["contents"]["tag"] if status["tag"] == "PreClosing" else status["tag"]
    if phase != "Amortizing":
        raise NotImplementedError(f"deal status {status['tag']} {phase} is not imported")


def _check_accrued_to(bond: Mapping[str, Any], closing: date) -> None:
    """Bond interest accrues from closing (the last payment date of a deal in progress)."""
    accrued_to = bond.get("bndDueIntDate")
    if accrued_to is not None and _day(accrued_to) != closing:
        raise NotImplementedError(
            f"bond {bond.get('bndName')}: interest accrued to {accrued_to}, not to the last payment date"
        )


def import_absbox_deal(
    request: Mapping[str, Any],
    *,
    assumptions: AbsBoxAssumptions | None = None,
    accrue_annual_rate_fees: bool = False,
) -> ImportedDeal:
    """Translate an AbsBox ``MDeal`` request into an engine ``Deal`` with the projected pool attached.

    ``accrue_annual_rate_fees`` False imports ``AnnualRateFee`` with zero accrual, which is what the
    reference responses show for it (fee statements all 0); True charges rate x pool balance x ACT/365.
    """
    assumptions = assumptions or AbsBoxAssumptions()
    body = request["contents"] if "contents" in request and "tag" in request else request
    ignored: list[str] = []
    dates = deal_dates(body["dates"])
    _check_status(body.get("status"))
    cutoff, closing = dates.cutoff, dates.closing
    pay_day = dates.pay_day

    # pool: project every mortgage, then sum by collection date
    pool_spec = body["pool"]["contents"]
    assets = [a for pool in pool_spec.values() for a in pool["assets"]]
    flows: dict[date, list[float]] = {}
    last_payment = closing
    opening_balance = 0.0
    for asset in assets:
        if asset["tag"] != "Mortgage":
            raise NotImplementedError(f"asset {asset['tag']} is not imported")
        rows = project_hastructure_mortgage(asset=asset, assumptions=assumptions, cutoff=cutoff)
        opening_balance += (rows[0][1] + rows[0][2] + rows[0][4] + rows[0][5]) if rows else 0.0
        for row in rows:
            flows.setdefault(row[0], [0.0] * 5)
            amounts = row[1:]
            for i, amount in enumerate(amounts):
                flows[row[0]][i] += amount
            last_payment = max(last_payment, row[0])
    collection_dates = (
        dates.first_collection,
        *_month_ends_after(
            dates.first_collection, month_end(year=last_payment.year, month=last_payment.month)
        ),
    )
    pool_rows: list[tuple[date, float, float, float, float, float]] = []
    balance = opening_balance
    for i, collected_on in enumerate(collection_dates):
        previous = collection_dates[i - 1] if i else date.min
        window = [d for d in flows if previous < d <= collected_on]
        principal = sum(flows[d][1] for d in window)
        interest = sum(flows[d][2] for d in window)
        prepaid = sum(flows[d][3] for d in window)
        defaulted = sum(flows[d][4] for d in window)
        balance = balance - principal - prepaid - defaulted
        pool_rows.append((collected_on, round(balance, 2), principal, interest, prepaid, defaulted))

    # distribution dates: monthly on pay_day until the collections are exhausted
    first_pay = dates.first_pay
    pay_dates = [first_pay]
    while pay_dates[-1] <= collection_dates[-1]:
        pay_dates.append(add_months(start=first_pay, months=len(pay_dates), day=pay_day))
    clean_up = body["waterfall"].get("CleanUp")
    clean_up_date = None
    if clean_up:
        clean_up_date = month_end(year=pay_dates[-1].year, month=pay_dates[-1].month)
        pay_dates.append(clean_up_date)
    distribution_dates = list(pay_dates)
    resets = {
        name: _reset_dates(bond["bndInterestInfo"], closing, pay_dates[-1])
        for name, bond in body["bonds"].items()
    }
    reset_only = sorted({d for dates in resets.values() for d in dates} - set(pay_dates))
    pay_dates = sorted(set(pay_dates) | set(reset_only))
    accrual_only = frozenset(pay_dates.index(d) for d in reset_only)
    periods = len(pay_dates)
    columns = np.zeros((6, periods))
    for row in pool_rows:
        p = pay_dates.index(next(d for d in distribution_dates if d >= row[0]))
        columns[1:5, p] += row[2:6]
    pool = ProjectedCashflow(
        principal=tuple(columns[1]),
        interest=tuple(columns[2]),
        prepayment=tuple(columns[3]),
        default=tuple(columns[4]),
        loss=tuple(columns[4]),
        opening_balance=opening_balance,
    )

    # bonds: Hastructure accrues interest only when a bond is named in an interest action
    interest_paying = {
        bond
        for actions in body["waterfall"].values()
        for action in actions
        if action["tag"] in ("AccrueAndPayInt", "PayInt")
        for bond in action["contents"][2]
    }
    tranches = []
    for name, bond in body["bonds"].items():
        _check_accrued_to(bond, closing)
        kind = bond["bndType"]["tag"]
        targets = None
        if kind == "PAC":
            curve = [(_day(d), float(v)) for d, v in bond["bndType"]["contents"]["contents"]]
            targets = tuple(
                next((v for d, v in reversed(curve) if d <= pay), curve[0][1]) for pay in pay_dates
            )
        elif kind not in ("Sequential", "Equity"):
            raise NotImplementedError(f"bond type {kind} is not imported")
        tranches.append(
            Tranche(
                name=name,
                balance=float(bond["bndBalance"]),
                coupon=_coupon(bond, _reset_periods(resets[name], pay_dates))
                if name in interest_paying
                else FixedCoupon(0.0),
                seniority=Seniority.SUBORDINATED if kind == "Equity" else Seniority.SENIOR,
                target_balances=targets,
                interest_on_arrears=True,
                day_count=DayCount.ACT_365F,
                unpaid_interest=float(bond.get("bndDueInt") or 0.0),
                unpaid_arrears_interest=float(bond.get("bndDueIntOverInt") or 0.0),
            )
        )

    # fees
    fees: list[Fee] = []
    for name, spec in body["fees"].items():
        tag = spec["feeType"]["tag"]
        start = _day(spec["feeStart"]) if spec.get("feeStart") else closing
        # a deal in progress: the fee was last accrued on feeDueDate and feeDue is still unpaid
        accrued_to = _day(spec["feeDueDate"]) if spec.get("feeDueDate") else None
        outstanding = float(spec.get("feeDue") or 0.0)
        fee_count = len(fees)
        if tag == "FixFee":
            # charged once: a fee already accrued owes only what is unpaid of it
            amount = outstanding if accrued_to is not None else float(spec["feeType"]["contents"])
            fees.append(FixedFee(name=name, amount=amount))
            outstanding = 0.0
        elif tag == "RecurFee":
            pattern, amount = spec["feeType"]["contents"]
            if pattern["tag"] != "MonthFirst":
                raise NotImplementedError(f"recurring fee pattern {pattern['tag']} is not imported")
            edges = (accrued_to or start, *distribution_dates)
            by_date = {
                edges[i + 1]: _month_firsts(edges[i], edges[i + 1]) for i in range(len(distribution_dates))
            }
            counts = tuple(by_date.get(d, 0) for d in pay_dates)
            fees.append(RecurringFee(name=name, amount=float(amount), counts=counts))
        elif tag == "AnnualRateFee":
            base, rate = spec["feeType"]["contents"]
            annual = float(rate["contents"]) if accrue_annual_rate_fees else 0.0
            fees.append(PercentOfBalanceFee(name=name, annual_rate=annual))
            if not accrue_annual_rate_fees:
                ignored.append(
                    f"fee {name}: AnnualRateFee imported with zero accrual (as the reference output)"
                )
        elif tag == "TargetBalanceFee":
            ignored.append(f"fee {name}: TargetBalanceFee is only calculated (CalcFee), never paid")
        else:
            raise NotImplementedError(f"fee type {tag} is not imported")
        if outstanding and len(fees) > fee_count:
            fees[-1] = OutstandingFee(fee=fees[-1], outstanding=outstanding)
    fee_names = {f.name for f in fees}

    def steps(actions: Sequence[Mapping[str, Any]]) -> list[Step]:
        result: list[Step] = []
        for action in actions:
            tag, args = action["tag"], action.get("contents") or []
            if tag == "PayFee":
                names = tuple(f for f in args[2] if f in fee_names)
                if names:
                    result.append(PayFee(fees=names, source=args[1]))
            elif tag in ("AccrueAndPayInt", "PayInt"):
                result.append(PayInterest(tranches=tuple(args[2]), source=args[1]))
            elif tag in ("PayPrin", "PayPrinResidual"):
                result.append(PayPrincipal(tranches=tuple(args[2]), source=args[1], pro_rata=True))
            elif tag == "PayIntResidual":
                result.append(PayResidual(tranche=args[2], source=args[1]))
            elif tag == "Transfer":
                result.append(Transfer(source=args[1], target=args[2]))
            elif tag == "PayFeeResidual":
                if args[2] in fee_names:
                    result.append(PayFee(fees=(args[2],), source=args[1]))
            elif tag == "LiquidatePool":
                factor = float(args[0]["contents"][0]) if args[0]["tag"] == "BalanceFactor" else 1.0
                result.append(LiquidatePool(price_factor=factor, target=args[1]))
            elif tag == "CalcFee":
                continue
            else:
                raise NotImplementedError(f"waterfall action {tag} is not imported")
        return result

    waterfalls: dict[str, list[Step]] = {
        "pre": steps(body["waterfall"].get("DistributionDay Amortizing", []))
    }
    if clean_up:
        waterfalls["cleanup"] = steps(clean_up)
    for key in body["waterfall"]:
        if key not in ("DistributionDay Amortizing", "CleanUp") and body["waterfall"][key]:
            ignored.append(f"waterfall {key}: only CalcFee steps, no cash effect")
    collections = {}
    for collect in body["collects"]:
        _, source, account = collect["contents"]
        collections[_COLLECTION_SOURCES[source]] = account
    deal = Deal(
        pool=Pool(assets=(pool,)),
        tranches=tranches,
        schedule=PeriodSchedule(
            start=closing, dates=tuple(pay_dates), day_count=DayCount.ACT_365F, accrual_only=accrual_only
        ),
        waterfalls=waterfalls,
        fees=fees,
        accounts=tuple(
            Account(name=name, opening_balance=float(a["accBalance"])) for name, a in body["accounts"].items()
        ),
        collections=collections,
        rounding=FloorToCent(),
        name=str(body.get("name", "absbox deal")),
    )
    return ImportedDeal(
        deal=deal,
        collection_dates=collection_dates,
        pool_rows=tuple(pool_rows),
        ignored=tuple(ignored),
        clean_up_date=clean_up_date,
    )


def index_paths(*, deal: Deal, assumptions: AbsBoxAssumptions) -> dict[str, FloatArray]:
    """Flat index paths for the deal's floating coupons, ready for a ``Scenario``."""
    return {name: np.full(deal.schedule.count, rate) for name, rate in assumptions.index_rates.items()}
