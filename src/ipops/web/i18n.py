"""Bilingual interface: Babel catalogues (zh_CN first, then en) compiled in memory at start-up."""

from __future__ import annotations

import io
from functools import cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

from ipops.core.errors import DomainError

LOCALES_DIR = Path(__file__).parent / "locales"
SUPPORTED_LOCALES = ("zh_CN", "en")
DEFAULT_LOCALE = "zh_CN"


@cache
def translations(locale: str) -> Translations:
    """The compiled catalogue for a locale (from its .po, so no build step can be forgotten)."""
    po_path = LOCALES_DIR / locale / "LC_MESSAGES" / "messages.po"
    if not po_path.exists():
        return Translations()
    with po_path.open("rb") as po_file:
        catalog = read_po(po_file, locale=locale)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(fp=buffer)


def normalise_locale(value: str | None) -> str | None:
    """Map 'zh', 'zh-CN', 'zh_Hans', 'en-US'... to a supported locale, or None."""
    if not value:
        return None
    tag = value.strip().replace("-", "_").lower()
    if tag.startswith("zh"):
        return "zh_CN"
    if tag.startswith("en"):
        return "en"
    return None


def negotiate(
    *, explicit: str | None, user_pref: str | None, accept_language: str | None, default: str
) -> str:
    """Pick the locale: explicit choice (query, cookie, header), user preference, then Accept-Language."""
    for candidate in (explicit, user_pref):
        chosen = normalise_locale(candidate)
        if chosen:
            return chosen
    if accept_language:
        weighted: list[tuple[float, str]] = []
        for part in accept_language.split(","):
            tag, _, q = part.strip().partition(";q=")
            try:
                weight = float(q) if q else 1.0
            except ValueError:
                weight = 0.0
            chosen = normalise_locale(tag)
            if chosen:
                weighted.append((weight, chosen))
        if weighted:
            return max(weighted, key=lambda pair: pair[0])[1]
    return default


def gettext_for(locale: str) -> Translations:
    """The translations object whose .gettext the templates call as _()."""
    return translations(locale)


def domain_detail(exc: DomainError, locale: str) -> str:
    """An error's detail in the locale: its catalogue message if it has one, else its own text."""
    if exc.msgid:
        text = gettext_for(locale).gettext(exc.msgid)
        return text % exc.msgargs if exc.msgargs else text
    return exc.detail
