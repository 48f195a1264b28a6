"""PDFs carry their own CJK font: Chinese renders with no system font, and a missing glyph refuses the PDF."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from ipops.core.errors import DomainError, ErrorCode, error_title
from ipops.core.pdf import FONT_FILE, font_characters, html_to_pdf, missing_characters

# Rendered in a child process whose fontconfig knows no font at all (as on a machine without CJK fonts).
CHILD = textwrap.dedent(
    """
    import datetime as dt, sys
    from decimal import Decimal
    from ipops.reports import render
    from ipops.reports.builder import ReportInputs, ReportRegion, build_report
    from ipops.reports.figures import Figure, Source, SourceKind

    cnipa = Source(SourceKind.OFFICIAL, "国家知识产权局 2016 年 12 月统计 表 8", dt.date(2016, 12, 31), "t8")
    nbs = Source(SourceKind.POPULATION, "国家统计局 E0103", dt.date(2016, 12, 31), "e0103")
    official = [
        Figure("invention_in_force", "320000", 2016, Decimal(146859), cnipa),
        Figure("population", "320000", 2016, Decimal(8381), nbs),
    ]
    members = [ReportRegion("320000", "江苏省", "Jiangsu", "province"),
               ReportRegion("320500", "苏州市", "Suzhou", "city", "320000")]
    report = build_report(ReportInputs("yrd", "长三角示例联盟", "YRD sample", 2016, members, official))
    sys.stdout.buffer.write(render.render_pdf(report))
    """
)


def _no_fonts_environment(tmp_path: Path) -> dict[str, str]:
    config = tmp_path / "fonts.conf"
    config.write_text(
        f'<?xml version="1.0"?><fontconfig><cachedir>{tmp_path / "cache"}</cachedir></fontconfig>',
        encoding="utf-8",
    )
    return {**os.environ, "FONTCONFIG_FILE": str(config), "FONTCONFIG_PATH": str(tmp_path)}


def test_the_report_pdf_renders_chinese_with_the_bundled_font_only(tmp_path: Path) -> None:
    from pypdf import PdfReader

    env = _no_fonts_environment(tmp_path)
    listed = subprocess.run(["fc-list"], env=env, capture_output=True, text=True, check=False)
    assert listed.stdout.strip() == ""  # the child really sees no system font
    done = subprocess.run(
        [sys.executable, "-c", CHILD], env=env, capture_output=True, check=False, timeout=300
    )
    assert done.returncode == 0, done.stderr.decode()[-2000:]
    reader = PdfReader(io.BytesIO(done.stdout))
    text = "\n".join(page.extract_text() for page in reader.pages)
    # A glyph drawn as .notdef has no text mapping, so every character extracted was drawn from the font.
    for expected in (
        "长三角示例联盟",
        "主要指标",
        "有效发明专利量",
        "江苏省",
        "146,859",
        "17.52",
        "暂无数据",
    ):
        assert expected in text, expected
    fonts = set()
    for page in reader.pages:
        resources = page["/Resources"]
        for font in resources.get("/Font", {}).values():
            fonts.add(str(font.get_object()["/BaseFont"]))
    assert fonts and all("ipops-Sans-SC" in name for name in fonts), fonts
    assert b".notdef glyph rendered" not in done.stderr


def test_a_character_outside_the_font_refuses_the_pdf() -> None:
    rare = "\U0002000b"  # 𠀋, CJK Extension B: not in the bundled GB 2312 subset
    assert ord("江") in font_characters() and ord(rare) not in font_characters()
    with pytest.raises(DomainError) as refused:
        html_to_pdf(f"<html><body><p>申请人：{rare}记公司</p></body></html>")
    assert refused.value.code == ErrorCode.PDF_GLYPHS_MISSING
    assert refused.value.detail == f"{rare} (U+2000B)"
    assert error_title(ErrorCode.PDF_GLYPHS_MISSING, "zh_CN") == "PDF 字体缺少以下字符，未生成 PDF"
    # SVG text is checked as well as HTML text
    with pytest.raises(DomainError):
        html_to_pdf(
            f'<html><body><svg xmlns="http://www.w3.org/2000/svg"><text>{rare}</text></svg></body></html>'
        )


def test_a_glyph_that_falls_back_to_another_font_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    import ipops.core.pdf as pdf

    # Pretend the font has 龘 so the text check passes: the drawn document still may not use another font.
    extended = font_characters() | {ord("龘")}
    monkeypatch.setattr(pdf, "font_characters", lambda path=FONT_FILE: extended)
    assert missing_characters("龘") == []
    with pytest.raises(DomainError) as refused:
        html_to_pdf("<html><body><p>龘</p></body></html>")
    assert "龘" in refused.value.detail


def test_the_bundled_font_is_small_licensed_and_renamed() -> None:
    from fontTools.ttLib import TTFont

    assert FONT_FILE.stat().st_size < 2_500_000
    licence = (FONT_FILE.parent / "OFL.txt").read_text(encoding="utf-8")
    assert "SIL OPEN FONT LICENSE Version 1.1" in licence and "Reserved Font Name 'Source'" in licence
    with TTFont(str(FONT_FILE)) as font:
        names = {n.nameID: n.toUnicode() for n in font["name"].names if n.platformID == 3}
    assert names[1] == "ipops Sans SC" and "Source" not in names[1] and "Noto" not in names[1]
    assert "Open Font License" in names[13]
    # Every region name of the GB/T 2260 table renders
    codes = (FONT_FILE.parents[1] / "gbt2260_2023.csv").read_text(encoding="utf-8")
    assert missing_characters(codes) == []
