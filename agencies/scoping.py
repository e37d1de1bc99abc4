"""The one agency scoping rule, for every interface an agency uses (the API in agency_api, the
pages in agency_portal): an agency actor reads only rows whose `agency_field` is its own agency.
Another agency's object is simply absent (404, never a 403 that would reveal it exists).

    qs = agency_scoped(Complaint.objects.all(), actor=actor, agency_field="respondent")
    complaint = agency_get(Complaint.objects.all(), actor=actor, agency_field="respondent", reference=ref)

An actor who is not an agency (or has no agency) sees nothing. `agency_actor(user)` is the Actor
of a signed-in agency user (None for anyone else)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

from django.db.models import Model, QuerySet
from django.utils.translation import gettext as _

from kernel.actors import Actor, ActorKind
from kernel.errors import NotFound

from .models import AgencyMembership

if TYPE_CHECKING:
    from accounts.models import User

M = TypeVar("M", bound=Model)


def agency_scoped(qs: QuerySet[M], *, actor: Actor, agency_field: str) -> QuerySet[M]:
    """`qs` limited to the actor's agency; empty for an actor who is not an agency."""
    if not agency_field:
        raise TypeError("agency_field is required")
    if actor.kind != ActorKind.AGENCY or actor.agency_id is None:
        return qs.none()
    return qs.filter(**{agency_field: actor.agency_id})


def agency_get(qs: QuerySet[M], *, actor: Actor, agency_field: str, **lookup: Any) -> M:
    """One object of the actor's agency, or kernel NotFound (404) for anything else."""
    obj = agency_scoped(qs, actor=actor, agency_field=agency_field).filter(**lookup).first()
    if obj is None:
        raise NotFound(_("Not found."))
    return obj


def agency_membership_of(user: User | Any) -> AgencyMembership | None:
    """The agency membership of a signed-in user (None for anonymous users, officers, citizens)."""
    if user is None or not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return None
    return AgencyMembership.objects.select_related("agency").filter(user_id=user.pk, agency__active=True).first()


def agency_actor(user: User, membership: AgencyMembership) -> Actor:
    """The Actor of an agency user: an agency actor that also names the person."""
    return Actor.for_agency_user(user, membership.agency)
