"""Settings for Pôle, read from the environment.

A fresh checkout runs with no variable set (debug on, SQLite file beside the
code); production differs only by environment variables. See README.md for the
table of variables.
"""

import importlib.util
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from pole.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DJANGO_DEBUG", True)

# The key is only optional while debugging: a production process refuses to
# start without one rather than sign sessions with a published value.
SECRET_KEY = env_str("DJANGO_SECRET_KEY", required=not DEBUG) or "insecure-development-key-only-for-debug"

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "pole.apps.PoleAdminConfig",  # django.contrib.admin with the staff dashboard (pole/admin_site.py)
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "simple_history",
    "bootstrap",
    "members",
    "activities",
    "partners",
    "reports",
    "import_export",  # after reports, whose import/export commands replace the package's
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "pole.middleware.FrenchFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "pole.urls"

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
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
# Logos and photos are few and small; the app serves them itself unless a
# front server is configured to do it (SERVE_MEDIA=false).
SERVE_MEDIA = env_bool("SERVE_MEDIA", True)

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

if not DEBUG:
    SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

FORMS_URLFIELD_ASSUME_HTTPS = True

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

IMPORT_EXPORT_SKIP_ADMIN_LOG = False
# Importing needs the model's add permission, exporting its view permission (DESIGN.md, Roles).
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "add"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "view"

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
