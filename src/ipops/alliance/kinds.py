"""The kinds of organisation that take part in an alliance (shared with other domains' schemas)."""

from __future__ import annotations

from enum import StrEnum


class OrgKind(StrEnum):
    """What kind of organisation takes part in the alliance."""

    ENTERPRISE = "enterprise"
    UNIVERSITY = "university"  # university or research institute
    FINANCIER = "financier"  # bank, guarantor, fund
    SERVICE_AGENCY = "service_agency"
    LAW_FIRM = "law_firm"
    APPRAISER = "appraiser"
    OPERATION_CENTRE = "operation_centre"
    PROTECTION_CENTRE = "protection_centre"
    ASSISTANCE_CENTRE = "assistance_centre"  # rights-protection assistance centre
    IP_OFFICE = "ip_office"  # a city or provincial IP administration
