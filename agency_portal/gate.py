"""The one gate of the agency portal: every view in agency_portal/ is wrapped in `agency_required`
or `agency_admin_required` (tests/agency_portal checks each URL pattern). Anonymous visitors are
sent to sign in; anyone signed in who is not an agency user gets a 404 (the page does not exist
for them); a responder gets a 403 on an administrator's page. The view receives the `Member`:
the user, their membership and the agency Actor every service is called with."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponseBase

from accounts.models import User
from agencies.models import Agency, AgencyMembership
from agencies.scoping import agency_actor, agency_membership_of
from kernel.actors import Actor

View = Callable[..., HttpResponseBase]


@dataclass(frozen=True)
class Member:
    user: User
    membership: AgencyMembership
    actor: Actor

    @property
    def agency(self) -> Agency:
        return self.membership.agency

    @property
    def is_administrator(self) -> bool:
        return self.membership.is_administrator


def member_of(request: HttpRequest) -> Member:
    """The signed-in agency user, or Http404 for anyone else."""
    user = request.user
    membership = agency_membership_of(user) if isinstance(user, User) else None
    if membership is None or not isinstance(user, User):
        raise Http404
    return Member(user=user, membership=membership, actor=agency_actor(user, membership))


def _gate(view: View, *, administrator: bool) -> View:
    @login_required
    @wraps(view)
    def gated(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        member = member_of(request)
        if administrator and not member.is_administrator:
            raise PermissionDenied
        return view(request, member, *args, **kwargs)

    gated.agency_gate = "administrator" if administrator else "member"  # type: ignore[attr-defined]
    return gated


def agency_required(view: View) -> View:
    return _gate(view, administrator=False)


def agency_admin_required(view: View) -> View:
    return _gate(view, administrator=True)


def gate_of(view: Any) -> str | None:
    """'member', 'administrator' or None: which gate a URL pattern's callback went through."""
    return getattr(view, "agency_gate", None)
