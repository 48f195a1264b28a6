"""Enum values shown in the interface, marked here so that Babel extracts them into the catalogues."""

from __future__ import annotations


def N_(message: str) -> str:  # noqa: N802 - the gettext convention for "mark, don't translate yet"
    """Mark a string for extraction."""
    return message


ENUM_LABELS = (
    # roles
    N_("alliance_admin"),
    N_("region_admin"),
    N_("centre_staff"),
    N_("org_admin"),
    N_("org_member"),
    N_("appraiser"),
    N_("financier"),
    N_("public"),
    # IP types
    N_("invention"),
    N_("utility_model"),
    N_("design"),
    N_("trademark"),
    N_("copyright_work"),
    N_("software_copyright"),
    N_("trade_secret"),
    N_("ic_layout"),
    N_("geographical_indication"),
    N_("plant_variety"),
    # legal status
    N_("pending"),
    N_("published"),
    N_("granted"),
    N_("lapsed"),
    N_("expired"),
    N_("invalidated"),
    N_("withdrawn"),
    N_("rejected"),
    N_("protected"),
    # events
    N_("filed"),
    N_("renewed"),
    N_("transferred"),
    N_("licensed"),
    N_("pledged"),
    N_("pledge_released"),
    N_("restored"),
    N_("updated"),
    # lake document types and OECD indicators
    N_("plant"),
    N_("reissue"),
    N_("forward_citations_window"),
    N_("backward_citations"),
    N_("family_size"),
    N_("claims"),
    N_("patent_scope"),
    N_("originality"),
    N_("generality"),
    N_("radicalness"),
    N_("grant_lag_days"),
    # statistics table kinds and visibilities
    N_("official"),
    N_("population"),
    N_("alliance"),
    # organisation kinds
    N_("enterprise"),
    N_("university"),
    N_("service_agency"),
    N_("law_firm"),
    N_("operation_centre"),
    N_("protection_centre"),
    N_("assistance_centre"),
    N_("ip_office"),
    # visibility
    N_("alliance"),
    N_("private"),
    N_("restricted"),
)
