"""The agency API's OpenAPI description (drf-spectacular): every operation's problem+json error
answers and `Idempotency-Key` header (AgencyAutoSchema, the schema of AgencyAPIView), and the
agency integration guide at the top of /api/v1/docs/ (postprocessing hook)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse

from kernel.http import OPAQUE
from kernel.uploads import ALLOWED

from .idempotency import IDEMPOTENCY_HEADER
from .problems import PROBLEM_CONTENT_TYPE, ProblemSerializer

ERROR_CODES_ALL = (400, 401, 404, 406, 429)
ERROR_CODES_WRITE = (409, 413, 415)
ERROR_DESCRIPTIONS = {
    400: "Invalid request: `errors` names every invalid field.",
    401: "Missing, invalid or expired token, or a revoked client.",
    404: "No such object, or it is not referred to your agency.",
    406: "Ask for `application/json`.",
    409: "The case's state does not allow this now (the detail says what is allowed).",
    413: "Request body too large.",
    415: "Unsupported content type.",
    422: "This Idempotency-Key was used with a different request.",
    429: "Too many requests for this client; retry after `Retry-After` seconds.",
}


# A stored file's download: its bytes under the sniffed type (or octet-stream), as an attachment.
# application/octet-stream comes first: generated clients read the body as bytes under it.
DOWNLOAD_MEDIA_TYPES = (OPAQUE, *ALLOWED)
DOWNLOAD_HEADERS = [
    OpenApiParameter(
        "Content-Disposition",
        str,
        OpenApiParameter.HEADER,
        response=[200],
        required=True,
        description='`attachment; filename="..."` (with RFC 6266 `filename*` for a non-ASCII name).',
    ),
    OpenApiParameter(
        "X-Content-Type-Options", str, OpenApiParameter.HEADER, response=[200], required=True, description="`nosniff`"
    ),
    OpenApiParameter(
        "Cache-Control",
        str,
        OpenApiParameter.HEADER,
        response=[200],
        required=True,
        description="`no-store`: no cache keeps a copy of personal data.",
    ),
]


def download_responses(description: str) -> dict[Any, Any]:
    """`responses=` of a file download: a binary 200 under every type the server may send."""
    return {
        (200, media_type): OpenApiResponse(response=OpenApiTypes.BINARY, description=description)
        for media_type in DOWNLOAD_MEDIA_TYPES
    }


# Headers the server sends, documented on the responses that carry them (AgencyAutoSchema).
RESPONSE_HEADERS: dict[str, dict[str, Any]] = {
    "Request-Id": {
        "schema": {"type": "string"},
        "description": "This answer's id (yours if you sent a valid `Request-Id`): quote it to the ombudsman.",
    },
    "WWW-Authenticate": {
        "schema": {"type": "string"},
        "description": '`Bearer realm="api"`, with `error="invalid_token"` for an unknown, expired or revoked token.',
    },
    "Retry-After": {"schema": {"type": "integer"}, "description": "Seconds to wait before retrying."},
    "Idempotent-Replayed": {
        "schema": {"type": "string", "enum": ["true", "false"]},
        "description": "Sent when the request had an `Idempotency-Key`: `true` when this is the stored first answer "
        "replayed (nothing changed), `false` for the first answer itself.",
    },
}


class AgencyAutoSchema(AutoSchema):
    """Adds the problem+json error answers and the Idempotency-Key header to every operation."""

    def get_tags(self) -> list[str]:
        return ["agency"]

    def get_override_parameters(self) -> list[Any]:
        params = list(super().get_override_parameters())
        if self.method == "POST":
            params.append(
                OpenApiParameter(
                    IDEMPOTENCY_HEADER,
                    str,
                    OpenApiParameter.HEADER,
                    required=False,
                    description=(
                        "Any unique string (e.g. a UUID), at most 255 characters. Retrying with the same key "
                        "and body returns the first answer (header `Idempotent-Replayed: true`) and changes "
                        "nothing; the same key with a different body is a 422. Keys are kept 24 hours per client."
                    ),
                )
            )
        return params

    def _get_response_bodies(self, direction: Any = "response") -> dict[str, Any]:
        responses: dict[str, Any] = super()._get_response_bodies(direction)
        codes: tuple[int, ...] = ERROR_CODES_ALL
        if self.method in ("POST", "PUT", "PATCH"):
            codes += ERROR_CODES_WRITE
        if self.method == "POST":
            codes += (422,)
        for code in sorted(codes):
            if str(code) not in responses:
                response = self._get_response_for_code(ProblemSerializer, str(code), [PROBLEM_CONTENT_TYPE], direction)
                response["description"] = ERROR_DESCRIPTIONS[code]
                responses[str(code)] = response
        for status, answer in responses.items():
            headers = answer.setdefault("headers", {})
            headers.setdefault("Request-Id", RESPONSE_HEADERS["Request-Id"])
            if status == "401":
                headers.setdefault("WWW-Authenticate", RESPONSE_HEADERS["WWW-Authenticate"])
            if status == "429":
                headers.setdefault("Retry-After", RESPONSE_HEADERS["Retry-After"])
            if self.method == "POST" and status not in ("401", "406", "429"):
                headers.setdefault("Idempotent-Replayed", RESPONSE_HEADERS["Idempotent-Replayed"])
        return responses


GUIDE = """
## Agency integration guide

