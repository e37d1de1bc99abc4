"""Who did something: every service takes an Actor, and every timeline event records one."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from .transitions import ActorKind

if TYPE_CHECKING:
    from accounts.models import User
    from agencies.models import Agency


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
        from accounts.models import Role

        kind = {
            Role.OFFICER: ActorKind.OFFICER,
            Role.SENIOR_OFFICER: ActorKind.SENIOR_OFFICER,
        }.get(user.role, ActorKind.CITIZEN)  # type: ignore[call-overload]
        return cls(kind, user=user, label=str(user))

    @classmethod
    def for_agency(cls, agency: Agency, client_label: str = "") -> Actor:
        return cls(ActorKind.AGENCY, agency=agency, label=client_label or f"{agency.name_en} (API)")

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
