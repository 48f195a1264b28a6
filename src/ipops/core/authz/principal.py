"""Who is acting: the account, its role and the tenancy it acts in."""

from __future__ import annotations

from dataclasses import dataclass

from ipops.core.authz.roles import Role, RoleSpec, Tenancy, role_spec


@dataclass(frozen=True, slots=True)
class Principal:
    """A signed-in account, the anonymous visitor, or the system acting for the platform itself."""

    user_id: int | None
    username: str
    role: str
    alliance_id: int | None = None
    region_code: str | None = None
    org_id: int | None = None
    system: bool = False  # the platform's own work (CLI bootstrap, sample loading, monitors)

    @property
    def is_authenticated(self) -> bool:
        """Whether this is a signed-in account (or the system) rather than an anonymous visitor."""
        return self.user_id is not None or self.system

    @property
    def spec(self) -> RoleSpec:
        """The role's registered spec."""
        return role_spec(self.role)

    @property
    def tenancy(self) -> Tenancy:
        """What the principal acts for; anonymous visitors act for nothing."""
        return self.spec.tenancy if self.user_id is not None else Tenancy.VISITOR

    def in_groups(self, groups: frozenset[str]) -> bool:
        """Whether the role is one of the names, or belongs to one of the groups."""
        if "everyone" in groups:
            return True
        if self.user_id is None:
            return False
        return self.role in groups or not self.spec.groups.isdisjoint(groups)


ANONYMOUS = Principal(user_id=None, username="anonymous", role=Role.PUBLIC)
SYSTEM = Principal(user_id=None, username="system", role=Role.ALLIANCE_ADMIN, system=True)