Agencies (list operators, government schemes, platforms, credit bureaus) receive the complaints the
ombudsman refers to them and answer here. Everything below is under `/api/v1/agency/`.

### 1. Authenticate (OAuth2 client credentials)
The ombudsman issues your agency a client id and secret (shown once). Exchange them for a token:

    curl -X POST https://<host>/o/token/ -d grant_type=client_credentials \\
         -d client_id=$CLIENT_ID -d client_secret=$CLIENT_SECRET
    -> {"access_token": "...", "expires_in": 3600, "token_type": "Bearer", "scope": "agency"}

Send `Authorization: Bearer <access_token>` on every call; get a new token when it expires (401).
A token that is unknown, expired or revoked is a 401 "Invalid token" with
`WWW-Authenticate: Bearer realm="api",error="invalid_token"`; no token at all is a 401 saying the
credentials were not provided.
A client sees only the cases referred to its own agency: any other case is a 404. Requests are
limited per client (429 with `Retry-After`); if the ombudsman's rate-limit store is down, calls
are served unthrottled rather than refused.

### 2. Work a referral
1. `GET referrals/?status=referred&updated_after=2026-11-01T00:00:00Z` (cursor pagination: follow
   `next` until it is null) or receive the `referral.created` webhook.
2. `GET referrals/{reference}/`: the citizen (name, masked ID number and the keyed match token
   `national_id_hash` — never the full number), the disputed record with **your own record id**,
   the statement, evidence download links (send your token), remedies sought, urgency, every clock
   with its rule, due time and explanation, and the messages you can see.
3. `POST referrals/{reference}/acknowledge` and `POST referrals/{reference}/flag-disputed`: each
   meets its clock (no body).
4. `POST referrals/{reference}/response` with `outcome` (`corrected`, `deleted`, `verified`,
   `partially_corrected`, `needs_information`, `misdirected`) and `explanation`; `corrections`
   `[{"field", "old_value", "new_value"}]` for `corrected` and `partially_corrected` (and only those:
   corrections with any other outcome are a 400); `scoring_criteria`
   `[{"factor", "description", "direction_or_weight", "data_source"}]` when the complaint asks for
   disclosure of the scoring criteria.
5. `POST referrals/{reference}/messages` (`{"text"}`) and `POST referrals/{reference}/attachments`
   (`multipart/form-data` with one file part `file`: PDF or image, at most 10 MB; a `file` sent as
   text is a 400). `GET` the evidence's `download_url` for its bytes: `Content-Type` is the type read
   from the content, `Content-Disposition: attachment; filename=...` names it.
6. Many answers at once: `POST responses/batch` with `{"items": [...]}` (1 to 100), each item an
   answer as in step 4 plus its `reference` and its own `idempotency_key`. The answer is a 200 with
   one result per item, in order: `status` 201 and `result`, or 400/404/409/422 and `problem`; one
   refused item does not stop the others. Retry the same batch after a timeout: items already
   answered are replayed (`replayed: true`), never answered twice.
7. Information requests: `POST information-requests/{id}/answer` has two bodies. With the
   requested documents, `multipart/form-data`: `answer_text`, optional `answers` (one part per
   answer, each a JSON object `{"question", "answer"}`) and one file part `files` per document.
   Without documents, `application/json` with `answer_text` and optional `answers`; a JSON body
   carrying `files` is a 400 (documents travel only in multipart).
8. The decision. Before the final decision the ombudsman may share a **provisional decision**
   (`determination.provisional` webhook): `GET referrals/{reference}/provisional-decision` returns
   what was shared (outcome, findings, reasons, remedies), `comments_due_at` (14 days, a
   `provisional_comment` clock) and the comments so far; `POST
   referrals/{reference}/provisional-decision/comments` with `{"comment"}` until then (409 after).
   The final decision (`determination.issued`) says how the comments were considered. Within 30
   days of it either party may ask once for a **review**: `POST referrals/{reference}/review` with
   `{"reasons"}` (409 when already asked or too late; `GET` the same path for its state). A senior
   officer who took no part in the case decides it (`determination.review_decided`: `confirmed`,
   `varied` — your orders change — or `set_aside` — the case goes back to investigation).

