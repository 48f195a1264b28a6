"""Build the bundled PDF font: a subset of Noto Sans CJK SC (SIL OFL 1.1), renamed as the OFL asks.

Run it only when the character set must grow (the output is committed):

    apt-get install fonts-noto-cjk
    .venv/bin/python scripts/build_cjk_font.py [--extra-chars "𠀋…"]

The subset holds every character of GB 2312 (6,763 hanzi and 682 symbols), Basic Latin, Latin-1 and Latin
Extended-A, general punctuation, arrows, mathematical operators, CJK symbols and punctuation, enclosed
numbers, geometric shapes, full-width forms, and every character of the project's own texts (catalogues,
templates, bundled data such as the GB/T 2260 names), so that region and organisation names render.
A subset is a Modified Version under the OFL: it keeps the copyright and licence fields and takes a name
without the Reserved Font Name ("Source") and without Google's trademark "Noto".
"""

from __future__ import annotations

import argparse
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTCollection, TTFont

SOURCE = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
SOURCE_FACE = "Noto Sans CJK SC"
REPO = Path(__file__).resolve().parent.parent
TARGET = REPO / "src" / "ipops" / "data" / "fonts" / "IpopsSansSC-Regular.woff2"
FAMILY = "ipops Sans SC"
POSTSCRIPT = "IpopsSansSC-Regular"
RANGES = (
    (0x0020, 0x007E),  # Basic Latin
    (0x00A0, 0x017F),  # Latin-1 Supplement, Latin Extended-A
    (0x0391, 0x03C9),  # Greek letters
    (0x2000, 0x206F),  # General Punctuation
    (0x2100, 0x214F),  # Letterlike Symbols (℃, №)
    (0x2150, 0x218F),  # Number Forms
    (0x2190, 0x21FF),  # Arrows
    (0x2200, 0x22FF),  # Mathematical Operators
    (0x2460, 0x24FF),  # Enclosed Alphanumerics
    (0x2500, 0x257F),  # Box Drawing
    (0x25A0, 0x25FF),  # Geometric Shapes
    (0x2600, 0x26FF),  # Miscellaneous Symbols (⚠)
    (0x2700, 0x27BF),  # Dingbats (✓ ✗)
    (0x3000, 0x303F),  # CJK Symbols and Punctuation
    (0xFF00, 0xFFEF),  # Halfwidth and Fullwidth Forms
)
OWN_TEXTS = ("*.po", "*.html", "*.css", "*.csv", "*.toml", "*.py")


def gb2312() -> set[str]:
    """Every character GB 2312 encodes (decoded with Python's own codec, so no table file is needed)."""
    chars: set[str] = set()
    for high in range(0xA1, 0xF8):
        for low in range(0xA1, 0xFF):
            try:
                chars.add(bytes((high, low)).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    return chars


def own_characters() -> set[str]:
    """Every character in the package's catalogues, templates and bundled data."""
    chars: set[str] = set()
    package = REPO / "src" / "ipops"
    for pattern in OWN_TEXTS:
        for path in package.rglob(pattern):
            chars |= set(path.read_text(encoding="utf-8", errors="ignore"))
    return chars


def source_face() -> TTFont:
    """The Simplified Chinese face of Debian's Noto Sans CJK collection."""
    for font in TTCollection(str(SOURCE)).fonts:
        if font["name"].getDebugName(1) == SOURCE_FACE:
            return font
    raise SystemExit(f"{SOURCE_FACE} is not in {SOURCE}")


def rename(font: TTFont) -> None:
    """Give the subset its own names; keep the copyright (0), licence (13) and licence URL (14)."""
    table = font["name"]
    version = table.getDebugName(5) or ""
    names = {
        1: FAMILY,
        2: "Regular",
        3: f"{POSTSCRIPT};{version.split(';')[0]}",
        4: f"{FAMILY} Regular",
        5: f"{version.split(';')[0]}; subset of {SOURCE_FACE} by ipops",
        6: POSTSCRIPT,
        10: f"A subset of {SOURCE_FACE} (SIL Open Font License 1.1), renamed as a Modified Version.",
        16: FAMILY,
        17: "Regular",
    }
    keep = {0, 13, 14}
    table.names = [n for n in table.names if n.nameID in keep]
    for name_id, text in names.items():
        table.setName(text, name_id, 3, 1, 0x409)
        table.setName(text, name_id, 1, 0, 0)
    cff = font["CFF "].cff
    cff.fontNames = [POSTSCRIPT]
    top = cff.topDictIndex[0]
    for key in ("FullName", "FamilyName"):
        if hasattr(top, key):
            setattr(top, key, FAMILY if key == "FamilyName" else f"{FAMILY} Regular")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--extra-chars", default="", help="more characters to include")
    args = parser.parse_args()
    font = source_face()
    cmap = font.getBestCmap()
    wanted = {ord(c) for c in gb2312() | own_characters() | set(args.extra_chars)}
    for low, high in RANGES:
        wanted |= set(range(low, high + 1))
    unicodes = sorted(u for u in wanted if u in cmap)
    options = subset.Options()
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.hinting = False
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=unicodes)
    subsetter.subset(font)
    rename(font)
    font.flavor = "woff2"
    TARGET.parent.mkdir(parents=True, exist_ok=True)
    font.save(str(TARGET))
    print(f"{TARGET.relative_to(REPO)}: {len(unicodes):,} characters, {TARGET.stat().st_size:,} bytes")


if __name__ == "__main__":
    main()
