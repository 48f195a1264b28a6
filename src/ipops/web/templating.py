"""Jinja2 templates with the request's translations, principal and helpers in every context."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from jinja2 import pass_context
from jinja2.runtime import Context

from ipops.core.authz import may_ever
from ipops.web.deps import current_principal, request_locale
from ipops.web.i18n import gettext_for
from ipops.web.regions import in_picker, picker_groups, region_label

templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
templates.env.autoescape = True


@pass_context
def _region(context: Context, code: str | None) -> str:
    """A region's name in the language being rendered (pages and the PDF documents alike)."""
    return region_label(code, locale=str(context.get("locale") or "zh_CN"))


templates.env.globals["region"] = _region


def render(
    request: Request, template: str, context: dict[str, Any] | None = None, *, status_code: int = 200
) -> HTMLResponse:
    """Render a page in the request's language."""
    locale = request_locale(request)
    translations = gettext_for(locale)
    principal = current_principal(request)
    full_context: dict[str, Any] = {
        "_": translations.gettext,
        "ngettext": translations.ngettext,
        "locale": locale,
        "principal": principal,
        # menus ask the policy whether the role may ever take an action (`may("loan", "create")`)
        "may": lambda entity, action: may_ever(principal, entity, action),
        "display_name": getattr(request.state, "display_name", principal.username),
        "is_htmx": request.headers.get("hx-request") == "true",
        "region_groups": picker_groups(locale),
        "region_in_picker": lambda code: in_picker(code, locale=locale),
    }
    full_context.update(context or {})
    return templates.TemplateResponse(request, template, full_context, status_code=status_code)
