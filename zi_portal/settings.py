"""Portal ZI settings: one file, everything from environment variables with safe defaults.

With no environment at all the portal runs on the embedded default: SQLite file, local ``media/`` folder,
Celery tasks executed eagerly (no Redis needed), e-mail to the console and ``DEBUG`` on.
Production sets ``DEBUG=false``, ``SECRET_KEY``, ``DATABASE_URL``, ``REDIS_URL`` and ``MEDIA_ROOT``.
Every variable is documented in ``.env.example``.
"""
from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
if (BASE_DIR / ".env").exists():
    environ.Env.read_env(BASE_DIR / ".env")

DEBUG = env.bool("DEBUG", default=True)
# The embedded demo (`make run`, `make demo`; README "Two commands"): lets `seed_demo` plant the demo people with
# their known password and `make_demo_certificate` make the demo signing certificate even with DEBUG off, and signs
# with that certificate by default. Never set in production: `check --deploy` warns about it.
DEMO_MODE = env.bool("DEMO_MODE", default=False)
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "django-insecure-local-default-only-for-the-embedded-demo"

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "zi_portal.admin.PortalAdminConfig",  # django.contrib.admin with checked action selections
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "import_export",
    "csp",
    "axes",
    "actionplan",
    "evidence",
    "monev",
    "notifications",
    "lke",
    "programme",
    "public",
    "zi_portal",  # the project package: home page, navigation counts, seed_demo (it reads across the apps)
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Before any view or process_view reads a body: a body past UPLOAD_MAX_REQUEST_MB is refused unread, and a
    # client past the rate limit of a public page gets 429 unread.
    "zi_portal.lib.limits.RequestBodyLimitMiddleware",
    "zi_portal.lib.ratelimit.RateLimitMiddleware",
    # Last, as django-axes asks: turns a locked-out login attempt into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "zi_portal.urls"
WSGI_APPLICATION = "zi_portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "zi_portal.nav.memberships",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"].setdefault("ATOMIC_REQUESTS", False)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A busy timeout keeps the embedded default usable when the dev server and a command write at once.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("timeout", 20)
else:
    # Production keeps each worker's connection for a minute instead of opening one per request (opening one
    # costs PostgreSQL about 5 ms of CPU, a quarter of a dashboard request: benchmarks/load.sh), and checks it
    # before reuse so a restarted database is no error. `?conn_max_age=N` in DATABASE_URL overrides.
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=0 if DEBUG else 60))
    DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# django-axes first: it refuses a locked-out username+IP before any password is checked.
AUTHENTICATION_BACKENDS = [
    "zi_portal.lib.auth.LockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
CSRF_FAILURE_VIEW = "zi_portal.errors.csrf_failure"  # Indonesian, like the other error pages
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# The portal speaks Bahasa Indonesia. Source strings are written in Indonesian and marked for translation,
# so another language can be added with a locale file without touching templates.
LANGUAGE_CODE = "id"
LANGUAGES = [("id", "Bahasa Indonesia")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Jakarta"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
# Front-end assets come from the npm registry (`npm ci`) and are served from node_modules, never from a CDN.
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/bootstrap", BASE_DIR / "node_modules" / "bootstrap" / "dist"),
]
MEDIA_URL = "/media/"  # never served publicly: files go through permission-checked views
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Production: hashed, compressed files made by `manage.py collectstatic`, served by whitenoise with far-future
    # cache headers. The plain storage while DEBUG is on, so the embedded run needs no collectstatic.
    "staticfiles": {
        "BACKEND": env.str("STATICFILES_BACKEND", default="django.contrib.staticfiles.storage.StaticFilesStorage"
                           if DEBUG else "whitenoise.storage.CompressedManifestStaticFilesStorage")
    },
}
# whitenoise serves the files straight from the finders (static/, node_modules, the apps) instead of STATIC_ROOT:
# on by default while DEBUG is on, and set by `make run` (DEBUG off, no collectstatic to wait for).
WHITENOISE_USE_FINDERS = env.bool("WHITENOISE_USE_FINDERS", default=DEBUG)
# Object storage (S3 or S3-compatible such as MinIO) for evidence and reports when a bucket is named; the local
# MEDIA_ROOT folder otherwise. Objects are private; a URL to one is signed and lives AWS_QUERYSTRING_EXPIRE seconds.
# Download views check the permission first, then stream the file or redirect to a signed URL (FILE_DELIVERY).
AWS_QUERYSTRING_EXPIRE = env.int("AWS_QUERYSTRING_EXPIRE", default=60)
AWS_STORAGE_BUCKET_NAME = env.str("AWS_STORAGE_BUCKET_NAME", default="") or env.str("S3_BUCKET", default="")
if AWS_STORAGE_BUCKET_NAME:
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", default="") or None,
            "region_name": env.str("AWS_S3_REGION_NAME", default="") or None,
            # Credentials may also come from boto3's own chain (AWS_ACCESS_KEY_ID/…, instance profile).
            "access_key": env.str("AWS_ACCESS_KEY_ID", default="") or None,
            "secret_key": env.str("AWS_SECRET_ACCESS_KEY", default="") or None,
            "addressing_style": env.str("AWS_S3_ADDRESSING_STYLE", default="") or None,
            "signature_version": "s3v4",
            "default_acl": "private",
            "querystring_auth": True,
            "querystring_expire": AWS_QUERYSTRING_EXPIRE,
            "file_overwrite": False,
        },
    }

