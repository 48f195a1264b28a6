"""Helpers for HTML forms: turning validation and domain errors into lines a person can read."""

from __future__ import annotations

from fastapi import Request
from pydantic import ValidationError

from ipops.core.errors import DomainError, error_title
from ipops.web.deps import request_locale
from ipops.web.i18n import domain_detail


def error_lines(request: Request, exc: Exception) -> list[str]:
    """Readable messages for a failed form: one per invalid field, or the translated domain error."""
    if isinstance(exc, ValidationError):
        return [f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()]
    if isinstance(exc, DomainError):
        locale = request_locale(request)
        detail = domain_detail(exc, locale)
        return [error_title(exc.code, locale) + (f": {detail}" if detail else "")]
    return [str(exc)]


def split_list(value: str) -> list[str]:
    """Comma-, semicolon- or full-width-comma-separated form input as a list of trimmed parts."""
    return [part.strip() for part in value.replace("，", ",").replace(";", ",").split(",") if part.strip()]
