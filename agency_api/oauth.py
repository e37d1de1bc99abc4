"""django-oauth-toolkit validator: load the bearer token together with its agency client and
agency in the one query DOT already makes (AgencyClientAuthentication then needs none)."""

from __future__ import annotations

import hashlib
from typing import Any

from oauth2_provider.models import AccessToken
from oauth2_provider.oauth2_validators import OAuth2Validator


class AgencyOAuth2Validator(OAuth2Validator):
    def _load_access_token(self, token: str) -> Any:
        # Same lookup as DOT's (the token is stored as a SHA-256 checksum), with the joins added.
        checksum = hashlib.sha256(token.encode("utf-8")).hexdigest()
        return (
            AccessToken.objects.select_related("application__agency_client__agency", "user")
            .filter(token_checksum=checksum)
            .first()
        )
