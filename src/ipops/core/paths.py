"""Where the project finds its bundled data and the shared real-data folder."""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent.parent
BUNDLED_DATA_DIR = PACKAGE_DIR / "data"
REPO_DIR = PACKAGE_DIR.parent.parent


def shared_data_dir() -> Path:
    """The shared real-data folder: $IPOPS_SHARED_DATA, else ../shared/data beside the checkout."""
    configured = os.environ.get("IPOPS_SHARED_DATA")
    return Path(configured) if configured else REPO_DIR.parent / "shared" / "data"
