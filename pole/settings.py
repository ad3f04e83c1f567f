"""Settings for Pôle, read from the environment.

A fresh checkout runs with no variable set (debug on, SQLite file beside the
code); production differs only by environment variables. See README.md for the
table of variables.
"""

import datetime
import importlib.util
import ipaddress
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from pole.env import env_bool, env_bytes, env_decimal, env_int, env_int_list, env_list, env_str
from pole.object_storage import s3_storages

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DJANGO_DEBUG", True)

# The key is only optional while debugging: a production process refuses to
# start without one rather than sign sessions with a published value.
SECRET_KEY = env_str("DJANGO_SECRET_KEY", required=not DEBUG) or "insecure-development-key-only-for-debug"

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "backoffice.apps.PoleAdminConfig",  # django.contrib.admin with the staff dashboard (backoffice/admin_site.py)
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",  # its widget templates, for FORM_RENDERER below
    "crispy_forms",
    "crispy_bootstrap5",
    "simple_history",
    "pole.apps.LoginThrottlingConfig",  # django-axes, login throttling: a lock per e-mail address and client address (see below)
    "bootstrap",
    "members",
    "activities",
    "partners",
    "reports",
    "backoffice",
    "demo",
    "performance",
    "pole.apps.PoleConfig",  # project-wide commands; its import and export replace the package's
    "import_export",  # after pole, whose import/export commands replace the package's
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Before WhiteNoise, whose static files skip the middleware below it.
    "pole.middleware.SecurityHeadersMiddleware",
    # Compresses public pages last, after every other middleware wrote them; never a page
    # that carries a secret (BREACH: see the class).
    "pole.middleware.PublicGZipMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "pole.middleware.FrenchFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Forms offer the fiscal years that have data; read them once per request.
    "pole.fiscal_years.FiscalYearChoicesMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes requires: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "pole.urls"

# Widgets render with the project's template engine, so that templates/ may override a
# widget's template (the admin's file input shows the current image as a thumbnail).
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

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
                "django.template.context_processors.i18n",
                "pole.context_processors.network",
            ],
        },
    },
]

WSGI_APPLICATION = "pole.wsgi.application"

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0, minimum=0),
    )
}
if DATABASES["default"]["ENGINE"] not in (
    "django.db.backends.sqlite3",
    "django.db.backends.postgresql",
):
    raise ImproperlyConfigured("DATABASE_URL must point at SQLite or PostgreSQL")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "members.User"

# Axes' backend comes first: it refuses a locked-out login before any password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Internationalisation: French (Canada) first, English available.
LANGUAGE_CODE = "fr-ca"
LANGUAGES = [("fr-ca", _("French")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Corrected fr-CA formats (« 15 juin 2017 à 8 h 08 »); see pole/formats/fr_CA/formats.py.
FORMAT_MODULE_PATH = ["pole.formats"]
TIME_ZONE = "America/Toronto"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))


def _package_dir(package):
    """The folder of an installed package (fonts ship as packages, not from a CDN)."""
    spec = importlib.util.find_spec(package)
    if spec is None:
        raise ImproperlyConfigured(f"The package {package} is missing: pip install -r requirements.txt")
    return Path(next(iter(spec.submodule_search_locations))) / "files"


STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("fonts/source-sans-pro", _package_dir("font_source_sans_pro")),
    ("fonts/source-serif-pro", _package_dir("font_source_serif_pro")),
]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
# Logos and photos are few and small; the app serves them itself unless a
# front server is configured to do it (SERVE_MEDIA=false).
SERVE_MEDIA = env_bool("SERVE_MEDIA", True)
# Private files (archived report versions) on the local disk: outside MEDIA_ROOT, so that no
# address reaches them; only the app's permission-checked views read them (pole/storage.py).
POLE_PRIVATE_ROOT = Path(env_str("POLE_PRIVATE_ROOT", str(BASE_DIR / "private")))
_media, _private = MEDIA_ROOT.resolve(), POLE_PRIVATE_ROOT.resolve()
if _media == _private or _media in _private.parents or _private in _media.parents:
    raise ImproperlyConfigured(
        "POLE_PRIVATE_ROOT and MEDIA_ROOT must be two separate folders, neither inside the other"
    )

