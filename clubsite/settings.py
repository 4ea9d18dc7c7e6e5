"""Ground Up's one settings module, configured entirely by environment variables.

Every variable is read through ``clubsite.env`` and documented in the README's
configuration table and in ``.env.example``.
"""

from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from clubsite import env

BASE_DIR = Path(__file__).resolve().parent.parent

# Read every variable up front, whatever the mode, so the documented list is complete.
DEBUG = env.boolean("DEBUG", default=False)
_secret_key = env.string("SECRET_KEY")
_allowed_hosts = env.string_list("ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env.string_list("CSRF_TRUSTED_ORIGINS")
_database = env.database("DATABASE_URL", default_sqlite_path=str(BASE_DIR / "db.sqlite3"))
_smtp_host = env.string("SMTP_HOST")
_smtp_port = env.integer("SMTP_PORT", 587, minimum=1)
_smtp_username = env.string("SMTP_USERNAME")
_smtp_password = env.string("SMTP_PASSWORD")
_smtp_use_tls = env.boolean("SMTP_USE_TLS", default=True)
CLUB_NAME = env.string("CLUB_NAME", "Ballard Health Club")
CLUB_CONTACT_EMAIL = env.string("CLUB_CONTACT_EMAIL", "makana@ballardhealthclub.com")
# Links in emails sent by the worker, where there is no request to take the host from.
SITE_URL = env.string("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
DEFAULT_FROM_EMAIL = env.string("DEFAULT_FROM_EMAIL", f"{CLUB_NAME} <noreply@localhost>")
TIME_ZONE = env.string("TIME_ZONE", "America/Los_Angeles")
SIGNUP_OPEN = env.boolean("SIGNUP_OPEN", default=True)
# Nudges, on the club's clock: members' session-morning reminders and the
# trainers' weekly digest (sent by `manage.py send_nudges`, run every few minutes).
REMINDER_TIME = env.clock_time("REMINDER_TIME", "07:00")
DIGEST_DAY = env.choice(
    "DIGEST_DAY",
    "monday",
    choices={"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"},
)
DIGEST_TIME = env.clock_time("DIGEST_TIME", "07:00")
MEDIA_ROOT = Path(env.string("MEDIA_ROOT", str(BASE_DIR / "media")))
SECURE_SSL_REDIRECT = env.boolean("SECURE_SSL_REDIRECT", default=False)
_behind_tls_proxy = env.boolean("BEHIND_TLS_PROXY", default=False)
ALLAUTH_TRUSTED_PROXY_COUNT = env.integer("TRUSTED_PROXY_COUNT", 0, minimum=0)
SECURE_HSTS_SECONDS = env.integer("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000, minimum=0)
_log_level = env.choice(
    "LOG_LEVEL", "INFO", choices={"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}
)

if _secret_key:
    SECRET_KEY = _secret_key
elif DEBUG:
    SECRET_KEY = "django-insecure-development-only-key-never-used-when-debug-is-off"  # noqa: S105
else:
    raise ImproperlyConfigured(
        "SECRET_KEY must be set when DEBUG is off (generate one with "
        "`python -c 'import secrets; print(secrets.token_urlsafe(50))'`)."
    )

ALLOWED_HOSTS = _allowed_hosts or (["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.forms",  # Django's form templates, for clubsite.forms.ClubFormRenderer
    "django_htmx",
    "allauth",
    "allauth.account",
    "django_tasks_db",
    "members",
    "routines",
]

MIDDLEWARE = [
    # First, so probes get an answer whatever the Host header or scheme.
    "clubsite.middleware.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "clubsite.request_guard.RequestGuardMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Pages compress to a fifth on a phone's connection. Django's gzip adds
    # random padding against BREACH, and CSRF tokens are masked per response.
    "django.middleware.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "clubsite.pwa.OfflineAppMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Once a write ends, the pages it changed are rendered again (clubsite/kept_pages.py).
    "clubsite.kept_pages.KeptPagesMiddleware",
]

ROOT_URLCONF = "clubsite.urls"
WSGI_APPLICATION = "clubsite.wsgi.application"

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
                # Without it {% htmx_script %} has no nonce and the CSP blocks htmx.
                "django.template.context_processors.csp",
                "clubsite.context_processors.club",
                "clubsite.context_processors.offline",
                "clubsite.kept_pages.csrf_mark",
            ],
        },
    },
]

FORM_RENDERER = "clubsite.forms.ClubFormRenderer"

if _database["ENGINE"] == "django.db.backends.sqlite3":
    # `make run` has two writers on one file: the server and the task worker.
    # WAL lets readers go on while one writes; IMMEDIATE takes the write lock
    # when a transaction begins, so a read-then-write transaction waits its turn
    # (the busy timeout) instead of failing "database is locked" at its first
    # write, which SQLite answers at once, without waiting, to avoid a deadlock.
    _database["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
    }
DATABASES = {"default": _database}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Rate limits (allauth's, the contact form's, invitations') must hold across
# gunicorn workers and web machines: Redis where REDIS_URL is set, else the
# database cache (members.web.ratelimit then counts in its own table, atomically).
_redis_url = env.redis_url("REDIS_URL")
CACHES = {
    "default": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": _redis_url,
            "KEY_PREFIX": "groundup",
            # A Redis that stops answering fails a request in seconds, not never.
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
        if _redis_url
        else {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "django_cache",
            # Past MAX_ENTRIES (default 300) it deletes live rows, allauth's
            # failed sign-ins among them: a flood of password resets for made-up
            # addresses would let password guessing go on. Expired rows go first.
            "OPTIONS": {"MAX_ENTRIES": 50_000},
        }
    ),
    # Pages as last rendered (clubsite/kept_pages.py), in each process's own
    # memory: whether one still holds is read from the database (PageStamp),
    # the same for every process. A page is 5 to 40 KB.
    "pages": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "kept-pages",
        "TIMEOUT": 24 * 60 * 60,
        "OPTIONS": {"MAX_ENTRIES": 2_000},
    },
}

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

