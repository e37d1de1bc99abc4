"""Who counts as a party to a case: one definition for reads and writes.

A citizen acts on (and reads) their own cases and those of the people they represent; an agency
acts on cases referred to it (or on the one information request or correction order sent to it:
`agency_id`); officers and the system act on every case. Whoever filed the case (an officer on
the phone, a former representative) gains nothing from having filed it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q
from django.utils.translation import gettext as _

from kernel.actors import Actor, ActorKind
from kernel.errors import NotAllowed

if TYPE_CHECKING:
    from accounts.models import User

    from .models import Complaint


def citizen_side_q(user: User, prefix: str = "") -> Q:
    """The cases `user` may read as citizen or representative (a filter on complaints)."""
    return Q(**{f"{prefix}citizen__user": user}) | Q(**{f"{prefix}citizen__representative": user})


def citizens_of_user_q(user: User) -> Q:
    """The same rule as a filter on citizens: the citizen `user` is, and those they represent.
    Reads filter complaints on `citizen_id IN (these)`, an index lookup, where the OR across the
    join of `citizen_side_q` cannot use an index."""
    return Q(user=user) | Q(representative=user)


def check_may_act(complaint: Complaint, actor: Actor, *, agency_id: int | None = None) -> None:
    """Refuse (NotAllowed) an actor who is not a party to this case."""
    if actor.kind == ActorKind.CITIZEN and not complaint.citizen.can_be_acted_for_by(actor.user):
        raise NotAllowed(_("You can act only on your own cases or those of people you represent."))
    if actor.kind == ActorKind.AGENCY:
        owner = complaint.respondent_id if agency_id is None else agency_id
        if actor.agency_id is None or actor.agency_id != owner:
            raise NotAllowed(_("This case is not referred to your agency."))
