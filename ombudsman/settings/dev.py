"""Local development: SQLite and a file-system Celery broker, so nothing else needs installing.

Development-only keys are set here as defaults; every one can be overridden from the environment.
"""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "dev-only-insecure-secret-key-change-me")
os.environ.setdefault("DJANGO_DEBUG", "true")
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
# Fernet key (32 url-safe base64 bytes) and HMAC key for development only.
if "NATIONAL_ID_ENCRYPTION_KEYS" not in os.environ:  # the older name still counts
    os.environ.setdefault("ENCRYPTION_KEYS", "ZGV2LW9ubHktZW5jcnlwdGlvbi1rZXktMzItYnl0ZXM=")
os.environ.setdefault("NATIONAL_ID_HMAC_KEY", "dev-only-hmac-key-for-national-id-matching")

from .base import *
