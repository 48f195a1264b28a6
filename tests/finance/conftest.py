"""Fixtures of the cash-flow engine tests."""

from __future__ import annotations

import pytest
from tests.finance.deals import royalty_deal

from ipops.finance.cashflow import Deal


@pytest.fixture
def deal() -> Deal:
    """The 3-tranche royalty deal."""
    return royalty_deal()