# How download views hand a file over after their permission check (zi_portal/lib/files.py): "stream" through
# the app (default), "accel" (nginx X-Accel-Redirect to FILE_ACCEL_PREFIX, deploy/nginx.conf) or "redirect" (a
# signed URL of the object storage that lives AWS_QUERYSTRING_EXPIRE seconds; needs AWS_STORAGE_BUCKET_NAME).
FILE_DELIVERY = env.str("FILE_DELIVERY", default="stream")
FILE_ACCEL_PREFIX = env.str("FILE_ACCEL_PREFIX", default="/protected-media/")
if FILE_DELIVERY not in {"stream", "accel", "redirect"}:
    raise ImproperlyConfigured("FILE_DELIVERY must be stream, accel or redirect.")
if FILE_DELIVERY == "redirect" and not AWS_STORAGE_BUCKET_NAME:
    raise ImproperlyConfigured("FILE_DELIVERY=redirect needs object storage (AWS_STORAGE_BUCKET_NAME).")

# Evidence uploads: per-file limit. Larger requests stream to a temporary file, never held whole in memory.
EVIDENCE_MAX_UPLOAD_MB = env.int("EVIDENCE_MAX_UPLOAD_MB", default=25)
# Images announcing more pixels than this in their header are refused (a 65535² PNG is a few KB).
EVIDENCE_MAX_IMAGE_PIXELS = env.int("EVIDENCE_MAX_IMAGE_PIXELS", default=80_000_000)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_TEMP_DIR = env.str("FILE_UPLOAD_TEMP_DIR", default=None)
DATA_UPLOAD_MAX_NUMBER_FILES = 20
# A request body larger than this is answered 413 unread (several files of one upload share it); one file stops
# being read as soon as it passes EVIDENCE_MAX_UPLOAD_MB (zi_portal/lib/limits.py).
UPLOAD_MAX_REQUEST_MB = env.int("UPLOAD_MAX_REQUEST_MB", default=4 * EVIDENCE_MAX_UPLOAD_MB)
FILE_UPLOAD_HANDLERS = [
    "zi_portal.lib.limits.LimitedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

IMPORT_EXPORT_FORMATS = [
    "import_export.formats.base_formats.XLSX",
    "import_export.formats.base_formats.CSV",
    "import_export.formats.base_formats.TSV",
]

EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Portal ZI <portal-zi@localhost>")
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)