Action paths have **no trailing slash**.

### 3. Retries: Idempotency-Key
Send `Idempotency-Key: <uuid>` on every POST. Repeating the same key with the same body returns the
first answer (header `Idempotent-Replayed: true`) and changes nothing; the same key with another
body is a 422. The key's claim, the step and the stored answer are one transaction: a request that
fails midway (a timeout, a crash, a 5xx) leaves nothing behind, so retrying it with the same key
does the step exactly once; a retry sent while the first request still runs waits for it and is
then answered with the first answer. Keys are kept for 24 hours per client.

### 4. Errors (RFC 9457)
Every error, everywhere in the API, is `application/problem+json`:

    {"type": "/api/v1/docs/#problem-validation", "title": "Invalid request", "status": 400,
     "detail": "corrections: List each change ...", "instance": "/api/v1/agency/referrals/OMB-2026-000001/response",
     "errors": [{"field": "corrections", "message": "List each change ...", "code": "invalid"}]}

Every answer, success or error, carries a `Request-Id` header (send your own, 1-128 visible ASCII
characters, to correlate with your logs; otherwise the server makes one); a problem body repeats it
as `request_id`. Quote it when you contact the ombudsman about a call.

`type` values: `validation` (400), `unauthenticated` (401), `not-found` (404), `conflict` (409, the
case's state does not allow the step; `detail` says what is allowed), `idempotency-key-reuse` (422),
`throttled` (429), `server-error` (500). A JSON body whose strings (keys or values, at any depth)
contain the NUL character `\\u0000` is a 400 naming where; unknown `/api/` paths are a 404 in this
format too.

### 5. Webhooks (Standard Webhooks)
`PUT webhook` with `{"url": "https://..."}` registers your one endpoint and returns the signing
secret `whsec_...` once (`rotate_secret: true` issues a new one; send an `Idempotency-Key` so that a
retry answers the same new secret instead of rotating again). After a rotation the replaced secret
keeps signing for 24 hours (`previous_secret_expires_at`): `webhook-signature` then carries two
signatures, `v1,<new> v1,<old>`, and a receiver accepts either, so switch within that time. Events are POSTed as
`{"type", "timestamp", "data"}` with headers `webhook-id` (the same on every retry: de-duplicate on
it), `webhook-timestamp` (Unix seconds) and `webhook-signature: v1,<signature>` where the
signature is base64(HMAC-SHA256(key = base64-decode(secret without `whsec_`),
message = `{webhook-id}.{webhook-timestamp}.{raw body}`)). Answer 2xx quickly. Failures are retried
with exponential backoff for more than a day; answering **410 disables** the endpoint (PUT it again
to re-enable). Endpoints must be public HTTPS addresses.

Event types: `referral.created`, `clock.reminder`, `clock.missed`, `referral.escalated`,
`information_request.created`, `determination.provisional`, `determination.issued`,
`determination.review_requested`, `determination.review_decided`, `correction.ordered`, and `ping` (a test,
`POST webhook/test`). Every event, delivered or not, is in the event feed (section 6). Example:

    POST /your/hook
    webhook-id: 0b9c3f1e-6f1d-4a51-9d55-2f7d4f0e8a11
    webhook-timestamp: 1795680000
    webhook-signature: v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4=
    content-type: application/json

    {"data":{"category":"inaccurate_data","reference":"OMB-2026-000123","status":"referred","urgent":false,
     "url":"https://<host>/api/v1/agency/referrals/OMB-2026-000123/"},"timestamp":"2026-11-26T10:00:00+00:00",
     "type":"referral.created"}

Verifying in Python (reject timestamps more than 5 minutes old to stop replays):

    import base64, hashlib, hmac
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + raw_body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    ok = any(hmac.compare_digest(s.split(",", 1)[1], expected)
             for s in headers["webhook-signature"].split() if s.startswith("v1,"))

### 6. Event feed: nothing is lost
`GET events/` lists every webhook event meant for your agency, newest first, **whether it was
delivered or not**: also the events sent while you had no endpoint (`cancelled`), those the address
guard refused (`refused`: your endpoint resolved to a private address or was not https), and those
given up after every retry (`dead`). Each has its `id` (the `webhook-id` it is delivered with),
`type`, `status`, `payload` (the body POSTed to you) and `delivery_attempts` (time, your endpoint's
status code, what happened, duration). Filters: `type=referral.created`, `since=<ISO 8601>`,
`status=dead` (repeat for several); cursor pagination as everywhere (follow `next`).

`POST events/{id}/redeliver` queues one event again, due now, with a fresh set of retries
(202 with the event, now `pending`): any status but `pending` (a pending event is a 409: it is
already on its way). It keeps its `webhook-id`, so a receiver that already has it can ignore it.
Another agency's event id is a 404. Fix a refused endpoint (`PUT webhook`) before redelivering.

`POST webhook/test` queues a signed `ping` event (`{"type": "ping", "data": {"agency", "message"}}`)
to your endpoint, sent like every event (same headers, signature and retries): use it to check
your receiver, then find it in the feed. Without an endpoint it is a 404; with a disabled one a 409.

The token endpoint `/o/token/` answers errors in the OAuth2 format (RFC 6749 §5.2:
`{"error": "invalid_client"}`); everything under `/api/` uses problem details.
"""


# `/o/token/` is django-oauth-toolkit's view (agency_api.token_views), not a DRF one: described
# here so that a generated client gets its token with the same client as every other call.
TOKEN_PATH = "/o/token/"
TOKEN_SCHEMAS: dict[str, Any] = {
    "OAuthTokenRequest": {
        "type": "object",
        "description": "RFC 6749 §4.4 client credentials (the client may use HTTP Basic instead of the form fields).",
        "properties": {
            "grant_type": {"type": "string", "enum": ["client_credentials"]},
            "client_id": {"type": "string", "description": "Your client id."},
            "client_secret": {"type": "string", "description": "Your client secret (shown once when issued)."},
            "scope": {"type": "string", "description": "Optional: `agency` (the only scope)."},
        },
        "required": ["grant_type"],
    },
    "OAuthToken": {
        "type": "object",
        "properties": {
            "access_token": {"type": "string"},
            "expires_in": {"type": "integer", "description": "Seconds the token is valid (3600)."},
            "token_type": {"type": "string", "enum": ["Bearer"]},
            "scope": {"type": "string"},
        },
        "required": ["access_token", "expires_in", "token_type", "scope"],
    },
    "OAuthError": {
        "type": "object",
        "description": "RFC 6749 §5.2 error.",
        "properties": {
            "error": {
                "type": "string",
                "description": "`invalid_client`, `invalid_request`, `invalid_grant`, `unauthorized_client`, "
                "`unsupported_grant_type` or `invalid_scope`.",
            },
            "error_description": {"type": "string"},
        },
        "required": ["error"],
    },
}


def _token_operation() -> dict[str, Any]:
    def ref(name: str) -> dict[str, str]:
        return {"$ref": f"#/components/schemas/{name}"}

    oauth_error = {"application/json": {"schema": ref("OAuthError")}}
    return {
        "post": {
            "operationId": "oauth2_token",
            "summary": "Get an access token",
            "description": "Exchange your client id and secret for a bearer token (one hour). Errors here are "
            "RFC 6749 errors, not problem details; too many attempts are a 429 problem with `Retry-After`.",
            "tags": ["agency"],
            "security": [],
            "requestBody": {
                "required": True,
                "content": {"application/x-www-form-urlencoded": {"schema": ref("OAuthTokenRequest")}},
            },
            "responses": {
                "200": {
                    "description": "A bearer token.",
                    "content": {"application/json": {"schema": ref("OAuthToken")}},
                },
                "400": {"description": "Invalid request or grant type.", "content": oauth_error},
                "401": {"description": "Unknown client, wrong secret or revoked client.", "content": oauth_error},
                "429": {
                    "description": ERROR_DESCRIPTIONS[429],
                    "headers": {"Retry-After": {"schema": {"type": "integer"}, "description": "Seconds to wait."}},
                    "content": {PROBLEM_CONTENT_TYPE: {"schema": ref("Problem")}},
                },
            },
        }
    }


def postprocess_schema(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    if "Problem" in schemas:  # the agency API is in this schema: so is its token endpoint
        schemas.update(TOKEN_SCHEMAS)
        result.setdefault("paths", {})[TOKEN_PATH] = _token_operation()
    info = result.setdefault("info", {})
    info["description"] = (info.get("description") or "").rstrip() + "\n" + GUIDE
    tags = result.setdefault("tags", [])
    if not any(t.get("name") == "agency" for t in tags):
        tags.append({"name": "agency", "description": "For agencies' machine clients (OAuth2 client credentials)."})
    return result
