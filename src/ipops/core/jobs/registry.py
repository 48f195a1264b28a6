"""Job kinds: each names its handler and its bilingual label, registered where the work lives."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ipops.core.jobs.context import JobContext

JobHandler = Callable[["JobContext"], dict[str, Any]]
ResultLines = Callable[[dict[str, Any], str], list[tuple[str, str]]]


@dataclass(frozen=True, slots=True)
class JobKind:
    """A kind of job: its handler, its label in both languages and how its result is shown."""

    name: str
    label_zh: str
    label_en: str
    handler: JobHandler
    result_url: Callable[[dict[str, Any]], str | None] | None = None  # where the finished result lives
    result_lines: ResultLines | None = None  # (label, value) rows for the job page, in the locale

    def label(self, locale: str) -> str:
        """The kind's name in the interface language."""
        return self.label_zh if locale.startswith("zh") else self.label_en


JOB_KINDS: dict[str, JobKind] = {}


def job_kind(
    name: str,
    *,
    zh: str,
    en: str,
    result_url: Callable[[dict[str, Any]], str | None] | None = None,
    result_lines: ResultLines | None = None,
) -> Callable[[JobHandler], JobHandler]:
    """Register the decorated function as the handler of job kind `name`."""

    def register(handler: JobHandler) -> JobHandler:
        existing = JOB_KINDS.get(name)
        if existing is not None and existing.handler is not handler:
            raise ValueError(f"job kind {name} is registered twice")
        JOB_KINDS[name] = JobKind(
            name=name,
            label_zh=zh,
            label_en=en,
            handler=handler,
            result_url=result_url,
            result_lines=result_lines,
        )
        return handler

    return register


def kind_label(name: str, locale: str) -> str:
    """A job kind's label, or its name when the kind is not loaded in this process."""
    kind = JOB_KINDS.get(name)
    return kind.label(locale) if kind else name
