"""Domain boundaries: a domain reaches another only through its service, and finance is split by section."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "ipops"
DOMAINS = ("alliance", "assets", "finance", "lake", "reports", "valuation")


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


@pytest.mark.parametrize("domain", DOMAINS)
def test_no_domain_imports_another_domains_models(domain: str) -> None:
    offences = []
    for path in sorted((SRC / domain).rglob("*.py")):
        for module in _imports(path):
            parts = module.split(".")
            if len(parts) >= 3 and parts[0] == "ipops" and parts[1] in DOMAINS and parts[1] != domain:
                if "models" in parts[2:]:
                    offences.append(f"{path.relative_to(SRC)} imports {module}")
    assert offences == []


@pytest.mark.parametrize(
    "module",
    [
        "ipops.finance.pledge.policy",
        "ipops.finance.pledge.appraisals",
        "ipops.finance.pledge.loans",
        "ipops.finance.pledge.monitor",
        "ipops.finance.securitisation.contracts",
        "ipops.finance.securitisation.pools",
        "ipops.finance.securitisation.deals",
        "ipops.finance.securitisation.runs",
    ],
)
def test_finance_is_split_along_its_sections(module: str) -> None:
    importlib.import_module(module)


def test_no_file_in_finance_carries_banner_sections() -> None:
    for path in sorted((SRC / "finance").rglob("*.py")):
        banners = path.read_text(encoding="utf-8").count("# " + "-" * 40)
        assert banners == 0, path.relative_to(SRC)
