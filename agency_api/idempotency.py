"""`Idempotency-Key` on every agency POST: the first answer is stored per client and key for 24
hours and replayed for a retry with the same body; the same key with another body is a 422, and
a retry that finds an unfinished claim is a 409. AgencyAPIView calls `idempotency_begin` before
the handler and `idempotency_finish` on its answer, all in one transaction (AgencyAPIView.dispatch):
the claim is only seen once its step and answer are committed, so a concurrent retry waits on the
key's unique index, then is replayed."""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from rest_framework import exceptions
from rest_framework.request import Request
from rest_framework.response import Response

from kernel.errors import Conflict

from .models import ApiClient, IdempotencyRecord

IDEMPOTENCY_HEADER = "Idempotency-Key"
IDEMPOTENCY_TTL = timedelta(hours=24)
IDEMPOTENCY_ABANDONED = timedelta(minutes=5)  # an in-progress claim older than this is abandoned


class IdempotencyKeyReused(exceptions.APIException):
    status_code = 422
    default_detail = "This Idempotency-Key was already used with a different request; use a new key."
    default_code = "idempotency_key_reused"


class Replay(Exception):
    """The stored answer to a repeated request; AgencyAPIView returns it as is."""

    def __init__(self, response: Response) -> None:
        self.response = response


def _canonical(value: Any) -> Any:
    if isinstance(value, UploadedFile):
        digest = hashlib.sha256()
        for chunk in value.chunks():
            digest.update(chunk)
        value.seek(0)
        return {"file": value.name, "sha256": digest.hexdigest()}
    if hasattr(value, "lists"):  # QueryDict / MultiValueDict
        return {k: [_canonical(v) for v in vs] for k, vs in sorted(value.lists())}
    if isinstance(value, dict):
        return {str(k): _canonical(v) for k, v in sorted(value.items())}
    if isinstance(value, list | tuple):
        return [_canonical(v) for v in value]
    return value


def request_fingerprint(request: Request) -> str:
    files = getattr(request, "FILES", None) or {}
    body = {"data": _canonical(request.data), "files": _canonical(files)}
    raw = json.dumps([request.method, request.get_full_path(), body], sort_keys=True, cls=DjangoJSONEncoder)
    return hashlib.sha256(raw.encode()).hexdigest()


def idempotency_begin(*, client: ApiClient, key: str, fingerprint: str, now: Any) -> IdempotencyRecord:
    """Claim `key` for this client, or raise Replay / IdempotencyKeyReused / Conflict."""
    if not key or len(key) > 255 or not key.isprintable():
        raise exceptions.ValidationError({IDEMPOTENCY_HEADER: ["Use 1-255 printable characters."]})
    for _attempt in range(2):
        try:
            with transaction.atomic():
                return IdempotencyRecord.objects.create(client=client, key=key, fingerprint=fingerprint, created_at=now)
        except IntegrityError:
            existing = IdempotencyRecord.objects.filter(client=client, key=key).first()
            if existing is None:
                continue
            abandoned = not existing.completed and existing.created_at < now - IDEMPOTENCY_ABANDONED
            if existing.created_at < now - IDEMPOTENCY_TTL or abandoned:
                # Expired, or its request died before answering (crash, timeout): claim it afresh.
                existing.delete()
                continue
            if existing.fingerprint != fingerprint:
                raise IdempotencyKeyReused()
            if not existing.completed:
                raise Conflict(
                    "A request with this Idempotency-Key is still being processed; retry in a moment.",
                    field=IDEMPOTENCY_HEADER,
                    code="idempotency_in_progress",
                )
            response = Response(
                existing.response_body,
                status=existing.response_status,
                content_type=existing.response_headers.get("Content-Type") or None,
            )
            for name, value in existing.response_headers.items():
                if name != "Content-Type":
                    response[name] = value
            response["Idempotent-Replayed"] = "true"
            raise Replay(response)
    raise Conflict("Could not claim the Idempotency-Key; retry.", field=IDEMPOTENCY_HEADER)


def idempotency_finish(*, record: IdempotencyRecord, response: Response) -> None:
    if response.status_code >= 500 or response.status_code in (401, 429):
        record.delete()  # not an answer worth replaying: the client may retry with the same key
        return
    headers = {k: response[k] for k in ("Location",) if response.has_header(k)}
    if response.content_type:
        headers["Content-Type"] = response.content_type
    record.completed = True
    record.response_status = response.status_code
    record.response_body = json.loads(json.dumps(response.data, cls=DjangoJSONEncoder))
    record.response_headers = headers
    record.save(update_fields=["completed", "response_status", "response_body", "response_headers"])
