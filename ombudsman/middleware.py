"""Site-wide doors: the request body limit (before anything parses it) and the no-store rule for
personal pages and the API.

`BodySizeLimitMiddleware` is FIRST in settings.MIDDLEWARE. It looks only at the headers:
- a multipart body (file uploads) larger than `REQUEST_BODY_MAX_BYTES` (every file the largest
  form accepts at its largest, plus a margin) is refused with 413;
- any other body larger than `DATA_UPLOAD_MAX_MEMORY_SIZE` is refused with 413 (Django would
  refuse it later with a 400; this says what is wrong, before anything is read);
- a body sent without a Content-Length (`Transfer-Encoding: chunked`) is refused with 411: Django
  reads no more than Content-Length, so the limit could not be told apart from a truncated body.
  Behind the reverse proxy (docker-compose nginx, `client_max_body_size`) a chunked body is
  buffered and forwarded with its length, within the same limit.
Nothing is read from the body, so a refused upload never reaches the upload handlers or the
temporary directory. Pages get a short HTML page in the reader's language, /api/ and /o/
problem+json.

`NoStoreMiddleware` (after authentication) marks every answer to a signed-in person, and every
answer under /api/, /o/, /accounts/ and /admin/, `Cache-Control: no-store` (Django's
`add_never_cache_headers`), so no browser or proxy cache keeps personal data. Public pages for
anonymous readers keep their caching (the statistics' ETag).
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _

from agency_api.problems import is_api_request, json_problem
from kernel import uploads

MB = 1024 * 1024
PRIVATE_PREFIXES = ("/api/", "/o/", "/accounts/", "/admin/")


def _declared_length(request: HttpRequest) -> int | None:
    raw = request.META.get("CONTENT_LENGTH") or ""
    try:
        return max(int(raw), 0)
    except ValueError:
        return None


def _refusal(request: HttpRequest, status: int, message: str) -> HttpResponse:
    if is_api_request(request):
        response = json_problem(request, status, message)
    else:
        html = render_to_string("errors/refused.html", {"message": message, "status": status}, request=None)
        response = HttpResponse(html, status=status, content_type="text/html; charset=utf-8")
    # The body was not read: the connection cannot be reused for another request.
    response["Connection"] = "close"
    add_never_cache_headers(response)
    return response


class BodySizeLimitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        refusal = self.check(request)
        if refusal is not None:
            return refusal
        return self.get_response(request)

    def check(self, request: HttpRequest) -> HttpResponse | None:
        length = _declared_length(request)
        chunked = "chunked" in request.META.get("HTTP_TRANSFER_ENCODING", "").lower()
        if not chunked and not length:
            return None
        multipart = request.META.get("CONTENT_TYPE", "").lower().startswith("multipart/")
        limit = settings.REQUEST_BODY_MAX_BYTES if multipart else settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        with translation.override(translation.get_language_from_request(request)):
            if chunked and not length:
                return _refusal(
                    request,
                    411,
                    _("Send the request with a Content-Length header: bodies without a length are not accepted."),
                )
            if length is not None and length > limit:
                if multipart:
                    message = _(
                        "The request is too large: at most %(limit)s MB can be sent at once. "
                        "Send fewer or smaller files (each file at most %(file)s MB)."
                    ) % {"limit": limit // MB, "file": uploads.MAX_BYTES // MB}
                else:
                    message = _("The request is too large: at most %(limit)s KB can be sent at once.") % {
                        "limit": limit // 1024
                    }
                return _refusal(request, 413, message)
        return None


class NoStoreMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if "no-store" in response.get("Cache-Control", ""):
            return response  # already says so (downloads: kernel.http.attachment_response)
        if request.path.startswith(PRIVATE_PREFIXES) or (user is not None and user.is_authenticated):
            add_never_cache_headers(response)
        return response