# Celery: with REDIS_URL the tasks go to a real worker; without it they run eagerly in-process.
REDIS_URL = env.str("REDIS_URL", default="")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or None
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = TIME_ZONE
# A task is acknowledged after it ran, and a task whose worker process died is put back on the queue, so a
# killed worker loses nothing; every task is written to run twice safely (STYLE.md §4).
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Redis hands an unacknowledged message (its whole worker machine died) to another worker after this long.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600)}
# A report render still "queued" after this many minutes (the broker was down) is queued again by beat.
RENDER_REQUEUE_MINUTES = env.int("RENDER_REQUEUE_MINUTES", default=5)

# Deadline reminders (notifications/reminders.py), sent daily at 07:00 Asia/Jakarta (zi_portal/celery.py).
# Before the due date (H-7, H-3, H-1) to the people responsible; overdue (H+1) adds the Ketua Tim; escalation
# (H+7) adds the Kepala Dinas. A missed notice is caught up for at most REMINDER_CATCH_UP_DAYS after its day.
REMINDER_DAYS_BEFORE = env.list("REMINDER_DAYS_BEFORE", cast=int, default=[7, 3, 1])
REMINDER_OVERDUE_DAYS = env.int("REMINDER_OVERDUE_DAYS", default=1)
REMINDER_ESCALATION_DAYS = env.int("REMINDER_ESCALATION_DAYS", default=7)
REMINDER_CATCH_UP_DAYS = env.int("REMINDER_CATCH_UP_DAYS", default=30)
# Full links in e-mails (no request to take the host from): the address people open the portal with.
PORTAL_BASE_URL = env.str("PORTAL_BASE_URL", default="http://127.0.0.1:8000")

# Cache: per-process memory by default, Redis when REDIS_URL is set (shared by every gunicorn worker).
# The dashboard caches its rendered figures under a key that changes with every audited change of the unit.
# The cache only saves work: a Redis that is down is a miss, never an error page (zi_portal/lib/cache.py).
CACHES = {"default": {"BACKEND": "zi_portal.lib.cache.TolerantRedisCache", "LOCATION": REDIS_URL,
                      "KEY_PREFIX": "zi", "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1}}
          if REDIS_URL else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
DASHBOARD_CACHE_SECONDS = env.int("DASHBOARD_CACHE_SECONDS", default=300)

# Signing the semester Monev report (PAdES). Production: the unit's PKCS#12 uploaded in the admin (stored
# encrypted), or MONEV_SIGNING_P12_PATH + MONEV_SIGNING_P12_PASSPHRASE. The local default uses the demo
# certificate made by `manage.py make_demo_certificate` in MONEV_SIGNING_DIR (passphrase in the file beside it).
MONEV_SIGNING_DIR = Path(env.str("MONEV_SIGNING_DIR", default=str(BASE_DIR / "var" / "signing")))
MONEV_SIGNING_P12_PATH = env.str("MONEV_SIGNING_P12_PATH",
                                 default=str(MONEV_SIGNING_DIR / "demo-signing.p12") if DEBUG or DEMO_MODE else "")
MONEV_SIGNING_P12_PASSPHRASE = env.str("MONEV_SIGNING_P12_PASSPHRASE", default="")
MONEV_SIGNING_TRUST_ROOTS = env.list("MONEV_SIGNING_TRUST_ROOTS",
                                     default=[str(MONEV_SIGNING_DIR / "demo-ca.pem")] if DEBUG or DEMO_MODE
                                     else [])
# The public verification page (monev/services.py: verification_check) bounds its work: an upload is compared by
# SHA-256 first; the signatures of another file are examined only when it is at most twice the report's size plus
# 1 MB and holds at most MONEV_VERIFY_MAX_SIGNATURES signatures, in a child process stopped after
# MONEV_VERIFY_CPU_SECONDS of CPU. The page trusts MONEV_SIGNING_TRUST_ROOTS except the demo CA, never trusted.
MONEV_VERIFY_MAX_SIGNATURES = env.int("MONEV_VERIFY_MAX_SIGNATURES", default=4)
MONEV_VERIFY_CPU_SECONDS = env.int("MONEV_VERIFY_CPU_SECONDS", default=5)
# At most this many signature checks run at once in the installation (counted in the cache): the others are told
# to try again in a moment, so hostile uploads never occupy every gunicorn worker.
MONEV_VERIFY_CONCURRENCY = env.int("MONEV_VERIFY_CONCURRENCY", default=1)
# Smaller body limits per URL name, in MB, refused unread like UPLOAD_MAX_REQUEST_MB: a signed report is far smaller.
BODY_LIMITS_MB = {"monev:verify": env.int("MONEV_VERIFY_MAX_UPLOAD_MB", default=5)}
# Per client (address) and URL name: (requests, seconds). Code lookups of the verification page and its uploads.
def _rate(name: str, default: str) -> tuple[int, int]:
    """"30/60" → (30, 60): 30 requests per 60 seconds."""
    count, _, seconds = env.str(name, default=default).partition("/")
    return int(count), int(seconds or 60)


RATE_LIMITS = {
    "monev:verify": {"GET": _rate("RATE_LIMIT_VERIFY_LOOKUPS", "30/60"),
                     "POST": _rate("RATE_LIMIT_VERIFY_CHECKS", "6/60")},
}

# Backups (`manage.py backup`/`restore`): the manifest is signed with an HMAC keyed by BACKUP_KEY; keep the key
# apart from the backups (a password manager, the server's secret store). Without it backups are unsigned.
BACKUP_KEY = env.str("BACKUP_KEY", default="")

# Demo data (seed_demo) password; the command refuses to run unless DEBUG or DEMO_MODE is on.
DEMO_PASSWORD = env.str("DEMO_PASSWORD", default="zi-demo-2019")

# Production hardening (`make prod-check` runs `check --deploy` with no warnings). Every switch follows DEBUG by
# default and can be set on its own.
# Behind a reverse proxy (deploy/nginx.conf) that sets X-Forwarded-Proto and X-Real-IP: trust them. Only safe when
# the app is reachable through the proxy alone (gunicorn binds 127.0.0.1).
BEHIND_PROXY = env.bool("BEHIND_PROXY", default=False)
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # load balancers probe over plain HTTP
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
# The preload directive only matters once the domain is submitted to the browsers' preload list.
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_REFERRER_POLICY = env.str("SECURE_REFERRER_POLICY", default="same-origin")
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 3600)  # one working day
SESSION_EXPIRE_AT_BROWSER_CLOSE = env.bool("SESSION_EXPIRE_AT_BROWSER_CLOSE", default=True)

# Content-Security-Policy (django-csp 4): only the portal's own files; no inline script or style, no plugins, no
# framing. The dashboard's SVG chart is inline markup with presentation attributes, which CSP does not restrict.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
    },
}

