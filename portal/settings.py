"""Settings for ECHRI Exchange, read from environment variables only.

With no variable set the portal runs in its embedded mode: DEBUG on, a SQLite file
in the project folder, Celery tasks run eagerly in-process and e-mail goes to the
console. Production sets DEBUG=0 and the variables listed in README.md; start-up then
refuses anything unsafe (no SECRET_KEY, the development key, no ALLOWED_HOSTS, ...).
"""

from pathlib import Path
from urllib.parse import urlsplit

from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from kombu import Exchange, Queue

from portal import env
from portal import logging as portal_logging

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env.boolean("DEBUG", True)
DEBUG_EXPLICIT = env.raw("DEBUG") is not None

# The development key is public (it is in this file): it is accepted only with DEBUG on.
DEVELOPMENT_SECRET_KEY = "django-insecure-echri-exchange-development-key-do-not-use-in-production"  # noqa: S105
SECRET_KEY = env.string("SECRET_KEY") or (DEVELOPMENT_SECRET_KEY if DEBUG else "")
if not DEBUG:
    if not SECRET_KEY:
        raise ImproperlyConfigured("SECRET_KEY (or SECRET_KEY_FILE) must be set when DEBUG is off.")
    if SECRET_KEY == DEVELOPMENT_SECRET_KEY or SECRET_KEY.startswith("django-insecure"):
        raise ImproperlyConfigured("SECRET_KEY is the public development key; generate a new one.")
    if len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5:
        raise ImproperlyConfigured("SECRET_KEY is too short or too simple (50+ random characters).")
SECRET_KEY_FALLBACKS = env.words("SECRET_KEY_FALLBACKS")

LOCAL_HOSTS = ["localhost", "127.0.0.1", "[::1]"]
ALLOWED_HOSTS = env.words("ALLOWED_HOSTS", LOCAL_HOSTS if DEBUG else [])
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must name the portal's host names when DEBUG is off.")
if DEBUG and not DEBUG_EXPLICIT and set(ALLOWED_HOSTS) - set(LOCAL_HOSTS):
    # DEBUG defaults to on for the embedded mode; a deployment that forgot DEBUG=0 would
    # otherwise serve debug pages under the public development key.
    raise ImproperlyConfigured(
        "ALLOWED_HOSTS names a public host but DEBUG is not set: set DEBUG=0 for a "
        "deployment (or DEBUG=1 to debug on purpose)."
    )

# The address people use to reach the portal; links in e-mails sent from tasks and
# commands (which have no request) are built from it.
SITE_URL = env.string("SITE_URL", "http://127.0.0.1:8000" if DEBUG else "").rstrip("/")
if not SITE_URL:
    raise ImproperlyConfigured("SITE_URL (e.g. https://exchange.example.org) must be set.")
_site = urlsplit(SITE_URL)
if _site.scheme not in {"http", "https"} or not _site.netloc:
    raise ImproperlyConfigured(f"SITE_URL={SITE_URL!r} is not an http(s) address.")
if not DEBUG and _site.scheme != "https":
    raise ImproperlyConfigured("SITE_URL must be https:// when DEBUG is off.")
SITE_NAME = "ECHRI Exchange"
CSRF_TRUSTED_ORIGINS = env.words("CSRF_TRUSTED_ORIGINS", [f"{_site.scheme}://{_site.netloc}"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.forms",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "portal",
    "accounts",
    "sharing",
]

MIDDLEWARE = [
    "portal.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "portal.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # Outside CommonMiddleware, so that its redirects (APPEND_SLASH) are private too; it
    # reads request.user on the way out, once AuthenticationMiddleware has set it.
    "portal.middleware.PrivateByDefaultMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.UserPreferencesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "accounts.middleware.MFARequiredMiddleware",
    "sharing.api.middleware.RefuseUnencodableQueryMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"
ASGI_APPLICATION = "portal.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.context_processors.portal",
            ],
        },
    },
    {
        # The rows of the busiest lists, included with {% jinja %} (portal/jinja.py).
        "NAME": "jinja2",
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "templates" / "jinja2"],
        "APP_DIRS": False,
        "OPTIONS": {
            "environment": "portal.jinja.environment",
            "filter_libraries": ("sharing.templatetags.sharing_tags",),
        },
    },
]