if _smtp_host:
    _mailer = {
        "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "OPTIONS": {
            "host": _smtp_host,
            "port": _smtp_port,
            "username": _smtp_username,
            "password": _smtp_password,
            "use_tls": _smtp_use_tls,
            "timeout": 20,
        },
    }
else:
    # Development: emails are printed where runserver runs. `check --deploy`
    # reports this backend as an error, so production cannot forget SMTP_HOST.
    _mailer = {"BACKEND": "django.core.mail.backends.console.EmailBackend"}
MAILERS = {"default": _mailer}
SERVER_EMAIL = DEFAULT_FROM_EMAIL

AUTH_USER_MODEL = "members.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "members:home"

ACCOUNT_ADAPTER = "members.accounts.adapters.AccountAdapter"
ACCOUNT_SIGNUP_FORM_CLASS = "members.accounts.forms.SignupDetailsForm"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_REDIRECT_URL = "home"
ACCOUNT_EMAIL_SUBJECT_PREFIX = f"[{CLUB_NAME}] "
ACCOUNT_PASSWORD_MIN_LENGTH = 8
ACCOUNT_FORMS = {
    "signup": "members.accounts.adapters.SignupForm",
    "add_email": "members.accounts.adapters.AddEmailForm",
}
# A signed-in session alone cannot add, remove or switch email addresses: the
# password is asked again (for five minutes), as before a data download.
# Changing the password asks for the current one on its own form.
ACCOUNT_REAUTHENTICATION_REQUIRED = True
ACCOUNT_REAUTHENTICATION_TIMEOUT = 300
# Address and password changes are told to every verified address (adapter).
ACCOUNT_EMAIL_NOTIFICATIONS = True
# Sign-up, sign-in and reset answer the same for members and strangers.
ACCOUNT_PREVENT_ENUMERATION = True
# allauth's rate limits are on by default (ACCOUNT_RATE_LIMITS); they live in CACHES.

LANGUAGE_CODE = "en-us"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Trainers' uploads (exercise images), served by the app itself: a few small
# files, so no separate file server is needed.
MEDIA_URL = "media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Content Security Policy: scripts only from this origin or carrying the
# per-request nonce ('self' stays for the admin's own script files); no inline
# styles anywhere.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

# With Redis, a signed-in request reads its session from it, not the
# database; it is written to both, so a Redis restart signs no one out.
if _redis_url:
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = SECURE_HSTS_SECONDS > 0
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if _behind_tls_proxy:
    # Only behind a proxy that sets (and strips clients' own) X-Forwarded-Proto.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "{asctime} {levelname} {name}: {message}", "style": "{"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": _log_level},
    "loggers": {
        # Replaces Django's debug-only console handler, which would print twice.
        "django": {"handlers": ["console"], "level": _log_level, "propagate": False},
        "django.db.backends": {"level": "INFO"},
    },
}
