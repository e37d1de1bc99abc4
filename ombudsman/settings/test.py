"""Test settings: the database and broker come from the environment (SQLite and an in-memory
broker by default; PostgreSQL and Redis in CI)."""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-secret-key")
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
if "NATIONAL_ID_ENCRYPTION_KEYS" not in os.environ:  # the older name still counts
    os.environ.setdefault("ENCRYPTION_KEYS", "dGVzdC1vbmx5LWVuY3J5cHRpb24ta2V5LTMyLWJ5dGU=")
os.environ.setdefault("NATIONAL_ID_HMAC_KEY", "test-only-hmac-key")
os.environ.setdefault(
    "DATABASE_URL", "sqlite:///" + os.path.join(os.path.dirname(__file__), "..", "..", "var", "test.sqlite3")
)
os.environ.setdefault("CELERY_BROKER_URL", "memory://")

from .base import *

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = str(VAR_DIR / "test-media")
# Every test fetches tokens from 127.0.0.1; the token endpoint's own tests set tight limits.
OAUTH_TOKEN_RATE_PER_ADDRESS = "100000/minute"
REQUIRE_SERVICES = env.bool("REQUIRE_SERVICES", default=False)
# WhiteNoise warns about a missing STATIC_ROOT on every request otherwise.
os.makedirs(STATIC_ROOT, exist_ok=True)