# Object storage (S3 API, django-storages) when the two buckets are named: public files in one,
# private files in the other, which grants no public read. The local disk otherwise.
POLE_S3_PUBLIC_BUCKET = env_str("POLE_S3_PUBLIC_BUCKET")
POLE_S3_PRIVATE_BUCKET = env_str("POLE_S3_PRIVATE_BUCKET")
POLE_S3_ENDPOINT_URL = env_str("POLE_S3_ENDPOINT_URL")
POLE_S3_REGION = env_str("POLE_S3_REGION")
POLE_S3_PUBLIC_URL = None
if POLE_S3_PUBLIC_BUCKET or POLE_S3_PRIVATE_BUCKET:
    if not (POLE_S3_PUBLIC_BUCKET and POLE_S3_PRIVATE_BUCKET):
        raise ImproperlyConfigured("POLE_S3_PUBLIC_BUCKET and POLE_S3_PRIVATE_BUCKET must be set together")
    if POLE_S3_PUBLIC_BUCKET == POLE_S3_PRIVATE_BUCKET:
        raise ImproperlyConfigured(
            "POLE_S3_PUBLIC_BUCKET and POLE_S3_PRIVATE_BUCKET must be two buckets: private files never share "
            "a bucket that the public may read"
        )
    # Where browsers read the public files: a CDN or the bucket's own address.
    POLE_S3_PUBLIC_URL = env_str("POLE_S3_PUBLIC_URL") or (
        f"{POLE_S3_ENDPOINT_URL.rstrip('/')}/{POLE_S3_PUBLIC_BUCKET}"
        if POLE_S3_ENDPOINT_URL
        else f"https://{POLE_S3_PUBLIC_BUCKET}.s3.{POLE_S3_REGION or 'us-east-1'}.amazonaws.com"
    ).rstrip("/")
    _public_url = urlsplit(POLE_S3_PUBLIC_URL)
    if _public_url.scheme not in ("http", "https") or not _public_url.netloc:
        raise ImproperlyConfigured(f"POLE_S3_PUBLIC_URL must be an http or https address, not {POLE_S3_PUBLIC_URL!r}")
    STORAGES_FILES = s3_storages(
        public_bucket=POLE_S3_PUBLIC_BUCKET,
        private_bucket=POLE_S3_PRIVATE_BUCKET,
        public_url=POLE_S3_PUBLIC_URL,
        endpoint_url=POLE_S3_ENDPOINT_URL,
        region=POLE_S3_REGION,
        # Unset: boto3's own chain (AWS_ACCESS_KEY_ID…, an instance role).
        access_key=env_str("POLE_S3_ACCESS_KEY_ID"),
        secret_key=env_str("POLE_S3_SECRET_ACCESS_KEY"),
        addressing_style=env_str("POLE_S3_ADDRESSING_STYLE"),
        public_acl=env_str("POLE_S3_PUBLIC_ACL"),
    )
else:
    STORAGES_FILES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "private": {"BACKEND": "pole.storage.PrivateFileSystemStorage"},
    }
STORAGES = {
    **STORAGES_FILES,
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Django's cache: the report's PDFs (reports.pdf, keyed by what they print, so a stale PDF is
# never served), the network's identity and the public pages (pole/page_cache.py). Redis when
# REDIS_URL is given, shared by every server; otherwise files on disk, shared by the worker
# processes of one machine. Either may be emptied: it only costs new renderings.
REDIS_URL = env_str("REDIS_URL")
CACHE_TIMEOUT = 60 * 60 * 24 * 30
if REDIS_URL:
    if urlsplit(REDIS_URL).scheme not in ("redis", "rediss", "unix"):
        raise ImproperlyConfigured(f"REDIS_URL must be a redis://, rediss:// or unix:// address, not {REDIS_URL!r}")
    CACHES = {
        "default": {
            # Django's RedisCache, answering as an empty cache while Redis is unreachable (pole/cache.py).
            "BACKEND": "pole.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env_str("POLE_CACHE_PREFIX", "pole"),
            "TIMEOUT": CACHE_TIMEOUT,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 2},
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": env_str("POLE_CACHE_DIR", str(BASE_DIR / "cache")),
            "TIMEOUT": CACHE_TIMEOUT,
            "OPTIONS": {"MAX_ENTRIES": 2000},
        }
    }

# Public pages served from the cache to anonymous visitors (pole/page_cache.py).
POLE_PAGE_CACHE = env_bool("POLE_PAGE_CACHE", True)
# The load test's bare view (performance/views.py): only in the servers the load test starts.
POLE_LOADTEST_BARE_VIEW = env_bool("POLE_LOADTEST_BARE_VIEW", False)

# E-mail: printed to the console unless an SMTP host is given.
EMAIL_HOST = env_str("EMAIL_HOST", "")
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend" if EMAIL_HOST else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_PORT = env_int("EMAIL_PORT", 587, minimum=1, maximum=65535)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Pôle <no-reply@exemple.org>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Seconds an SMTP connection may hang before the attempt counts as failed (the outbox retries).
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10, minimum=1)
# Every e-mail goes through the outbox (pole/outbox.py): written with the action that causes it,
# sent by a task. A failed attempt is tried again after these minutes (the n-th retry waits the
# n-th number); once they are spent, the message is marked failed for staff to send again.
POLE_EMAIL_RETRY_MINUTES = env_int_list("POLE_EMAIL_RETRY_MINUTES", [1, 5, 15, 60, 180, 360, 720], minimum=1)

