"""The one settings module, configured by PERFLOOP_* environment variables.

The embedded default (SQLite under ``var/``) needs no configuration at all;
production sets ``DATABASE_URL`` and a real ``PERFLOOP_SECRET_KEY``.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import dj_database_url

from perfloop.core.env import (
    SettingError,
    env_bool,
    env_choice,
    env_int,
    env_list,
    env_required,
    env_str,
    local_secret_key,
)

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("PERFLOOP_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("PERFLOOP_DEBUG", False)
SECRET_KEY = env_str("PERFLOOP_SECRET_KEY", "")
# Without PERFLOOP_SECRET_KEY, a key made on first start is kept in var/secret_key: never a public default.
# Several web servers must share one key, so production sets it (`check --deploy` says so, perfloop.W002);
# PERFLOOP_ALLOW_LOCAL_KEY=false (formerly PERFLOOP_ALLOW_INSECURE_KEY) makes a missing key stop the process.
PERFLOOP_SECRET_KEY_IS_LOCAL = not SECRET_KEY
if not SECRET_KEY:
    if not env_bool("PERFLOOP_ALLOW_LOCAL_KEY", env_bool("PERFLOOP_ALLOW_INSECURE_KEY", True)):
        raise SettingError("PERFLOOP_SECRET_KEY must be set in production")
    SECRET_KEY = local_secret_key(VAR_DIR / "secret_key")

ALLOWED_HOSTS = env_list("PERFLOOP_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("PERFLOOP_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rules.apps.AutodiscoverRulesConfig",
    "template_partials",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "django_rq",
    "django_tasks_rq",
    "ninja",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "perfloop.core",
    "perfloop.audit",
    "perfloop.org",
    "perfloop.accounts",
    "perfloop.metrics",
    "perfloop.goals",
    "perfloop.imports",
    "perfloop.monitoring",
    "perfloop.analysis",
    "perfloop.improvement",
    "perfloop.separation",
    "perfloop.recruiting",
    "perfloop.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "perfloop.accounts.middleware.SecondFactorRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks: it turns a sign-in refused for a lockout into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "perfloop.urls"
WSGI_APPLICATION = "perfloop.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "perfloop" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "perfloop.accounts.context_processors.inbox",
            ],
        },
    }
]

DATABASE_URL = env_str("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {
        "default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("PERFLOOP_CONN_MAX_AGE", 60))
    }
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(VAR_DIR / "perfloop.sqlite3"),
            "OPTIONS": {
                # Writers queue for up to 20 s instead of failing with "database is locked";
                # IMMEDIATE takes the write lock at BEGIN so two writers never deadlock on upgrade.
                "timeout": 20,
                "transaction_mode": "IMMEDIATE",
                # A 64 MB page cache and in-memory temporary tables: a month's close or a large import
                # touches indexes of hundreds of thousands of rows, which the 2 MB default keeps re-reading.
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; "
                    "PRAGMA cache_size=-65536; PRAGMA temp_store=MEMORY;"
                ),
            },
        }
    }

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # First: a locked-out username and address is refused before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
    # The company's OpenID Connect provider; answers nothing unless PERFLOOP_OIDC_CLIENT_ID is set.
    "perfloop.accounts.sso.SsoBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if env_bool("PERFLOOP_FAST_PASSWORD_HASHER", False):
    # Tests only: argon2 by design costs ~50 ms a hash.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Sign-in lockout (django-axes): after PERFLOOP_SIGN_IN_FAILURES wrong passwords for one username from one
# address, that pair is refused for PERFLOOP_SIGN_IN_LOCKOUT_MINUTES (each further try restarts the wait).
# The pair, not the address alone: a sales office signs in from one NAT address, and one careless colleague
# must not lock out the floor. `perfloop lockout list|clear` shows and lifts lockouts (docs/security.md).
AXES_FAILURE_LIMIT = env_int("PERFLOOP_SIGN_IN_FAILURES", 5)
AXES_COOLOFF_TIME = dt.timedelta(minutes=env_int("PERFLOOP_SIGN_IN_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "perfloop.accounts.views.locked_out"
AXES_CLIENT_IP_CALLABLE = "perfloop.accounts.clients.lockout_address"
AXES_DISABLE_ACCESS_LOG = True  # successful sign-ins are in the audit log already
AXES_VERBOSE = False
# How many proxies of ours stand in front of the application and append to X-Forwarded-For (0: none, the
# peer's address is the client's; a header sent by the client itself is never believed).
PERFLOOP_PROXY_COUNT = env_int("PERFLOOP_PROXY_COUNT", 0)

# Second factor (django-otp TOTP, with recovery codes): anyone may turn it on; the roles listed here must
# (comma-separated role codes, e.g. "hrbp,legal,sysadmin"): until they set it up, every page sends them to
# the set-up page. docs/security.md.
PERFLOOP_SECOND_FACTOR_ROLES = env_list("PERFLOOP_SECOND_FACTOR_ROLES", [])
_KNOWN_ROLES = {"rep", "manager", "mentor", "hrbp", "legal", "recruiter", "executive", "sysadmin"}
_UNKNOWN_ROLES = sorted(set(PERFLOOP_SECOND_FACTOR_ROLES) - _KNOWN_ROLES)
if _UNKNOWN_ROLES:
    raise SettingError(f"PERFLOOP_SECOND_FACTOR_ROLES names unknown roles: {', '.join(_UNKNOWN_ROLES)}")
OTP_TOTP_ISSUER = "perfloop"

# Single sign-on through the company's OpenID Connect provider (mozilla-django-oidc; docs/security.md). On
# when a client id is set; then every endpoint must be given. People are matched by e-mail among existing
# accounts; none is created.
PERFLOOP_OIDC_ENABLED = bool(env_str("PERFLOOP_OIDC_CLIENT_ID", ""))
PERFLOOP_OIDC_LABEL = env_str("PERFLOOP_OIDC_LABEL", "")
# The button's provider name for English pages (飞书账号 → "Feishu account"); the one label otherwise.
PERFLOOP_OIDC_LABEL_EN = env_str("PERFLOOP_OIDC_LABEL_EN", "")
_OIDC_OTHERS = (
    "PERFLOOP_OIDC_CLIENT_SECRET",
    "PERFLOOP_OIDC_AUTHORIZATION_ENDPOINT",
    "PERFLOOP_OIDC_TOKEN_ENDPOINT",
    "PERFLOOP_OIDC_USERINFO_ENDPOINT",
    "PERFLOOP_OIDC_JWKS_ENDPOINT",
    "PERFLOOP_OIDC_SIGN_ALGORITHM",
    "PERFLOOP_OIDC_LABEL",
    "PERFLOOP_OIDC_LABEL_EN",
)
if not PERFLOOP_OIDC_ENABLED and any(env_str(name, "") for name in _OIDC_OTHERS):
    raise SettingError("PERFLOOP_OIDC_CLIENT_ID must be set too: single sign-on is half configured")
if PERFLOOP_OIDC_ENABLED:
    _WHY = "when PERFLOOP_OIDC_CLIENT_ID is"
    OIDC_RP_CLIENT_ID = env_str("PERFLOOP_OIDC_CLIENT_ID", "")
    OIDC_RP_CLIENT_SECRET = env_required("PERFLOOP_OIDC_CLIENT_SECRET", _WHY)
    OIDC_OP_AUTHORIZATION_ENDPOINT = env_required("PERFLOOP_OIDC_AUTHORIZATION_ENDPOINT", _WHY)
    OIDC_OP_TOKEN_ENDPOINT = env_required("PERFLOOP_OIDC_TOKEN_ENDPOINT", _WHY)
    OIDC_OP_USER_ENDPOINT = env_required("PERFLOOP_OIDC_USERINFO_ENDPOINT", _WHY)
    OIDC_RP_SIGN_ALGO = env_choice(
        "PERFLOOP_OIDC_SIGN_ALGORITHM",
        "RS256",
        ["RS256", "RS384", "RS512", "ES256", "ES384", "ES512", "HS256", "HS384", "HS512"],
    )
    OIDC_OP_JWKS_ENDPOINT = env_str("PERFLOOP_OIDC_JWKS_ENDPOINT", "") or None
    if not OIDC_RP_SIGN_ALGO.startswith("HS"):
        OIDC_OP_JWKS_ENDPOINT = env_required("PERFLOOP_OIDC_JWKS_ENDPOINT", f"for {OIDC_RP_SIGN_ALGO} tokens")
OIDC_RP_SCOPES = "openid email"
OIDC_CREATE_USER = False
OIDC_USE_PKCE = True
OIDC_AUTHENTICATION_CALLBACK_URL = "accounts:sso_callback"
OIDC_TIMEOUT = 10
# The callback is the only sign-in answered on GET (the password form is a POST): the lockout, which counts
# by name and address, must not pause the single sign-on of a whole office after five strangers' tries.
AXES_NEVER_LOCKOUT_GET = True

LOGIN_URL = "accounts:sign_in"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:sign_in"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "perfloop" / "locale"]
TIME_ZONE = env_str("PERFLOOP_TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "perfloop" / "static"]
WHITENOISE_USE_FINDERS = True  # serve app static files without a collectstatic step in the embedded default

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env_bool("PERFLOOP_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# A working day, not a fortnight: a session left open on a shared office PC should not outlive it.
SESSION_COOKIE_AGE = env_int("PERFLOOP_SESSION_SECONDS", 12 * 60 * 60)
# Behind HTTPS (production): redirect plain HTTP, tell browsers to come back over HTTPS only, and trust the
# proxy's X-Forwarded-Proto when it terminates TLS. Off by default: the embedded demo serves plain HTTP.
SECURE_SSL_REDIRECT = env_bool("PERFLOOP_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = env_int("PERFLOOP_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
if env_bool("PERFLOOP_BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"

# Every asset is vendored, so the policy can forbid anything that is not ours.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

# Background work (imports, closes, deliveries): in the web process by default; `perfloop worker` runs it
# elsewhere from the database (`database`) or from Redis (`rq`). A dotted backend path is accepted too.
TASKS_BACKENDS = {
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
    "database": "django_tasks_db.DatabaseBackend",
    "rq": "django_tasks_rq.RQBackend",
}
_TASKS_BACKEND = env_str("PERFLOOP_TASKS_BACKEND", "immediate").strip() or "immediate"
if _TASKS_BACKEND not in TASKS_BACKENDS and "." not in _TASKS_BACKEND:
    raise SettingError(
        f"PERFLOOP_TASKS_BACKEND must be one of {', '.join(TASKS_BACKENDS)} or a dotted path, "
        f"got {_TASKS_BACKEND!r}"
    )
TASKS = {"default": {"BACKEND": TASKS_BACKENDS.get(_TASKS_BACKEND, _TASKS_BACKEND)}}
# The Redis queue of the `rq` backend (django-rq's setting; read only when that backend is used).
RQ_QUEUES = {
    "default": {
        "URL": env_str("PERFLOOP_REDIS_URL", "redis://127.0.0.1:6379/0"),
        # A close of 100,000 people or a million-row import takes seconds; an hour means something hangs.
        "DEFAULT_TIMEOUT": env_int("PERFLOOP_TASK_TIMEOUT", 3600),
    }
}

EMAIL_BACKEND = env_str("PERFLOOP_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("PERFLOOP_FROM_EMAIL", "perfloop@localhost")

PERFLOOP_COMPANY_NAME = env_str("PERFLOOP_COMPANY_NAME", "")
# Where people reach this installation, e.g. https://perf.example.cn: links in e-mails and chat messages
# (alerts, invitations) are built on it. Empty: links stay relative paths, which a mail client cannot open.
PERFLOOP_SITE_URL = env_str("PERFLOOP_SITE_URL", "").rstrip("/")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("PERFLOOP_LOG_LEVEL", "WARNING")},
}
