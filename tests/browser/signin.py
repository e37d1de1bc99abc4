"""Signing in in a real browser: email and password, then the authenticator code when the
account has one (every officer and agency user)."""

from __future__ import annotations

import time
from typing import Any

from accounts.services import totp_code_now


def sign_in(page: Any, base: str, email: str, password: str, totp_secret: str | None = None, ahead: int = 0) -> None:
    """`ahead` periods later than now: a second sign-in within 30 s needs the next code (a code
    works once), which the one-period tolerance accepts."""
    page.goto(base + "/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", password)
    with page.expect_navigation():
        page.locator("main form.form button[type=submit]").last.click()
    if "/accounts/2fa/authenticate/" in page.url:
        assert totp_secret, f"{email} has a second factor"
        page.fill("input[name=code]", totp_code_now(totp_secret, at=time.time() + 30 * ahead))
        with page.expect_navigation():
            page.locator("main form.form button[type=submit]").last.click()
        assert "/accounts/2fa/authenticate/" not in page.url, "the code was refused"
