"""Domain errors as HTTP answers, and the one attachment download response.

Every interface uses this module, so a refusal reads the same everywhere: the HTML pages (portal,
officer) answer with `status`, show `message` and put it on the form field `field` names
(`run_service`, `add_form_error`); the API
(agency_api.problems) answers it as problem+json with the same status, detail and field.

    answer = error_answer(exc)          # exc: kernel.errors.ServiceError or a subclass
    answer.status, answer.message, answer.field, answer.code

Services raise ServiceError (400), NotAllowed (403), NotFound (404) or Conflict (409); the
transition table's TransitionError is a Conflict (409) and ActorNotAllowed a NotAllowed (403), so
their status comes from the class like any other error. Nothing here imports an app.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO, Any, TypeVar

from django.db.models.fields.files import FieldFile
from django.forms import BaseForm
from django.http import FileResponse, Http404, HttpRequest

from kernel.errors import ServiceError
from kernel.uploads import ALLOWED, safe_original_name

T = TypeVar("T")

# --- errors -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ErrorAnswer:
    """How a refused request is answered: HTTP status, the message for the reader, the request
    field it is about (None if none) and a stable machine code."""

    status: int
    message: str
    field: str | None
    code: str

    @property
    def detail(self) -> str:
        """One line naming the field, as the API's problem `detail`."""
        return f"{self.field}: {self.message}" if self.field else self.message


def error_answer(exc: ServiceError) -> ErrorAnswer:
    return ErrorAnswer(status=exc.status_code, message=exc.message, field=exc.field, code=exc.code)


def add_form_error(form: BaseForm, answer: ErrorAnswer) -> None:
    """Show a refusal on the page's form: on the field it names, or above the form."""
    form.add_error(answer.field if answer.field in form.fields else None, answer.message)


def run_service(fn: Callable[..., T], **kwargs: Any) -> tuple[T | None, ErrorAnswer | None]:
    """Call a service from a page; a refusal comes back as its answer (never a 500)."""
    try:
        return fn(**kwargs), None
    except ServiceError as exc:
        return None, error_answer(exc)


# --- file downloads ---------------------------------------------------------------------------

# The download's content type is the one sniffed from the content at upload (kernel.uploads);
# anything else is served as opaque bytes. The name's extension comes from that type alone.
OPAQUE = "application/octet-stream"
_EXTENSION = re.compile(r"\.[A-Za-z0-9]{1,10}$")


def download_name(stored_name: str, content_type: str) -> str:
    """The stored original name, cleaned again, its own extension dropped and the sniffed type's
    put in its place: a PDF uploaded as `x.html` downloads as `x.pdf`, an unknown type as `.bin`,
    so no file opens as something it is not."""
    stem = _EXTENSION.sub("", safe_original_name(stored_name)).rstrip(" .") or "file"
    return f"{stem}.{ALLOWED.get(content_type, 'bin')}"


def attachment_response(fileobj: IO[bytes], *, stored_name: str, content_type: str) -> FileResponse:
    """The one way a stored file is served: as a download (never shown inline), under a safe
    name (Django quotes it and adds RFC 6266 `filename*` for non-ASCII), with the sniffed type,
    `nosniff`, and `no-store` so no cache keeps a copy of personal data."""
    mime = content_type if content_type in ALLOWED else OPAQUE
    response = FileResponse(fileobj, as_attachment=True, filename=download_name(stored_name, mime), content_type=mime)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    return response


def open_stored(field_file: FieldFile) -> IO[bytes]:
    """A stored file opened for `attachment_response`; 404 once the retention schedule or a granted
    deletion request deleted it (the row stays, with no file: privacy.erasure)."""
    if not field_file:
        raise Http404("This file was deleted under the retention schedule.")
    return field_file.open("rb")  # type: ignore[return-value]


def request_purpose(request: HttpRequest) -> str:
    """Why a page or endpoint read something, for the access log: its URL name (or the path)."""
    match = getattr(request, "resolver_match", None)
    return match.view_name if match is not None else request.path
