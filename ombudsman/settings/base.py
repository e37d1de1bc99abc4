"""Settings shared by every environment. Values come only from the environment (django-environ)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()

SECRET_KEY = env("DJANGO_SECRET_KEY")
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=[])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "csp",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "oauth2_provider",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "accounts",
    "agencies",
    "citizens",
    "complaints",
    "outbox",
    "ops",
    "clocks",
    "agency_api",
    "tribunal",
    "privacy",
    # The web interfaces: citizens' pages, officers' pages, public pages, agency pages.
    "portal",
    "officer",
    "public",
    "agency_portal",
]

MIDDLEWARE = [
    # First: refuses an oversized body (413) or one without a length (411) before anything reads it.
    "ombudsman.middleware.BodySizeLimitMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "csp.middleware.CSPMiddleware",
    "agency_api.middleware.RequestIdMiddleware",  # Request-Id on every response
    "agency_api.middleware.ApiNotFoundMiddleware",  # problem+json 404 under /api/, also with DEBUG
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "ombudsman.middleware.NoStoreMiddleware",  # Cache-Control: no-store for signed-in people and the API
    "django.contrib.messages.middleware.MessageMiddleware",
    # Staff and agency users: a second factor before any page, 30 min idle, 12 h absolute.
    "accounts.middleware.StaffSecurityMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

# Content-Security-Policy (django-csp 4): no inline script or style anywhere, nothing from other
# origins. HTMX is configured by a <meta> (no inline indicator styles, no eval); the TOTP QR code is
# a data: image. The API docs (Swagger UI) load their init script from their own URL
# (SpectacularSwaggerSplitView) and relax only style-src on that one page (ombudsman/urls.py).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    },
}
# Powerful browser features the service never uses are switched off for every page (WebAuthn,
# publickey-credentials-*, keeps its same-origin default).
PERMISSIONS_POLICY: dict[str, list[str]] = {
    feature: []
    for feature in (
        "accelerometer",
        "ambient-light-sensor",
        "autoplay",
        "bluetooth",
        "browsing-topics",
        "camera",
        "display-capture",
        "encrypted-media",
        "geolocation",
        "gyroscope",
        "hid",
        "idle-detection",
        "local-fonts",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
}
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

ROOT_URLCONF = "ombudsman.urls"
WSGI_APPLICATION = "ombudsman.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'ombudsman.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Web, worker and beat share one file: wait for locks instead of failing, and take the
    # write lock at BEGIN so a read-then-write transaction never deadlocks.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 30,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DATABASE_CONN_MAX_AGE", default=60))
# A persistent connection is checked before a request reuses it (no 500 after a database restart).
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# Redis in production (throttling must hold across processes); local memory for development.
CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("zh-hans", _("Simplified Chinese"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env("TIME_ZONE", default="Asia/Shanghai")
USE_I18N = True
USE_TZ = True

# Request bodies (ombudsman.middleware.BodySizeLimitMiddleware, first in MIDDLEWARE, and the
# reverse proxy's client_max_body_size in docker-compose): an upload form sends at most 10 files
# (an information request answer) of at most 10 MB each (kernel.uploads.MAX_BYTES), so a multipart
# body may be 101 MB (10 x 10 MB + 1 MB of form fields); any other body 2.5 MB (Django's default
# DATA_UPLOAD_MAX_MEMORY_SIZE). Files above 2.5 MB go to FILE_UPLOAD_TEMP_DIR while parsed.
REQUEST_BODY_MAX_BYTES = env.int("REQUEST_BODY_MAX_BYTES", default=101 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000
DATA_UPLOAD_MAX_NUMBER_FILES = 20
# A case holds at most this many evidence files (complaints.services.attachment_add refuses more).
MAX_ATTACHMENTS_PER_CASE = env.int("MAX_ATTACHMENTS_PER_CASE", default=50)

STATIC_URL = "static/"
STATIC_ROOT = env("STATIC_ROOT", default=str(VAR_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = env("MEDIA_ROOT", default=str(VAR_DIR / "media"))
MEDIA_URL = "media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Personal data protection: one key ring (kernel.crypto) encrypts every stored secret: national
# ID numbers, webhook secrets (Fernet, comma-separated keys, NEWEST FIRST; `manage.py rotate_keys`
# re-encrypts under the newest). ID numbers are matched by an HMAC-SHA256 keyed hash. No key lives
# in the DB. ENCRYPTION_KEYS is the name; NATIONAL_ID_ENCRYPTION_KEYS (the older one) still works.
ENCRYPTION_KEYS = env.list("ENCRYPTION_KEYS", default=[]) or env.list("NATIONAL_ID_ENCRYPTION_KEYS", default=[])
if not ENCRYPTION_KEYS:
    raise ImproperlyConfigured("Set ENCRYPTION_KEYS (Fernet keys, comma-separated, newest first).")
NATIONAL_ID_HMAC_KEY = env("NATIONAL_ID_HMAC_KEY")

# Celery: the database is the source of truth; tasks are idempotent and acknowledged late.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="filesystem://")
if CELERY_BROKER_URL.startswith("filesystem"):
    for _sub in ("out", "processed", "control"):
        (VAR_DIR / "broker" / _sub).mkdir(parents=True, exist_ok=True)
CELERY_BROKER_TRANSPORT_OPTIONS = (
    {
        "data_folder_in": str(VAR_DIR / "broker" / "out"),
        "data_folder_out": str(VAR_DIR / "broker" / "out"),
        "processed_folder": str(VAR_DIR / "broker" / "processed"),
        # kombu's exchange tables (it writes them to ./control by default)
        "control_folder": str(VAR_DIR / "broker" / "control"),
        "store_processed": False,
    }
    if CELERY_BROKER_URL.startswith("filesystem")
    else {"visibility_timeout": 3600}
)
# Publishing never blocks a request for long: if the broker is down, the outbox row is already
# committed and the periodic relay delivers it later.
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5}
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_TASK_DEFAULT_QUEUE", default="default")
# Queues by kind, so that webhooks to slow agencies cannot starve reminders or emails: the clock
# sweep, emails, webhooks, the webhooks of agencies whose endpoint is slow, and everything else
# (default). `python3 dev.py run` starts a worker consuming all of them; docker-compose runs one
# worker per group. CELERY_ROUTE_BY_KIND=false sends every task to the default queue (tests).
CELERY_QUEUES_BY_KIND = ("sweep", "email", "webhooks", "webhooks_slow")
CELERY_TASK_ROUTES = (
    {
        "clocks.tasks.sweep_clocks": {"queue": "sweep"},
        "outbox.tasks.relay_email": {"queue": "email"},
        "outbox.tasks.relay_webhooks": {"queue": "webhooks"},
        "outbox.tasks.relay_webhooks_slow": {"queue": "webhooks_slow"},
    }
    if env.bool("CELERY_ROUTE_BY_KIND", default=True)
    else {}
)
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE: dict[str, dict[str, object]] = {
    # The outbox relay, one task per lane (each on its own queue); kicked on commit as well.
    "outbox-relay-email": {"task": "outbox.tasks.relay_email", "schedule": timedelta(seconds=30)},
    "outbox-relay-webhooks": {"task": "outbox.tasks.relay_webhooks", "schedule": timedelta(seconds=30)},
    "outbox-relay-webhooks-slow": {"task": "outbox.tasks.relay_webhooks_slow", "schedule": timedelta(seconds=30)},
    # Legal clocks: the database is the source of truth; the sweep claims what is due (clocks app).
    "clocks-sweep": {"task": "clocks.tasks.sweep_clocks", "schedule": timedelta(minutes=1)},
    # Public statistics: the rollup reads the timeline events written since its last run.
    "statistics-refresh": {"task": "public.tasks.refresh_statistics", "schedule": timedelta(minutes=1)},
    # Agency API: Idempotency-Key records live 24 hours.
    "agency-api-idempotency-purge": {
        "task": "agency_api.tasks.purge_idempotency_records",
        "schedule": timedelta(hours=1),
    },
    # Representation (a parent, guardian or lawyer acting for a person) ends when its time is up.
    "expire-representations": {"task": "citizens.tasks.expire_representations", "schedule": timedelta(hours=1)},
    # Expired sessions (they hold filing drafts) and expired OAuth tokens are deleted daily.
    "clear-expired-sessions": {"task": "ops.tasks.clear_expired_sessions", "schedule": timedelta(hours=6)},
    "clear-expired-oauth-tokens": {"task": "ops.tasks.clear_expired_oauth_tokens", "schedule": timedelta(hours=6)},
    "clear-staged-files": {"task": "ops.tasks.clear_staged_files", "schedule": timedelta(hours=6)},
    # The retention schedule (RETENTION below), applied nightly at 02:30 (privacy.services.retention_run).
    "apply-retention": {"task": "ops.tasks.apply_retention", "schedule": crontab(hour=2, minute=30)},
}

# The retention schedule (docs/retention.md): how long each kind of personal data is kept, counted
# from the moment it stopped serving its purpose (PIPL art. 19: no longer than the purpose needs).
# The nightly job erases what is older; each entry can be set from the environment in days.
RETENTION: dict[str, timedelta] = {
    # a case's personal data (the citizen's statement, messages, answers), from its closure
    "closed_case": timedelta(days=env.int("RETENTION_CLOSED_CASE_DAYS", default=3 * 365)),
    # evidence files (the citizen's, the agency's, information-request documents), from closure
    "evidence_files": timedelta(days=env.int("RETENTION_EVIDENCE_FILES_DAYS", default=365)),
    # the access log ("who viewed my file"), from the read
    "access_log": timedelta(days=env.int("RETENTION_ACCESS_LOG_DAYS", default=3 * 365)),
    # a session (it holds filing drafts): its lifetime (SESSION_COOKIE_AGE); expired ones go every 6 h
    "sessions": timedelta(days=env.int("RETENTION_SESSIONS_DAYS", default=14)),
    # an agency client's OAuth refresh token (its lifetime; django-oauth-toolkit cleartokens deletes
    # it and expired access tokens every 6 h)
    "oauth_tokens": timedelta(days=env.int("RETENTION_OAUTH_TOKENS_DAYS", default=30)),
    # an email's or webhook's payload (names, case text), once delivered or given up
    "outbox_payloads": timedelta(days=env.int("RETENTION_OUTBOX_PAYLOADS_DAYS", default=90)),
    # claim codes and ID-number matches, once used, revoked, expired or resolved
    "identity_claims": timedelta(days=env.int("RETENTION_IDENTITY_CLAIMS_DAYS", default=365)),
    # a representative's proof of authority, once the representation was refused, ended or expired
    "representation_proofs": timedelta(days=env.int("RETENTION_REPRESENTATION_PROOFS_DAYS", default=365)),
    # the re-insertion watch (the ID number's keyed hash, the record id), from the deletion order
    "reinsertion_watch": timedelta(days=env.int("RETENTION_REINSERTION_WATCH_DAYS", default=5 * 365)),
}
SESSION_COOKIE_AGE = int(RETENTION["sessions"].total_seconds())

# Cookies: never readable by scripts (HTMX sends the CSRF token from the page), same-site only.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_HTTPONLY = True
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24  # a reset link works for one day

# Accounts: django-allauth (sign-up, sign-in, email verification, password reset) and allauth.mfa
# (TOTP, WebAuthn, recovery codes). Mail leaves through the outbox (accounts.adapter).
AUTHENTICATION_BACKENDS = ["accounts.backends.AuthenticationBackend"]
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
MFA_ADAPTER = "accounts.adapter.MFAAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_SIGNUP_FORM_CLASS = "portal.forms.SignUpExtraForm"
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_EMAIL_VERIFICATION_BY_CODE_ENABLED = False
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = True
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_SIGNUP_REDIRECT_URL = "file-record"
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if not DEBUG else "http"
# allauth's rate limits (counted in the default cache: Redis in production). Failed sign-ins: 10
# a minute per address and 5 per 5 minutes per account (then the account is locked until the
# window passes or the password is reset); sign-up, reset and confirmation mails are limited too.
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/300s/key",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/h/key",
    "reset_password_from_key": "20/m/ip",
    "confirm_email": "1/3m/key",
    "reauthenticate": "10/m/user",
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
    # not allauth's: claim codes typed on /people/claim/ (portal.views.claim_record)
    "claim_record": "5/h/user,20/h/ip",
}
MFA_SUPPORTED_TYPES = ["totp", "webauthn", "recovery_codes"]
MFA_TOTP_ISSUER = "Credit Ombudsman"
MFA_TOTP_TOLERANCE = 1
MFA_PASSKEY_LOGIN_ENABLED = False
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = DEBUG  # WebAuthn on http://127.0.0.1 in development only
# Staff and agency users (accounts.middleware): idle and absolute session limits.
STAFF_SESSION_IDLE_SECONDS = env.int("STAFF_SESSION_IDLE_SECONDS", default=30 * 60)
STAFF_SESSION_MAX_SECONDS = env.int("STAFF_SESSION_MAX_SECONDS", default=12 * 60 * 60)

EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Ombudsman <no-reply@ombudsman.example>")
OMBUDSMAN_BASE_URL = env("OMBUDSMAN_BASE_URL", default="http://127.0.0.1:8000")

# django-oauth-toolkit: agencies' machine clients use the client-credentials grant. Adopt the
# RFC 9700 (OAuth 2.0 Security BCP) behaviour everywhere: hashed tokens, no implicit or password
# grant, no tokens in query strings, https-only redirect URIs.
OAUTH2_PROVIDER = {
    "ACCESS_TOKEN_EXPIRE_SECONDS": 3600,
    "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PASSWORD_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,
    "COMPLIANT_BCP_RFC9700_ACCESS_TOKEN_TRANSPORT": True,
    "COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS": True,
    "COMPLIANT_BCP_RFC9700_TOKEN_STORAGE": True,
    "COMPLIANT_BCP_RFC9700_REFRESH_TOKEN": True,
    "COMPLIANT_BCP_RFC9700_REDIRECT_URI_SCHEME": True,
    "REFRESH_TOKEN_REUSE_PROTECTION": True,
    # A refresh token lives this long; cleartokens (ops.cleanup) then deletes it with its access
    # token (access tokens without one go when they expire): the retention schedule's "oauth_tokens".
    "REFRESH_TOKEN_EXPIRE_SECONDS": int(RETENTION["oauth_tokens"].total_seconds()),
    "ALLOWED_REDIRECT_URI_SCHEMES": ["https"],
    # Agency API clients (agency_api.ApiClient): one scope; client secrets are hashed (DOT default).
    "SCOPES": {"agency": "Act for your agency on the cases referred to it"},
    "DEFAULT_SCOPES": ["agency"],
    "OAUTH2_VALIDATOR_CLASS": "agency_api.oauth.AgencyOAuth2Validator",
    # Read-only in the admin (kernel.admin): clients change through agency_api.services only.
    "APPLICATION_ADMIN_CLASS": "agency_api.oauth_admin.ApplicationAdmin",
    "ACCESS_TOKEN_ADMIN_CLASS": "agency_api.oauth_admin.AccessTokenAdmin",
    "REFRESH_TOKEN_ADMIN_CLASS": "agency_api.oauth_admin.RefreshTokenAdmin",
    "GRANT_ADMIN_CLASS": "agency_api.oauth_admin.GrantAdmin",
    "ID_TOKEN_ADMIN_CLASS": "agency_api.oauth_admin.IDTokenAdmin",
}
OAUTH2_PROVIDER_APPLICATION_MODEL = "oauth2_provider.Application"  # referenced by agency_api.ApiClient
# Agency API: per-client throttle (counted in the default cache: Redis when CACHE_URL is set),
# and the webhook SSRF guard: private address kinds deliveries may reach (tests: ["loopback"]).
AGENCY_API_THROTTLE_RATE = env("AGENCY_API_THROTTLE_RATE", default="1200/minute")
# /o/token/ (agency_api.token_views): requests per address, and refused attempts per client id
# before it is locked for the rest of the window (even with the right secret). The address is
# REMOTE_ADDR, or behind TRUSTED_PROXY_COUNT reverse proxies (docker-compose: 1, nginx) the one
# they saw in X-Forwarded-For.
OAUTH_TOKEN_RATE_PER_ADDRESS = env("OAUTH_TOKEN_RATE_PER_ADDRESS", default="30/minute")
OAUTH_TOKEN_FAILURES_PER_CLIENT = env("OAUTH_TOKEN_FAILURES_PER_CLIENT", default="10/15m")
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
WEBHOOK_ALLOW_PRIVATE_ADDRESSES = env.list("WEBHOOK_ALLOW_PRIVATE_ADDRESSES", default=[])
WEBHOOK_TIMEOUT_SECONDS = env.float("WEBHOOK_TIMEOUT_SECONDS", default=10.0)
WEBHOOK_CONNECT_TIMEOUT_SECONDS = env.float("WEBHOOK_CONNECT_TIMEOUT_SECONDS", default=5.0)
# Development only: a PEM bundle of a private CA to trust for webhook TLS (default: public CAs).
WEBHOOK_CA_BUNDLE = env("WEBHOOK_CA_BUNDLE", default="")
# The outbox relay (outbox.services): the lease of a claimed batch (a batch holds no more messages
# than the lease covers at the worst case), the claim size, one task's time budget before it kicks
# itself again, and how slow a webhook answer must be to move the agency to the slow lane.
OUTBOX_LEASE_SECONDS = env.float("OUTBOX_LEASE_SECONDS", default=300.0)
OUTBOX_RELAY_BATCH_SIZE = env.int("OUTBOX_RELAY_BATCH_SIZE", default=100)
OUTBOX_RELAY_TIME_BUDGET_SECONDS = env.float("OUTBOX_RELAY_TIME_BUDGET_SECONDS", default=50.0)
OUTBOX_SLOW_SECONDS = env.float("OUTBOX_SLOW_SECONDS", default=2.0)
EMAIL_TIMEOUT = env.float("EMAIL_TIMEOUT", default=10.0)

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    # RFC 9457 problem details for every error of the whole API.
    "EXCEPTION_HANDLER": "agency_api.problems.problem_exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Ombudsman case service API",
    "DESCRIPTION": "Public and agency API of the independent credit ombudsman.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI is served from our own static files (the service must work offline, no CDN).
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Adds the agency integration guide (auth, errors, idempotency, webhooks) to the docs.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "agency_api.schema.postprocess_schema",
    ],
    # Distinct names for choice sets that share a field name across apps.
    "ENUM_NAME_OVERRIDES": {
        "DeterminationOutcomeEnum": "tribunal.models.Outcome",
        "InformationRequestStatusEnum": "tribunal.models.InformationRequestStatus",
        "CorrectionOrderStatusEnum": "tribunal.models.OrderStatus",
        "AgencyOutcomeEnum": "complaints.models.AgencyOutcome",
        "ComplaintStatusEnum": "complaints.models.STATUS_CHOICES",
        "WebhookEventStatusEnum": "outbox.models.OutboxStatus",
        "DecisionPartyEnum": "tribunal.models.CommentParty",
        "ReviewOutcomeEnum": "tribunal.models.ReviewOutcome",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    # WeasyPrint (PDF letters) reports each rendering step at INFO.
    "loggers": {"django.db.backends": {"level": "WARNING"}, "weasyprint": {"level": "WARNING"}},
}