# Login lockout (django-axes): AXES_FAILURE_LIMIT failed logins for the same username from the same address lock
# that pair for AXES_COOLOFF_MINUTES; a successful login resets the count. The page: registration/locked.html.
# Calls of authenticate() without a request (commands, the shell, a test client's login()) pass by the lockout
# (zi_portal.lib.auth.LockoutBackend): they are no login over the network.
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=30))
AXES_LOCKOUT_PARAMETERS = [env.list("AXES_LOCKOUT_PARAMETERS", default=["username", "ip_address"])]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked.html"
# Behind the proxy every request comes from its address; the client's is in the header it sets (one helper for
# the lockout and the audit trail).
AXES_CLIENT_IP_CALLABLE = "zi_portal.lib.client.client_ip"
AXES_USERNAME_CALLABLE = "zi_portal.lib.auth.lockout_username"  # no database error on a huge or NUL username

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}

# The public transparency pages (public/): how long a rendered page or open-data file is served from the cache
# (a change in the unit shows within this time; switching a page off or changing its settings shows at once),
# and the rate limit per client address (requests per window of seconds; 0 = off).
PUBLIC_CACHE_SECONDS = env.int("PUBLIC_CACHE_SECONDS", default=120)
PUBLIC_RATE_LIMIT = env.int("PUBLIC_RATE_LIMIT", default=120)
PUBLIC_RATE_WINDOW = env.int("PUBLIC_RATE_WINDOW", default=60)
