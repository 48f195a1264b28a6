"""Wire models for alliances, regions, organisations, users and sign-in."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from ipops.alliance.kinds import OrgKind
from ipops.core.authz import known_role

RegionCode = Annotated[str, StringConstraints(pattern=r"^\d{6}$")]
Username = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.@-]{3,64}$")]
RoleName = Annotated[str, AfterValidator(known_role)]  # any role registered with the policy


class RegionRead(BaseModel):
    """A member region."""

    model_config = ConfigDict(from_attributes=True)

    code: str
    name_zh: str
    name_en: str
    level: str
    parent_code: str | None


class AllianceRead(BaseModel):
    """An alliance with its member regions."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    code: str
    name_zh: str
    name_en: str
    regions: list[RegionRead]


class OrganisationCreate(BaseModel):
    """A new organisation; the USCC is checked against GB 32100-2015."""

    name: Annotated[str, StringConstraints(min_length=2, max_length=200, strip_whitespace=True)]
    name_en: str | None = None
    kind: OrgKind
    uscc: Annotated[str, StringConstraints(min_length=18, max_length=18, to_upper=True)]
    region_code: RegionCode
    address: str | None = None


class OrganisationRead(BaseModel):
    """An organisation."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    alliance_id: int
    name: str
    name_en: str | None
    kind: OrgKind
    uscc: str
    region_code: str
    address: str | None


Password = Annotated[str, StringConstraints(min_length=10, max_length=256)]


class UserCreate(BaseModel):
    """A new user; tenancy must match the role."""

    username: Username
    display_name: Annotated[str, StringConstraints(min_length=1, max_length=120)]
    password: Password
    role: RoleName
    region_code: RegionCode | None = None
    org_id: int | None = None
    locale: str | None = Field(default=None, pattern="^(zh_CN|en)$")


class PasswordReset(BaseModel):
    """A new password an administrator sets for an account."""

    new_password: Password


class PasswordChange(BaseModel):
    """A user's own password change; the current password is checked."""

    current_password: Annotated[str, StringConstraints(max_length=256)]
    new_password: Password


class UserRead(BaseModel):
    """A user, without secrets."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    username: str
    display_name: str
    role: str
    alliance_id: int | None
    region_code: str | None
    org_id: int | None
    locale: str | None
    is_active: bool


class TokenRequest(BaseModel):
    """Credentials for an API bearer token."""

    username: str
    password: str


class TokenRead(BaseModel):
    """An issued bearer token; shown once."""

    access_token: str
    token_type: str = "bearer"  # noqa: S105 - the OAuth2 token type, not a secret
    expires_at: dt.datetime
    user: UserRead


class AuditRead(BaseModel):
    """One audit row; a row of a record the reader may not read is redacted to action, time and the
    actor's organisation."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    at: dt.datetime
    action: str
    entity_type: str
    entity_id: str
    actor_org_id: int | None
    redacted: bool
    actor_user_id: int | None
    actor_label: str
    region_code: str | None
    org_id: int | None
    summary: dict[str, object]
