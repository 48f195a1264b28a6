"""Where the reports domain finds its bundled files and the shared real data."""

from __future__ import annotations

from pathlib import Path

from ipops.core.paths import BUNDLED_DATA_DIR, shared_data_dir

REPORTS_DATA_DIR = BUNDLED_DATA_DIR / "reports"
SEED_AUDIT_FILE = REPORTS_DATA_DIR / "seed_audit.toml"
NATIONAL_STATISTICS_CSV = REPORTS_DATA_DIR / "national_statistics.csv"
CNIPA_STATISTICS_CSV = REPORTS_DATA_DIR / "cnipa_provincial_statistics.csv"
NBS_POPULATION_CSV = REPORTS_DATA_DIR / "nbs_population_e0103.csv"
NBS_POPULATION_NAME = "nbs_province_yearend_population_2005_2024_PyPSA-China-PIK.csv"


def shared_population_csv() -> Path:
    """The NBS provincial population table in the shared data folder (read there, never bundled)."""
    return shared_data_dir() / "statistics" / NBS_POPULATION_NAME
