"""Who did something: every service takes an Actor, and every timeline event records one."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # typing only: the kernel imports no app at run time
    from accounts.models import User
    from agencies.models import Agency


class ActorKind(StrEnum):
    CITIZEN = "citizen"  # the citizen or their representative
    OFFICER = "officer"
    SENIOR_OFFICER = "senior_officer"
    AGENCY = "agency"  # an agency's API client or an agency portal user
    SYSTEM = "system"  # the clock sweep and other automatic steps


# accounts.models.Role values that make a user an officer of the ombudsman.
_STAFF_ROLES = {"officer": ActorKind.OFFICER, "senior_officer": ActorKind.SENIOR_OFFICER}


@dataclass(frozen=True)
class Actor:
    kind: ActorKind
    user: User | None = None
    agency: Agency | None = None
    label: str = ""

    @classmethod
    def system(cls, label: str = "ombudsman system") -> Actor:
        return cls(ActorKind.SYSTEM, label=label)

    @classmethod
    def for_user(cls, user: User) -> Actor:
        kind = _STAFF_ROLES.get(str(getattr(user, "role", "")), ActorKind.CITIZEN)
        return cls(kind, user=user, label=str(user))

    @classmethod
    def for_agency(cls, agency: Agency, client_label: str = "") -> Actor:
        return cls(ActorKind.AGENCY, agency=agency, label=client_label or f"{agency.name_en} (API)")

    @classmethod
    def for_agency_user(cls, user: User, agency: Agency) -> Actor:
        """A person working in the agency portal: acts for the agency, like its API client."""
        return cls(ActorKind.AGENCY, user=user, agency=agency, label=f"{user} ({agency.name_en})")

    @property
    def display(self) -> str:
        if self.label:
            return self.label
        if self.user is not None:
            return str(self.user)
        if self.agency is not None:
            return self.agency.name_en
        return self.kind.value

    @property
    def is_officer(self) -> bool:
        return self.kind in (ActorKind.OFFICER, ActorKind.SENIOR_OFFICER)

    @property
    def agency_id(self) -> int | None:
        return self.agency.pk if self.agency is not None else None
