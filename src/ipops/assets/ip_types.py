"""The registry's vocabulary: IP types, statutory terms, legal statuses and event kinds (shared by other
domains' schemas, so it lives apart from the ORM models)."""

from __future__ import annotations

from enum import StrEnum


class IpType(StrEnum):
    """Every IP type the registry holds."""

    INVENTION = "invention"
    UTILITY_MODEL = "utility_model"
    DESIGN = "design"
    TRADEMARK = "trademark"
    COPYRIGHT_WORK = "copyright_work"
    SOFTWARE_COPYRIGHT = "software_copyright"
    TRADE_SECRET = "trade_secret"  # noqa: S105 - an IP type name
    IC_LAYOUT = "ic_layout"
    GEOGRAPHICAL_INDICATION = "geographical_indication"
    PLANT_VARIETY = "plant_variety"


PATENT_TYPES = frozenset({IpType.INVENTION, IpType.UTILITY_MODEL, IpType.DESIGN})

# Statutory terms used to derive expiry (China: Patent Law art. 42 as amended 2020, Trademark Law art. 39,
# Copyright Law art. 23, IC Layout Regulations art. 12, Plant Variety Regulations art. 34).
TERM_YEARS: dict[IpType, int] = {
    IpType.INVENTION: 20,
    IpType.UTILITY_MODEL: 10,
    IpType.DESIGN: 15,
    IpType.TRADEMARK: 10,
    IpType.IC_LAYOUT: 10,
    IpType.PLANT_VARIETY: 20,
    IpType.SOFTWARE_COPYRIGHT: 50,
    IpType.COPYRIGHT_WORK: 50,
}


class LegalStatus(StrEnum):
    """Where an asset stands in law."""

    PENDING = "pending"
    PUBLISHED = "published"
    GRANTED = "granted"  # granted patent, registered mark, registered work or variety
    LAPSED = "lapsed"  # non-payment of annuity or no renewal
    EXPIRED = "expired"
    INVALIDATED = "invalidated"
    WITHDRAWN = "withdrawn"
    REJECTED = "rejected"
    PROTECTED = "protected"  # rights without registration: trade secrets, unregistered works


IN_FORCE = frozenset({LegalStatus.GRANTED, LegalStatus.PROTECTED})


class EventKind(StrEnum):
    """Events in an asset's life."""

    FILED = "filed"
    PUBLISHED = "published"
    GRANTED = "granted"
    RENEWED = "renewed"
    LAPSED = "lapsed"
    TRANSFERRED = "transferred"
    LICENSED = "licensed"
    PLEDGED = "pledged"
    PLEDGE_RELEASED = "pledge_released"
    INVALIDATED = "invalidated"
    RESTORED = "restored"
    UPDATED = "updated"
