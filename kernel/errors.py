"""Errors the services raise for requests they refuse. The interfaces turn them into 4xx
responses whose message says what to fix (kernel.http); they are never a 500."""

from __future__ import annotations


class ServiceError(Exception):
    status_code = 400
    default_code = "invalid"

    def __init__(self, message: str, *, field: str | None = None, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code or self.default_code


class NotAllowed(ServiceError):
    """The actor may not do this to this object."""

    status_code = 403
    default_code = "not_allowed"


class NotFound(ServiceError):
    """The object does not exist, or the actor may not know that it does."""

    status_code = 404
    default_code = "not_found"


class Conflict(ServiceError):
    """The object's state does not allow it (already done, or someone else got there first)."""

    status_code = 409
    default_code = "conflict"
