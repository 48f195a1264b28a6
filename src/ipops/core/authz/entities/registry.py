"""Registry assets: owners act, the region office reads and records legal events, grants open one record.

Joint ownership (专利法 art. 14) and encumbrances are checked by the registry's use cases under a row lock;
the rule here says who may start each act at all.
"""

from __future__ import annotations

from ipops.core.authz.entities.common import (
    ADMINISTRATION,
    APPRAISER,
    EVERYONE,
    LENDER,
    MEMBERS,
    NOT_RESTRICTED,
    ORG_ADMIN,
    ORGANISATION,
    REGION_OFFICE,
)
from ipops.core.authz.facts import Action, Visibility
from ipops.core.authz.rules import EntityRule, register_rule
from ipops.core.authz.terms import AllianceMember, Allow, Anyone, Grant, InRegion, Party, VisibilityIn

OWNER = Party("owner")  # an organisation whose share is accepted
INVITEE = Party("invitee")  # an organisation named as owner that has not accepted yet
PLEDGEE = Party("pledgee")  # a bank holding a pledge (reserved or registered) on the asset

OWNER_ACTS = (Allow(ORG_ADMIN, OWNER),)

ASSET = register_rule(
    EntityRule(
        entity="asset",
        actions={
            Action.READ: (
                Allow(EVERYONE, Anyone(), (VisibilityIn(frozenset({Visibility.PUBLIC})),)),
                Allow(MEMBERS, AllianceMember(), (VisibilityIn(frozenset({Visibility.ALLIANCE})),)),
                Allow(ORGANISATION, OWNER),
                Allow(ORGANISATION, INVITEE),
                Allow(LENDER, PLEDGEE),
                Allow(
                    REGION_OFFICE,
                    InRegion(),
                    (VisibilityIn(frozenset({Visibility.ALLIANCE, Visibility.PRIVATE})),),
                ),
                Allow(MEMBERS, Grant(Action.READ)),
            ),
            Action.CREATE: (Allow(ORGANISATION, OWNER), Allow(ADMINISTRATION, InRegion(), (NOT_RESTRICTED,))),
            Action.UPDATE: (Allow(ORGANISATION, OWNER), Allow(ADMINISTRATION, InRegion(), (NOT_RESTRICTED,))),
            Action.RECORD_LEGAL_EVENT: (Allow(ADMINISTRATION, InRegion(), (NOT_RESTRICTED,)),),
            Action.ENCUMBER: (Allow(ADMINISTRATION, InRegion(), (NOT_RESTRICTED,)),),
            Action.TRANSFER: OWNER_ACTS,
            Action.PLEDGE: OWNER_ACTS,
            Action.LICENCE_EXCLUSIVE: OWNER_ACTS,
            Action.LICENCE_NON_EXCLUSIVE: OWNER_ACTS,
            Action.LIST: OWNER_ACTS,
            Action.CONSENT: (Allow(ORG_ADMIN, OWNER), Allow(LENDER, PLEDGEE)),
            Action.ACCEPT_OWNERSHIP: (Allow(ORG_ADMIN, INVITEE),),
            Action.GRANT: (Allow(ORG_ADMIN, OWNER), Allow(ADMINISTRATION, InRegion(), (NOT_RESTRICTED,))),
            Action.APPRAISE: (Allow(APPRAISER, Grant(Action.APPRAISE)),),
            Action.REQUEST_VALUATION: (
                Allow(ORGANISATION, OWNER),
                Allow(LENDER, Grant(Action.READ_VALUATIONS)),
            ),
        },
        refusals={
            Action.CREATE: "Assets are recorded by their owners' accounts and the region's administrators.",
            Action.UPDATE: "Only the owners and the region's administrators may edit this record.",
            Action.RECORD_LEGAL_EVENT: (
                "Legal events come from the IP office: the region's administrators record them."
            ),
            Action.ENCUMBER: "Only the region's administrators record a freeze on an asset.",
            Action.TRANSFER: "Only an administrator of an owner organisation may transfer the asset.",
            Action.PLEDGE: "Only an administrator of an owner organisation may pledge the asset.",
            Action.LICENCE_EXCLUSIVE: "Only an administrator of an owner organisation may license the asset.",
            Action.LICENCE_NON_EXCLUSIVE: (
                "Only an administrator of an owner organisation may license the asset."
            ),
            Action.LIST: "Only an administrator of an owner organisation may list the asset.",
            Action.CONSENT: "Only a co-owner's administrator or the pledgee bank may give this consent.",
            Action.ACCEPT_OWNERSHIP: "Only an administrator of the named organisation may accept its share.",
            Action.GRANT: (
                "Only an owner's administrator or the region's administrators may open this record to others."
            ),
            Action.APPRAISE: "Only an appraiser engaged for this asset may record its appraisal.",
            Action.REQUEST_VALUATION: (
                "Only the owners, or a bank reviewing the asset, may request its valuation."
            ),
        },
    )
)
