"""The sign-in backend: allauth's (email addresses, its rate limits), loading the user with the
agency membership in the same query, so that the second-factor rule (accounts.second_factor)
costs citizens no query on any page."""

from __future__ import annotations

from typing import Any

from allauth.account.auth_backends import AuthenticationBackend as AllauthBackend

from .models import User


class AuthenticationBackend(AllauthBackend):
    def get_user(self, user_id: Any) -> User | None:
        try:
            user = User.objects.select_related("agency_membership").get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
