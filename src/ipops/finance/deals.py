"""The securitisation use cases, under the name the exports and the CLI import them by.

They live in `ipops.finance.securitisation` (contracts, deals, pools, runs); this module only re-exports.
"""

from ipops.finance.securitisation import *  # noqa: F403 - a deliberate re-export
from ipops.finance.securitisation import __all__ as __all__