# --- Task queue (Celery, pole/celery.py) -------------------------------------------------------
# With a broker, tasks run in worker processes (`celery -A pole worker`) and the periodic ones are
# sent by `celery -A pole beat`. Without one, each task runs in the process that queued it, right
# after the transaction that queued it commits: a checkout needs no other server.
REDIS_URL = env_str("REDIS_URL", "")
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", REDIS_URL)
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
# Run inline, a task's exception reaches the on_commit hook, which logs it (robust=True).
CELERY_TASK_EAGER_PROPAGATES = True
# The state of every task lives in the database (the outbox, the publications), not in results.
CELERY_TASK_IGNORE_RESULT = True
# A message is acknowledged once its task is done, so a worker that dies mid-task leaves it to
# another; every task is idempotent, so running one twice changes nothing.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# One queue per installation: several networks (or test runs) may share one Redis.
CELERY_TASK_DEFAULT_QUEUE = env_str("POLE_TASK_QUEUE", "pole")
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A web process that cannot reach Redis gives up quickly: the work is in the database, and the
# periodic sweeps queue it again once Redis answers.
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 2}
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5}
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# The worker logs through LOGGING's handler, which writes to standard output: Celery must not
# turn standard output into a logger of its own, or every record (« Task … succeeded ») is lost.
CELERY_WORKER_REDIRECT_STDOUTS = False

# --- HTTPS and security headers (README, Production) ---------------------------------------
# With debug off, everything defaults to what `manage.py check --deploy` asks for.
SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_HTTPONLY = True
# No script of ours reads the CSRF cookie (forms carry the token), so hide it from scripts too.
CSRF_COOKIE_HTTPONLY = True
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", not DEBUG)
# A load balancer asks for the health endpoint over plain HTTP, behind the TLS it terminates.
SECURE_REDIRECT_EXEMPT = [r"^sante/$"]
# Behind a TLS-terminating proxy, the request reaches us over plain HTTP: trust the proxy's
# X-Forwarded-Proto (and X-Forwarded-For for login throttling) only when told it exists,
# since a client could otherwise send those headers itself.
SECURE_PROXY = env_bool("DJANGO_SECURE_PROXY", False)
# The proxies whose X-Forwarded-For the app believes (pole/client_address.py): the same list as
# gunicorn's (pole/gunicorn.py), addresses or networks separated by commas.
TRUSTED_PROXIES = env_list("GUNICORN_FORWARDED_ALLOW_IPS", ["127.0.0.1", "::1"]) if SECURE_PROXY else []
for _proxy in TRUSTED_PROXIES:
    try:
        _proxy == "*" or ipaddress.ip_network(_proxy, strict=False)
    except ValueError:
        raise ImproperlyConfigured(
            f"GUNICORN_FORWARDED_ALLOW_IPS: {_proxy!r} is not an address or a network such as 10.0.0.0/8"
        ) from None
