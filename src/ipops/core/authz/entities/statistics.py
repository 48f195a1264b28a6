"""Imported statistics tables: public ones for everybody, the rest for the alliance; the office imports."""

from __future__ import annotations

from ipops.core.authz.entities.common import ADMINISTRATION, EVERYONE, MEMBERS, NOT_RESTRICTED
from ipops.core.authz.facts import Action, Visibility
from ipops.core.authz.rules import EntityRule, register_rule
from ipops.core.authz.terms import AllianceMember, Allow, Anyone, InRegion, VisibilityIn

STATISTICS_DATASET = register_rule(
    EntityRule(
        entity="statistics_dataset",
        actions={
            Action.READ: (
                Allow(EVERYONE, Anyone(), (VisibilityIn(frozenset({Visibility.PUBLIC})),)),
                Allow(MEMBERS, AllianceMember()),
            ),
            Action.CREATE: (Allow(ADMINISTRATION, InRegion(), (NOT_RESTRICTED,)),),
            Action.DELETE: (Allow(ADMINISTRATION, InRegion(), (NOT_RESTRICTED,)),),
        },
        refusals={
            Action.CREATE: "Only the administrators of the table's region may import it.",
            Action.DELETE: "Only the administrators of the table's region may remove it.",
        },
    )
)
