"""Staff and agency users: a second factor before anything answers, short sessions.

For a signed-in user who needs a second factor (accounts.second_factor):
- without one, every page except the account pages (where it is set up) redirects to the
  second-factor setup; API calls get a 403 problem+json that says so;
- the session ends after STAFF_SESSION_IDLE_SECONDS without a request and
  STAFF_SESSION_MAX_SECONDS after sign-in, whatever the activity.
Citizens are not affected (their sessions follow Django's defaults).
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from .models import User
from .second_factor import has_second_factor, second_factor_required

SIGNED_IN_AT = "staff_signed_in_at"
SECOND_FACTOR_SEEN = "staff_second_factor_seen"
RENEWED_AT = "staff_session_renewed_at"
RENEW_EVERY_SECONDS = 60
# Where a staff user without a second factor may still go: the account pages (to set one up or
# sign out), static files, the language switch and the health check.
OPEN_PREFIXES = ("/accounts/", "/static/", "/i18n/", "/healthz")


def start_staff_session(sender: object, request: HttpRequest, user: User, **kwargs: object) -> None:
    """On sign-in (`user_logged_in`): start the clocks of a staff session and note whether the
    user already has a second factor, so that pages cost no extra query afterwards."""
    if request is None or not hasattr(request, "session") or not second_factor_required(user):
        return
    now = time.time()
    request.session[SIGNED_IN_AT] = now
    request.session[RENEWED_AT] = now
    request.session.set_expiry(settings.STAFF_SESSION_IDLE_SECONDS)
    if has_second_factor(user):
        request.session[SECOND_FACTOR_SEEN] = True


class StaffSecurityMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if isinstance(user, User) and user.is_authenticated and second_factor_required(user):
            refused = self._check(request, user)
            if refused is not None:
                return refused
        return self.get_response(request)

    def _check(self, request: HttpRequest, user: User) -> HttpResponse | None:
        now = time.time()
        signed_in_at = request.session.get(SIGNED_IN_AT)
        if signed_in_at is None:
            request.session[SIGNED_IN_AT] = now
        elif now - float(signed_in_at) > settings.STAFF_SESSION_MAX_SECONDS:
            logout(request)
            return redirect_to_login(request.get_full_path())
        # Idle limit: the stored session (and its cookie) expire this long after the last request;
        # Django checks the stored expiry on every load. Renewed at most once a minute, so a page
        # does not write its session on every request.
        if now - float(request.session.get(RENEWED_AT, 0)) > RENEW_EVERY_SECONDS:
            request.session[RENEWED_AT] = now
            request.session.set_expiry(settings.STAFF_SESSION_IDLE_SECONDS)
        if request.path.startswith(OPEN_PREFIXES):
            return None
        if request.session.get(SECOND_FACTOR_SEEN):
            return None
        if has_second_factor(user):
            # Staff cannot remove their last factor (accounts.adapter), so once seen it stays.
            request.session[SECOND_FACTOR_SEEN] = True
            return None
        if request.path.startswith("/api/"):
            return JsonResponse(
                {
                    "type": "about:blank",
                    "title": _("Second factor required"),
                    "status": 403,
                    "detail": _("Set up a second factor (an authenticator app or a security key) before using this."),
                },
                status=403,
                content_type="application/problem+json",
            )
        if request.method == "GET" and not request.headers.get("HX-Request"):
            messages.warning(
                request,
                _("Your role needs a second factor. Set up an authenticator app (or a security key) to continue."),
            )
        return redirect("mfa_index")