if SECURE_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env_int("DJANGO_SECURE_HSTS_SECONDS", 0 if DEBUG else 60 * 60 * 24 * 365, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_SECURE_HSTS_PRELOAD", False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# A setting turned off on purpose by its variable is not a deployment mistake: the check that
# would flag it is silenced, so `check --deploy --fail-level WARNING` keeps guarding the rest.
# HSTS preloading in particular is the domain owner's commitment, hard to undo.
SILENCED_SYSTEM_CHECKS = [
    check
    for check, turned_off in (
        ("security.W005", not SECURE_HSTS_INCLUDE_SUBDOMAINS),
        ("security.W008", not SECURE_SSL_REDIRECT),
        ("security.W021", not SECURE_HSTS_PRELOAD),
    )
    if turned_off
]

# Content-Security-Policy sent on every response by pole.middleware.SecurityHeadersMiddleware:
# no inline script or style anywhere, every asset from this site.
CONTENT_SECURITY_POLICY = {
    "default-src": "'self'",
    "img-src": "'self' data:",
    "style-src": "'self'",
    "script-src": "'self'",
    "font-src": "'self'",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
    "base-uri": "'self'",
    "object-src": "'none'",
}
if POLE_S3_PUBLIC_URL:
    # Logos and photos come from the public bucket's address (or its CDN).
    CONTENT_SECURITY_POLICY["img-src"] += f" {_public_url.scheme}://{_public_url.netloc}"
PERMISSIONS_POLICY = {
    feature: "()"
    for feature in (
        "accelerometer",
        "camera",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "payment",
        "usb",
    )
}

# --- Login throttling (django-axes) ------------------------------------------------------------
# Five failed logins for one e-mail address from one client address lock that pair for
# 30 minutes, on /connexion/ and on the admin's login alike. Keyed by the pair, so an
# attacker cannot lock someone out from elsewhere. Twenty failures from one client address,
# whatever the accounts, lock that address for 30 minutes too, so one client cannot try
# every account in turn (members.lockout.LoginThrottleHandler counts them: axes takes a
# single limit). Staff unlock by deleting the attempts in the admin (« Tentatives d'accès »).
AXES_FAILURE_LIMIT = env_int("POLE_LOGIN_FAILURE_LIMIT", 5, minimum=1)
POLE_LOGIN_ADDRESS_FAILURE_LIMIT = env_int("POLE_LOGIN_ADDRESS_FAILURE_LIMIT", 20, minimum=1)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env_int("POLE_LOGIN_LOCKOUT_MINUTES", 30, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_HANDLER = "members.lockout.LoginThrottleHandler"
AXES_RESET_ON_SUCCESS = True
# Every failed login is kept in the Direction's log (« Échecs de connexion »), as the README says.
AXES_ENABLE_ACCESS_FAILURE_LOG = True
# Both login forms post the e-mail address as ``username`` (USERNAME_FIELD is ``email``).
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "members.lockout.login_username"
AXES_CLIENT_IP_CALLABLE = "pole.client_address.client_ip_address"
AXES_LOCKOUT_CALLABLE = "members.lockout.lockout_response"
# No start-up banner: logs go to stdout, where `manage.py export … > file.csv` writes its data.
# Failures and lockouts are still logged (with the e-mail address and client address).
AXES_VERBOSE = False

# --- Logs: to standard output, for the process manager to collect ----------------------------
LOG_LEVEL = env_str("DJANGO_LOG_LEVEL", "INFO").upper()
if LOG_LEVEL not in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"):
    raise ImproperlyConfigured(f"DJANGO_LOG_LEVEL must be DEBUG, INFO, WARNING, ERROR or CRITICAL, not {LOG_LEVEL!r}")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "{asctime} {levelname} {name} {message}", "style": "{"},
    },
    "handlers": {
        "console": {"()": "pole.logs.StandardOutputHandler", "formatter": "plain"},
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # Replaces Django's own handlers (console only in debug, e-mail to ADMINS) by stdout.
        "django": {"handlers": ["console"], "level": LOG_LEVEL, "propagate": False},
        # WeasyPrint and fontTools narrate every PDF step at INFO; keep their problems only.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        # pikepdf announces its logger bridge at INFO when imported.
        "pikepdf": {"level": "WARNING"},
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

IMPORT_EXPORT_SKIP_ADMIN_LOG = False
# Importing needs the model's add permission, exporting its view permission (DESIGN.md, Roles).
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "add"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "view"
# Exports escape formulas themselves, reversibly (pole/spreadsheets/); the package's escaping
# would drop a leading « = » for good and write numbers as text.
IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT = False
# One upload, in the admin or to ``manage.py import``: at most this many rows and bytes, so that
# an import ends well within the web server's timeout.
# Online registrations to events one client address may make in an hour (a spam guard).
POLE_REGISTRATION_LIMIT_PER_HOUR = env_int("POLE_REGISTRATION_LIMIT_PER_HOUR", 10, minimum=1)
# A visitor who is not logged in confirms a registration by the link e-mailed to the address; a
# free seat is held for them this many minutes (activities/registrations.py).
POLE_REGISTRATION_HOLD_MINUTES = env_int("POLE_REGISTRATION_HOLD_MINUTES", 30, minimum=5)
POLE_IMPORT_MAX_ROWS = env_int("POLE_IMPORT_MAX_ROWS", 20_000, minimum=1)
POLE_IMPORT_MAX_BYTES = env_bytes("POLE_IMPORT_MAX_BYTES", 10 * 1024 * 1024)

CSRF_FAILURE_VIEW = "pole.views.csrf_failure"

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "members:portal"
LOGOUT_REDIRECT_URL = "login"
# Password-reset links stay valid one day; invitations, seven (members.Invitation.VALIDITY).
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24

# The network itself: the fiscal year's first month (April for the Pôle) and
# the name printed on the annual report.
POLE_FISCAL_YEAR_START_MONTH = env_int("POLE_FISCAL_YEAR_START_MONTH", 4, minimum=1, maximum=12)
POLE_NETWORK_NAME = env_str(
    "POLE_NETWORK_NAME",
    "Pôle des entreprises d'économie sociale de la région de la Capitale-Nationale",
)
POLE_NETWORK_SHORT_NAME = env_str("POLE_NETWORK_SHORT_NAME", "Pôle")

# Dues, invoices and reminders (members/billing/dues.py, members/billing/invoices.py). Taxes are not
# collected by default; a network registered for them sets the rates (per cent) and its
# registration numbers, which every invoice then prints.
POLE_TPS_RATE = env_decimal("POLE_TPS_RATE", None, minimum=0, maximum=100)
POLE_TPS_NUMBER = env_str("POLE_TPS_NUMBER", "")
POLE_TVQ_RATE = env_decimal("POLE_TVQ_RATE", None, minimum=0, maximum=100)
POLE_TVQ_NUMBER = env_str("POLE_TVQ_NUMBER", "")
# The bank-transfer details printed on invoices with the payment instructions. The network's
# postal address is the identity's (« Identité du réseau » in the admin), the one place for it.
POLE_BANK_TRANSFER_DETAILS = env_str("POLE_BANK_TRANSFER_DETAILS", "")
# Days between an invoice and its due date; days between reminders (the n-th reminder waits
# the n-th number of days after the previous e-mail, the last number repeating).
POLE_INVOICE_DUE_DAYS = env_int("POLE_INVOICE_DUE_DAYS", 30, minimum=0)
POLE_DUES_REMINDER_DAYS = [int(days) for days in env_list("POLE_DUES_REMINDER_DAYS", ["14", "14", "30"])]
# The quorum of the annual general meeting, in per cent of the members in good standing.
POLE_AGM_QUORUM_PERCENT = env_int("POLE_AGM_QUORUM_PERCENT", 10, minimum=1, maximum=100)
# The site's address (scheme and host) for links in e-mails sent outside a request, such as
# the dues reminders of the daily scheduler.
POLE_SITE_URL = env_str("POLE_SITE_URL", "http://localhost:8000")

# --- Personal information (Québec's Law 25; README « Personal information ») ------------------
# Where the data is kept, as the privacy page says (the act asks before any transfer outside Québec).
POLE_HOSTING_REGION = env_str("POLE_HOSTING_REGION", "Canada (Québec)")
# Retention (manage.py apply_retention, daily): dietary and accessibility needs, days after the
# event; registrants without a member organisation, years after the event; login records and the
# client addresses of registrations, days; contacts of organisations with no membership for years.
POLE_RETENTION_NEEDS_DAYS = env_int("POLE_RETENTION_NEEDS_DAYS", 30, minimum=0)
POLE_RETENTION_REGISTRANT_YEARS = env_int("POLE_RETENTION_REGISTRANT_YEARS", 3, minimum=1)
POLE_RETENTION_LOGIN_DAYS = env_int("POLE_RETENTION_LOGIN_DAYS", 365, minimum=1)
POLE_RETENTION_FORMER_MEMBER_YEARS = env_int("POLE_RETENTION_FORMER_MEMBER_YEARS", 3, minimum=1)
POLE_RETENTION_EMAIL_DAYS = env_int("POLE_RETENTION_EMAIL_DAYS", 365, minimum=30)
# Registrations never confirmed by their e-mail link are deleted this many days after they were made.
POLE_RETENTION_UNCONFIRMED_DAYS = env_int("POLE_RETENTION_UNCONFIRMED_DAYS", 2, minimum=1)
