"""HTML to PDF with the bundled CJK font only, refusing to write a PDF in which any glyph would be missing.

Every PDF is set in the font bundled with the package (a subset of Noto Sans CJK SC, SIL OFL 1.1), loaded by
@font-face and forced on every element, SVG text included, so the output never depends on the fonts a
machine happens to have. Two checks guard it: before rendering, every character of the document's text must
be in the bundled font; after rendering, every font WeasyPrint used must be the bundled one and none may
have drawn a .notdef box.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from pathlib import Path

from ipops.core.errors import DomainError, ErrorCode
from ipops.core.paths import BUNDLED_DATA_DIR

FONT_DIR = BUNDLED_DATA_DIR / "fonts"
FONT_FILE = FONT_DIR / "IpopsSansSC-Regular.woff2"
FONT_FAMILY = "ipops Sans SC"
SHOWN_MISSING = 20  # characters named in the refusal; the count says how many more there are
_NOT_DRAWN = frozenset({"Cc", "Cf", "Zl", "Zp", "Mn"})  # controls, format marks, separators, combining


@cache
def font_characters(path: Path = FONT_FILE) -> frozenset[int]:
    """The code points a font file maps to glyphs."""
    from fontTools.ttLib import TTFont  # type: ignore[import-untyped]

    with TTFont(str(path)) as font:
        return frozenset(font.getBestCmap())


def font_face_css() -> str:
    """The stylesheet that loads the bundled font and sets it on every element, SVG text included."""
    return (
        f'@font-face {{ font-family: "{FONT_FAMILY}"; src: url("{FONT_FILE.as_uri()}") format("woff2"); }}\n'
        f'*, *::before, *::after {{ font-family: "{FONT_FAMILY}" !important; }}\n'
    )


def document_text(html: str) -> str:
    """The text a document shows: its body's text nodes (SVG text included), not styles or scripts."""
    import lxml.html

    root = lxml.html.document_fromstring(html)
    for element in list(root.iter("style", "script", "head")):
        parent = element.getparent()
        if parent is not None:
            parent.remove(element)
    return "".join(str(part) for part in root.itertext())


def missing_characters(text: str, available: frozenset[int] | None = None) -> list[str]:
    """The characters of a text that the bundled font cannot draw, in order of first use."""
    have = font_characters() if available is None else available
    missing: dict[str, None] = {}
    for char in text:
        if char.isspace() or unicodedata.category(char) in _NOT_DRAWN:
            continue
        if ord(char) not in have:
            missing.setdefault(char, None)
    return list(missing)


def _refuse(characters: list[str]) -> DomainError:
    shown = " ".join(f"{c} (U+{ord(c):04X})" for c in characters[:SHOWN_MISSING])
    more = len(characters) - SHOWN_MISSING
    return DomainError(
        ErrorCode.PDF_GLYPHS_MISSING,
        shown + (f" … +{more}" if more > 0 else ""),
        characters=["".join(characters)],
    )


_FONT_ATTRIBUTE = re.compile(r"""font-family\s*=\s*("[^"]*"|'[^']*')""")


def with_bundled_font(html: str) -> str:
    """The document with every font-family attribute (SVG text) naming the bundled font.

    WeasyPrint draws inline SVG from the SVG's own attributes, which the stylesheet does not override.
    """
    return _FONT_ATTRIBUTE.sub(f"font-family=\"'{FONT_FAMILY}'\"", html)


def html_to_pdf(html: str, *, base_url: str | None = None) -> bytes:
    """Render HTML to PDF in the bundled font; raise PDF_GLYPHS_MISSING rather than write a box."""
    html = with_bundled_font(html)
    missing = missing_characters(document_text(html))
    if missing:
        raise _refuse(missing)
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    fonts = FontConfiguration()
    document = HTML(string=html, base_url=base_url).render(
        stylesheets=[CSS(string=font_face_css(), font_config=fonts)], font_config=fonts
    )
    pdf = bytes(document.write_pdf())
    drawn_missing: list[str] = []
    for font in getattr(document, "fonts", {}).values():
        drawn_missing += [chr(c) for c in getattr(font, "missing", {})]
        if getattr(font, "family", FONT_FAMILY) != FONT_FAMILY:
            # Another font was used: a character fell back to a system font, which a fresh machine lacks.
            drawn_missing += [t for t in getattr(font, "to_unicode", {}).values() if t.strip()]
    if drawn_missing:
        raise _refuse(list(dict.fromkeys(drawn_missing)))
    return pdf
