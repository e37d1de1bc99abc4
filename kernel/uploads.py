"""Evidence uploads: type sniffed from the content (never trusted from the name or the client),
a size limit, and a random stored name."""

from __future__ import annotations

import hashlib
import re
import uuid
from typing import IO

import filetype

from kernel.errors import ServiceError

MAX_BYTES = 10 * 1024 * 1024
ALLOWED = {
    "application/pdf": "pdf",
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/webp": "webp",
    "image/heic": "heic",
}


def sniff(head: bytes) -> tuple[str, str]:
    """(content type, extension) from the first bytes, or ServiceError naming what is accepted."""
    kind = filetype.guess(head)
    if kind is None or kind.mime not in ALLOWED:
        raise ServiceError("Upload a PDF or an image (JPEG, PNG, WebP, HEIC).", field="file", code="unsupported_type")
    return kind.mime, ALLOWED[kind.mime]


def safe_original_name(name: str) -> str:
    base = re.sub(r"[^\w.\- ]+", "_", (name or "file").rsplit("/", 1)[-1].rsplit("\\", 1)[-1]).strip(" .")
    return (base or "file")[:200]


def read_checked(fileobj: IO[bytes], size: int | None) -> tuple[bytes, str, str, str]:
    """Read the upload (bounded), returning (content, content type, extension, sha256)."""
    if size is not None and size > MAX_BYTES:
        raise ServiceError(f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB.", field="file", code="too_large")
    content = fileobj.read(MAX_BYTES + 1)
    if len(content) > MAX_BYTES:
        raise ServiceError(f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB.", field="file", code="too_large")
    if not content:
        raise ServiceError("The file is empty.", field="file", code="empty")
    mime, ext = sniff(content[:8192])
    return content, mime, ext, hashlib.sha256(content).hexdigest()


def new_stored_name(ext: str) -> str:
    return f"{uuid.uuid4().hex}.{ext}"
