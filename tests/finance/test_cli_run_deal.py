"""`ipops finance run-deal`: stored runs and AbsBox deals are accepted, anything else is refused clearly."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ipops.cli import app

runner = CliRunner()


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_absbox_deal_file_runs_and_prints_its_bonds(shared_data: Path, tmp_path: Path) -> None:
    request = shared_data / "finance" / "absbox_china_golden" / "request" / "test01.json"
    if not request.is_file():
        pytest.skip(f"AbsBox golden deals not found under {request.parent}")
    out = tmp_path / "flows.csv"
    result = runner.invoke(app, ["finance", "run-deal", str(request), "--csv", str(out)])
    assert result.exit_code == 0, result.output
    assert "KeyError" not in result.output
    assert "A1" in result.output and "Senior/Junior" in result.output
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "date,bond,balance,interest_paid,principal_paid,currency"
    # the golden response (test01.out.json) pays A1 its first principal on 2022-04-26
    assert "2022-04-26,A1,93.30,0.67,6.70,CNY" in lines


def test_bare_absbox_body_is_accepted_too(shared_data: Path, tmp_path: Path) -> None:
    request = shared_data / "finance" / "absbox_china_golden" / "request" / "test01.json"
    if not request.is_file():
        pytest.skip(f"AbsBox golden deals not found under {request.parent}")
    body = tmp_path / "body.json"
    body.write_text(json.dumps(json.loads(request.read_text(encoding="utf-8"))["contents"]), encoding="utf-8")
    result = runner.invoke(app, ["finance", "run-deal", str(body)])
    assert result.exit_code == 0, result.output


def test_unknown_json_is_refused_with_a_catalogued_message(tmp_path: Path) -> None:
    path = tmp_path / "other.json"
    path.write_text(json.dumps({"name": "not a deal", "bonds": {}}), encoding="utf-8")
    result = runner.invoke(app, ["finance", "run-deal", str(path)])
    assert result.exit_code == 2
    text = _flat(result.output)
    assert "KeyError" not in text and "Traceback" not in text
    assert "交易文件既不是已保存的测算" in text
    assert "nor an AbsBox deal (MDeal)" in text


def test_broken_json_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text("{not json", encoding="utf-8")
    result = runner.invoke(app, ["finance", "run-deal", str(path)])
    assert result.exit_code == 2
    assert "cannot be read as JSON" in _flat(result.output)


def test_absbox_feature_not_imported_is_refused_with_its_name(tmp_path: Path) -> None:
    deal = {
        "tag": "MDeal",
        "contents": {
            "name": "custom dates",
            "dates": {"tag": "CustomDates", "contents": ["2024-01-01", [], "2024-01-15", []]},
            "pool": {"tag": "MultiPool", "contents": {}},
            "bonds": {},
            "waterfall": {},
        },
    }
    path = tmp_path / "custom.json"
    path.write_text(json.dumps(deal), encoding="utf-8")
    result = runner.invoke(app, ["finance", "run-deal", str(path)])
    assert result.exit_code == 2
    text = _flat(result.output)
    assert "AbsBox 交易使用了尚不支持导入的功能" in text and "CustomDates" in text
