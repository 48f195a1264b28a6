"""Wire models for pledge financing and securitisation deals (defined in each section's `schemas`)."""

from ipops.finance.pledge.schemas import *  # noqa: F403 - one import point for routes, pages and exports
from ipops.finance.schema_types import *  # noqa: F403
from ipops.finance.securitisation.schemas import *  # noqa: F403