FORM_RENDERER = "portal.forms.PortalFormRenderer"

# --- Database --------------------------------------------------------------------------------

DATABASES = {"default": env.database("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Persistent connections are worth about 8x in requests per second (a load test of one
    # page, with and without them, on this stack); health checks make a connection that
    # died between requests harmless.
    DATABASES["default"]["CONN_MAX_AGE"] = env.integer("CONN_MAX_AGE", 600, minimum=0)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # PostgreSQL's JIT compiler pays off for long analytical queries, never for a page's:
    # at 100,000 notices it spent 117 ms compiling a 30 ms COUNT (bench/, README
    # "Performance"). Off for the portal's sessions, whatever the server's default.
    options = DATABASES["default"].setdefault("OPTIONS", {})
    options["options"] = " ".join(filter(None, [options.get("options"), "-c jit=off"]))
else:
    # The embedded mode serves several threads (runserver, eager tasks) from one file.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Shared by every web process when CACHE_URL names Redis (check --deploy insists): sign-in
# and API rate limits, used MFA codes, the readiness ping's answer, the API's schema.
CACHES = {"default": env.cache("CACHE_URL", "locmemcache://")}

# --- Accounts and authentication -------------------------------------------------------------

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["accounts.backends.PortalAuthenticationBackend"]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "portal:dashboard"
ACCOUNT_LOGOUT_REDIRECT_URL = "account_login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

SESSION_COOKIE_AGE = env.integer("SESSION_COOKIE_AGE", 8 * 3600, minimum=300)
SESSION_COOKIE_SAMESITE = "Lax"

# django-allauth: log in by user name or e-mail; accounts come only from invitations.
ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
ACCOUNT_FORMS = {
    "login": "accounts.forms.LoginForm",
    "reset_password": "accounts.forms.ResetPasswordForm",
}
ACCOUNT_LOGIN_METHODS = {"username", "email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "username*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_SESSION_REMEMBER = False
# Tell people by e-mail when their password, e-mail address or MFA changes.
ACCOUNT_EMAIL_NOTIFICATIONS = True
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
# A password reset asked for an address with no usable account (unknown, deactivated, of
# a suspended state, or only claimed unconfirmed: accounts.forms.ResetPasswordForm)
# sends nothing, and the page answers as for any other address.
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = f"[{SITE_NAME}] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = _site.scheme
# Failed logins: at most 10 a minute from one address and 5 in 15 minutes for one
# account, after which the account's form answers "too many attempts" until it cools.
# The account's count is the same whichever host, user name or e-mail address is used
# (accounts.adapters.login_limit_key).
ACCOUNT_RATE_LIMITS = {"login_failed": "10/m/ip,5/15m/key"}
# Behind a TLS-terminating proxy every request comes from the proxy; the client's own
# address (for rate limits and the audit log) is then the last X-Forwarded-For entry.
BEHIND_TLS_PROXY = env.boolean("BEHIND_TLS_PROXY", False)
ALLAUTH_TRUSTED_PROXY_COUNT = env.integer(
    "TRUSTED_PROXY_COUNT", 1 if BEHIND_TLS_PROXY else 0, minimum=0
)

MFA_ADAPTER = "accounts.adapters.MFAAdapter"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = SITE_NAME
# Accept the code of the previous or next 30-second period too (RFC 6238 allows for
# clock drift); a code is still accepted only once.
MFA_TOTP_TOLERANCE = 1
# Who must have an authenticator app before using the portal: state roles, and
# "staff" for platform staff.
MFA_REQUIRED_ROLES = env.words(
    "MFA_REQUIRED_ROLES", [] if DEBUG else ["state_admin", "officer", "staff"]
)
_unknown_roles = set(MFA_REQUIRED_ROLES) - {"state_admin", "officer", "viewer", "staff"}
if _unknown_roles:
    raise ImproperlyConfigured(f"MFA_REQUIRED_ROLES: unknown roles {sorted(_unknown_roles)}.")
# Secrets the portal reads back (TOTP and recovery-code seeds, webhook signing secrets)
# are encrypted at rest with the first key; the fallbacks still decrypt what older keys
# encrypted, so keys can be rotated. Without a key of its own this follows SECRET_KEY
# and SECRET_KEY_FALLBACKS.
ENCRYPTION_KEY = env.string("ENCRYPTION_KEY") or SECRET_KEY
ENCRYPTION_KEY_FALLBACKS = (
    env.words("ENCRYPTION_KEY_FALLBACKS") if env.raw("ENCRYPTION_KEY") else SECRET_KEY_FALLBACKS
)

INVITATION_TTL_DAYS = env.integer("INVITATION_TTL_DAYS", 7, minimum=1)

# --- Security headers and cookies ------------------------------------------------------------

if BEHIND_TLS_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.boolean("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = env.integer("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.boolean("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env.boolean("SECURE_HSTS_PRELOAD", False)
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
X_FRAME_OPTIONS = "DENY"
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]

# --- Internationalisation --------------------------------------------------------------------

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("fr", _("French")), ("es", _("Spanish"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# One date format per language, on every page and in every e-mail (portal/formats).
FORMAT_MODULE_PATH = ["portal.formats"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Static files ----------------------------------------------------------------------------

STATIC_URL = "/static/"
STATIC_ROOT = Path(env.string("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [
    BASE_DIR / "static",
    # Installed by `npm ci` from package.json; never copied into the repository.
    ("vendor/bootstrap", BASE_DIR / "node_modules" / "bootstrap" / "dist"),
    ("vendor/chart.js", BASE_DIR / "node_modules" / "chart.js" / "dist"),
]
WHITENOISE_AUTOREFRESH = DEBUG  # development: serve from the finders, no collectstatic
# Attachments live outside STATIC_ROOT and any URL the web server knows: they are
# served only by the download view, which checks visibility and audits.
PRIVATE_MEDIA_ROOT = Path(env.string("PRIVATE_MEDIA_ROOT", str(BASE_DIR / "var" / "attachments")))
ATTACHMENT_MAX_BYTES = env.integer("ATTACHMENT_MAX_MB", 20, minimum=1) * 1024 * 1024
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "attachments": {"BACKEND": "portal.storage.PrivateFileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# --- E-mail ----------------------------------------------------------------------------------

_email = env.email("EMAIL_URL", "consolemail://")
EMAIL_BACKEND = _email["EMAIL_BACKEND"]
EMAIL_HOST = _email.get("EMAIL_HOST") or "localhost"
EMAIL_PORT = _email.get("EMAIL_PORT") or 25
EMAIL_HOST_USER = _email.get("EMAIL_HOST_USER") or ""
EMAIL_HOST_PASSWORD = env.string("EMAIL_PASSWORD") or _email.get("EMAIL_HOST_PASSWORD") or ""
EMAIL_USE_TLS = bool(_email.get("EMAIL_USE_TLS"))
EMAIL_USE_SSL = bool(_email.get("EMAIL_USE_SSL"))
EMAIL_FILE_PATH = _email.get("EMAIL_FILE_PATH") or str(BASE_DIR / "var" / "mail")
EMAIL_TIMEOUT = 20
DEFAULT_FROM_EMAIL = env.string("DEFAULT_FROM_EMAIL", f"{SITE_NAME} <no-reply@{_site.hostname}>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Celery ----------------------------------------------------------------------------------

# No broker means the embedded mode: tasks run in-process, at once, as plain calls.
CELERY_BROKER_URL = env.string("CELERY_BROKER_URL") or env.string("REDIS_URL")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
if CELERY_TASK_ALWAYS_EAGER:
    CELERY_BROKER_URL = "memory://localhost/"  # never reached for; stops Celery defaulting to AMQP
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = env.string("CELERY_RESULT_BACKEND") or (
    None if CELERY_TASK_ALWAYS_EAGER else CELERY_BROKER_URL
)
CELERY_TASK_IGNORE_RESULT = True  # tasks that return something say so (portal.tasks.ping)
CELERY_RESULT_EXPIRES = 3600
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
# Separate queues so that a slow mail server or a failing webhook endpoint never holds
# up the dispatch of events (or each other): run workers with
# `-Q default,events,email,webhooks`, or one per queue on as many hosts as needed.
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_QUEUES = [
    Queue(name, Exchange(name), routing_key=name)
    for name in ("default", "events", "email", "webhooks")
]
CELERY_TASK_ROUTES = {
    "portal.tasks.send_email": {"queue": "email"},
    "portal.tasks.sweep_mail": {"queue": "email"},
    "sharing.tasks.dispatch_event": {"queue": "events"},
    "sharing.tasks.sweep": {"queue": "events"},
    "sharing.tasks.send_notification_emails": {"queue": "email"},
    "sharing.tasks.send_digests": {"queue": "email"},
    "sharing.tasks.deliver_webhook": {"queue": "webhooks"},
    "sharing.tasks.review_denials": {"queue": "events"},
    "sharing.tasks.watch_consultations": {"queue": "events"},
    "sharing.tasks.disseminate_advisory": {"queue": "email"},
    "sharing.tasks.sweep_disseminations": {"queue": "email"},
    "sharing.tasks.rescreen_watches": {"queue": "events"},
    "sharing.tasks.sweep_watches": {"queue": "events"},
    "sharing.tasks.link_registry": {"queue": "events"},
    "sharing.tasks.link_registry_item": {"queue": "events"},
}
# Beat only enqueues, and what it enqueues is safe to run on several hosts at once; beat holds
# a lock in Redis besides, so that a second beat started by mistake (or as a standby on
# another host) waits instead of doubling the work (portal.beat).
CELERY_BEAT_SCHEDULER = "portal.beat:LockedScheduler"
CELERY_BEAT_SCHEDULE = {
    "sweep": {"task": "sharing.tasks.sweep", "schedule": 60.0},
    "mail-sweep": {"task": "portal.tasks.sweep_mail", "schedule": 60.0},
    "dissemination-sweep": {"task": "sharing.tasks.sweep_disseminations", "schedule": 60.0},
    "digests": {"task": "sharing.tasks.send_digests", "schedule": crontab(minute="*/15")},
    # Review reminders and expiry go by dates: a few passes a day are plenty. Deadlines
    # end at midnight in the answering state's zone: an hourly pass marks them soon.
    "denial-reviews": {
        "task": "sharing.tasks.review_denials",
        "schedule": crontab(minute=5, hour="*/6"),
    },
    "consultation-deadlines": {
        "task": "sharing.tasks.watch_consultations",
        "schedule": crontab(minute=10),
    },
    # Watched applications are screened again as each denial is announced; this hourly
    # pass tells what a lost task would have told, and ends the watches past their date.
    "watch-sweep": {"task": "sharing.tasks.sweep_watches", "schedule": crontab(minute=20)},
    "registry-links": {"task": "sharing.tasks.link_registry", "schedule": crontab(minute=10)},
}
# A task is acknowledged only once it has finished, and a worker that dies mid-task
# gives the message back: every task is written to be safe to run twice.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_TASK_TIME_LIMIT = 300
# Redis re-delivers a message not acknowledged within this many seconds; it must exceed
# the longest task (CELERY_TASK_TIME_LIMIT) and the longest countdown/ETA we schedule.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_BROKER_CONNECTION_TIMEOUT = 3
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A request that enqueues while the broker is down must not hang: try briefly, then
# give up (what was enqueued is recorded in the database and swept up later).
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
}
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# Hosts (or processes) running it record here that they hold the beat lock; it lapses
# BEAT_LOCK_TTL seconds after its holder stops renewing it (every third of that), so a
# standby beat takes over within that time of the first one dying.
BEAT_LOCK_URL = env.string("BEAT_LOCK_URL") or (
    CELERY_BROKER_URL if CELERY_BROKER_URL.startswith(("redis://", "rediss://")) else ""
)
BEAT_LOCK_KEY = env.string("BEAT_LOCK_KEY", "echri:beat-lock")
BEAT_LOCK_TTL = env.integer("BEAT_LOCK_TTL", 30, minimum=3)
CELERY_TIMEZONE = "UTC"

# --- Notifications ---------------------------------------------------------------------------

# An event not dispatched this many seconds after it was recorded (the broker was down
# when it committed, a worker died) is dispatched again by the sweeper.
EVENT_SWEEP_GRACE_SECONDS = env.integer("EVENT_SWEEP_GRACE_SECONDS", 30, minimum=1)
# Recipients written per INSERT.
NOTIFICATION_BATCH_SIZE = env.integer("NOTIFICATION_BATCH_SIZE", 1000, minimum=1)
# E-mails sent by one task, over one SMTP connection (well within the task time limit).
EMAIL_BATCH_SIZE = env.integer("EMAIL_BATCH_SIZE", 100, minimum=1)
# Attempts at an e-mail the mail server keeps failing (not refusing) before giving up.
EMAIL_MAX_ATTEMPTS = env.integer("EMAIL_MAX_ATTEMPTS", 5, minimum=1)
# Local hour at which daily and weekly digests go out (weekly ones on Mondays).
DIGEST_HOUR = env.integer("DIGEST_HOUR", 7, minimum=0)
if DIGEST_HOUR > 23:
    raise ImproperlyConfigured("DIGEST_HOUR must be between 0 and 23.")
# How often open pages ask for the unread count.
NOTIFICATION_POLL_SECONDS = env.integer("NOTIFICATION_POLL_SECONDS", 30, minimum=1)

WEBHOOK_TIMEOUT = env.integer("WEBHOOK_TIMEOUT", 10, minimum=1)
# Waits between attempts (seconds) before a delivery is declared dead: about a day in all.
WEBHOOK_RETRY_DELAYS = env.integers(
    "WEBHOOK_RETRY_DELAYS", [30, 120, 600, 1800, 3600, 7200, 14400, 28800, 43200]
)
# After a secret is rotated, deliveries carry signatures with the old one too for this
# long, so that the receiving system can switch without rejecting anything.
WEBHOOK_SECRET_OVERLAP_HOURS = env.integer("WEBHOOK_SECRET_OVERLAP_HOURS", 24, minimum=0)
# Certificates of receivers are checked against the usual public authorities, or this
# bundle (a file of PEM certificates) for states whose systems use a CA of their own.
WEBHOOK_CA_BUNDLE = env.string("WEBHOOK_CA_BUNDLE") or None
# Development and tests may post to local receivers over plain http; production may not.
WEBHOOK_ALLOW_PRIVATE = env.boolean("WEBHOOK_ALLOW_PRIVATE", DEBUG)
WEBHOOK_ALLOW_HTTP = env.boolean("WEBHOOK_ALLOW_HTTP", DEBUG)

# --- REST API ------------------------------------------------------------------------------

# Requests a token, and a user (whatever their number of tokens), may make; over it the
# API answers 429 with Retry-After. Counted in the cache (CACHE_URL: share it between
# web hosts, or each host counts on its own).
API_TOKEN_RATE = env.string("API_TOKEN_RATE", "120/min")
API_USER_RATE = env.string("API_USER_RATE", "240/min")
# How long an industry contact's confirmation link, and their link to read an advisory
# sent to them, stay valid.
CONTACT_CONFIRM_DAYS = env.integer("CONTACT_CONFIRM_DAYS", 7, minimum=1)
ADVISORY_LINK_DAYS = env.integer("ADVISORY_LINK_DAYS", 30, minimum=1)
# The public screening API and page, per client address.
PUBLIC_RATE = env.string("PUBLIC_RATE", "60/min")
# Comments in public comment windows (each sends a confirmation e-mail), per address.
PUBLIC_COMMENT_RATE = env.string("PUBLIC_COMMENT_RATE", "10/hour")
for _name, _rate in (
    ("API_TOKEN_RATE", API_TOKEN_RATE),
    ("API_USER_RATE", API_USER_RATE),
    ("PUBLIC_RATE", PUBLIC_RATE),
    ("PUBLIC_COMMENT_RATE", PUBLIC_COMMENT_RATE),
):
    _count, _slash, _period = _rate.partition("/")
    if not (_count.isdigit() and _period in {"s", "sec", "m", "min", "h", "hour", "d", "day"}):
        raise ImproperlyConfigured(f"{_name}={_rate!r}: give requests per period, e.g. 120/min.")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["sharing.api.authentication.BearerTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["sharing.api.parsers.JSONParser"],
    "DEFAULT_THROTTLE_CLASSES": [
        "sharing.api.throttling.TokenRateThrottle",
        "sharing.api.throttling.UserRateThrottle",
    ],
    "DEFAULT_SCHEMA_CLASS": "sharing.api.schema.PortalAutoSchema",
    "EXCEPTION_HANDLER": "sharing.api.exceptions.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}

SPECTACULAR_SETTINGS = {
    "TITLE": f"{SITE_NAME} API",
    "DESCRIPTION": (
        "The REST API through which the systems of the states subscribing to the Export "
        "Controls and Human Rights Initiative Code of Conduct post threat and risk "
        "notices, best practices and licence denials, screen applications against the "
        "denials, consult the denying state, and pull what other states shared. Everything is "
        "JSON; authenticate with `Authorization: Bearer <token>`. What you may not see "
        "answers 404; what your role may not change, 403."
    ),
    "VERSION": "1",
    "SCHEMA_PATH_PREFIX": "/api/v1/",
    "SERVE_INCLUDE_SCHEMA": False,
    # Each document (the API's, the public API's) describes the paths under its prefix.
    "PREPROCESSING_HOOKS": ["sharing.api.schema.under_prefix"],
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # Deep links put a link inside each operation's button: nested controls that
    # keyboard and screen-reader users cannot reach (axe-core: nested-interactive).
    "SWAGGER_UI_SETTINGS": {"deepLinking": False, "defaultModelsExpandDepth": 0},
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "sharing.api.schema.finish_document",
    ],
    "ENUM_NAME_OVERRIDES": {
        "TlpEnum": "sharing.common.choices.TLP",
        "NoticeKindEnum": "sharing.notices.choices.NoticeKind",
        "NoticeStatusEnum": "sharing.notices.choices.NoticeStatus",
        "NoticeAudienceEnum": "sharing.common.choices.Audience",
        "PracticeStatusEnum": "sharing.practices.choices.PracticeStatus",
        "PracticeAudienceEnum": "sharing.practices.choices.PracticeAudience",
        "EndorsementKindEnum": "sharing.practices.choices.EndorsementKind",
        "EventKindEnum": "sharing.common.choices.EventKind",
        "DenialStatusEnum": "sharing.denials.choices.DenialStatus",
        "ConsultationStatusEnum": "sharing.denials.choices.ConsultationStatus",
        "StateStatusEnum": "accounts.choices.StateStatus",
        "RoleEnum": "accounts.choices.Role",
        "EntityKindEnum": "sharing.common.choices.EntityKind",
        "WatchStatusEnum": "sharing.screening.choices.WatchStatus",
        "RelationKindEnum": "sharing.registry.choices.RelationKind",
        "ItemKindEnum": [("notice", "notice"), ("denial", "denial")],
        "IdentifierSchemeEnum": "sharing.common.identifiers.SCHEMES",
    },
}

# --- Status page -----------------------------------------------------------------------------

# /admin/status/ is for platform staff, signed in. Monitoring systems, which cannot sign
# in, read /admin/status.json with `Authorization: Bearer <STATUS_TOKEN>` when it is set:
# counts only, nothing any state shared.
STATUS_TOKEN = env.string("STATUS_TOKEN")
if STATUS_TOKEN and (len(STATUS_TOKEN) < 32 or len(set(STATUS_TOKEN)) < 8):
    raise ImproperlyConfigured("STATUS_TOKEN is too short or too simple (32+ random characters).")

# --- Logging ---------------------------------------------------------------------------------

# Text by default; LOG_FORMAT=json writes one JSON object per line, with the request id,
# the person's id and state and, in tasks, the task (portal.logging). The web processes,
# workers and beat all log to standard error; gunicorn's own lines follow the same format
# (deploy/gunicorn.conf.py).
LOG_FORMAT = env.string("LOG_FORMAT", "plain").strip().lower()
if LOG_FORMAT not in {"plain", "json"}:
    raise ImproperlyConfigured(f"LOG_FORMAT={LOG_FORMAT!r}: use plain or json.")
LOG_LEVEL = env.string("LOG_LEVEL", "INFO").strip().upper()
if LOG_LEVEL not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
    raise ImproperlyConfigured(f"LOG_LEVEL={LOG_LEVEL!r}: use DEBUG, INFO, WARNING or ERROR.")
LOGGING_CONFIG = "portal.logging.configure"
LOGGING = portal_logging.logging_config(log_format=LOG_FORMAT, level=LOG_LEVEL)
