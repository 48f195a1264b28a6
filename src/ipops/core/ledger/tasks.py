"""Ledger background work: a full verification as a job, with progress, for alliance administrators."""

from __future__ import annotations

from typing import Any

from ipops.core.jobs import JobContext, job_kind
from ipops.core.ledger.verify import verify_ledger

VERIFY_JOB = "ledger.verify"
PROBLEMS_SHOWN = 50


def _result_lines(result: dict[str, Any], locale: str) -> list[tuple[str, str]]:
    zh = locale.startswith("zh")
    labels = (
        ("entries", "分录", "Journal entries"),
        ("transfers", "转账", "Transfers"),
        ("accounts", "账户", "Accounts"),
        ("problem_count", "发现的问题", "Problems found"),
    )
    lines = [(zh_label if zh else en_label, str(result.get(key, ""))) for key, zh_label, en_label in labels]
    for problem in result.get("problems", []):
        lines.append((str(problem.get("check")), f"{problem.get('subject')}: {problem.get('detail')}"))
    return lines


@job_kind(VERIFY_JOB, zh="账本核对", en="Ledger verification", result_lines=_result_lines)
def verify_ledger_job(ctx: JobContext) -> dict[str, Any]:
    """Re-check every entry and balance; the result lists what is wrong."""
    with ctx.uow() as uow:
        check = verify_ledger(uow.session, progress=lambda done, total: ctx.progress(done, total))
        # Ends the read transaction as committed, so progress written meanwhile stands even when both
        # share one connection (tests run on savepoints of a single connection).
        uow.commit()
    return {
        "ok": check.ok,
        "entries": check.entries,
        "transfers": check.transfers,
        "accounts": check.accounts,
        "problem_count": len(check.problems),
        "problems": [
            {"check": p.check, "subject": p.subject, "detail": p.detail}
            for p in check.problems[:PROBLEMS_SHOWN]
        ],
    }
