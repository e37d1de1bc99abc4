"""The one gate of the officer pages: every view in officer/ is wrapped in `officer_required`
(tests/officer checks each URL pattern). Anonymous visitors are sent to sign in; anyone signed in
who is not an officer gets a 404, because the page does not exist for them."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponseBase
from django.utils import timezone

from accounts.models import User
from citizens.services import Read, access_log_record
from kernel.actors import Actor
from kernel.http import request_purpose

View = Callable[..., HttpResponseBase]


def officer_of(request: HttpRequest) -> User:
    """The signed-in officer, or Http404 for anyone else."""
    user = request.user
    if not isinstance(user, User) or not user.is_officer:
        raise Http404
    return user


def log_read(request: HttpRequest, kind: str, reads: list[Read]) -> None:
    """The access log (citizens.services.access_log_record): what this officer read, on which
    page; one INSERT whatever the number of rows."""
    access_log_record(
        reader=Actor.for_user(officer_of(request)),
        kind=kind,
        why=request_purpose(request),
        now=timezone.now(),
        reads=reads,
    )


def officer_required(view: View) -> View:
    @login_required
    @wraps(view)
    def gated(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        officer_of(request)
        return view(request, *args, **kwargs)

    gated.officer_gate = True  # type: ignore[attr-defined]
    return gated


def is_gated(view: Any) -> bool:
    """Whether a URL pattern's callback went through `officer_required`."""
    return bool(getattr(view, "officer_gate", False))
