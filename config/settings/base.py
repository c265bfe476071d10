"""Settings shared by every environment.

Safe for production on its own: DEBUG is off and there is no secret key here;
both come from the environment (see .env.example). dev.py and test.py relax that.
"""

import importlib.util
from datetime import timedelta
from pathlib import Path

from csp.constants import NONCE
from django.core.exceptions import ImproperlyConfigured

from .env import env_bool, env_database, env_int, env_json_object, env_list, env_str, env_url

BASE_DIR = Path(__file__).resolve().parents[2]
# The site shell app: its templates and catalogue take precedence over the other apps'.
PROJECT_DIR = BASE_DIR / "cms"

SECRET_KEY = env_str("SECRET_KEY")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "cms",
    "marketplace",
    "marketplace.canteen",  # sub-apps of marketplace with their own models (tables keep `marketplace_` names)
    "marketplace.checkout",
    "events",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.sitemaps",
    "wagtail.contrib.routable_page",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail.api.v2",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "rest_framework",
    "django_tasks",
    "django_tasks_db",
    "ninja",
    "axes",
    "captcha",
    "csp",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.humanize",
    "django.forms",  # Django's widget templates, for the project form renderer (TemplatesSetting)
]

MIDDLEWARE = [
    # First: a JSON API call with a bearer token needs only the security headers and its view (cms.middleware).
    "cms.middleware.BearerApiMiddleware",
    # Then: a page-cache hit and /healthz are answered here, through only the middleware below that they
    # need (security headers, session, locale, CSRF cookie, X-Frame-Options, CSP; cms/page_cache.py).
    "cms.page_cache.FastPathMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Django's SessionMiddleware, keeping a session the fast path already read.
    "cms.page_cache.PreloadedSessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "cms.middleware.AdminLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Before the page cache: request.csp_nonce exists when a cached page is served, and the header is written
    # after the page cache has filled in this response's nonce (cms/csp.py).
    "cms.csp.SiteCSPMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # After CSRF, locale and messages: a cached page gets this visitor's CSRF token on the way out.
    "cms.page_cache.PageCacheMiddleware",
    "cms.middleware.CachedSiteMiddleware",
    # Turns a login attempt that django-axes refused into the lockout page (cms.accounts.lockout).
    "axes.middleware.AxesMiddleware",
    # Innermost: turns a database overflow from bad input (an id beyond 64 bits) into a 400.
    "cms.middleware.BadInputMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PROJECT_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
            ],
        },
    },
]

# Every form renders through the project's field templates (cms/templates/cms/forms/), styled in site.css.
FORM_RENDERER = "cms.forms.SiteFormRenderer"

# SQLite file in the project folder unless DATABASE_URL says otherwise (PostgreSQL in production).
DATABASES = {"default": env_database("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Local memory by default; Redis, shared by every app process, when REDIS_URL is set.
REDIS_URL = env_url("REDIS_URL", {"redis", "rediss", "unix"}, "")
if REDIS_URL:
    # DegradingRedisCache: with Redis down, pages render uncached and sessions come from the database.
    CACHES = {
        "default": {
            "BACKEND": "cms.cache.DegradingRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "shanhai",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 1.0},
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    CACHES["pages"] = {**CACHES["default"], "KEY_PREFIX": "shanhai-pages"}
else:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "shanhai"},
        "pages": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "shanhai-pages",
            "OPTIONS": {"MAX_ENTRIES": 2000},
        },
    }
# Anonymous visitors' HTML of public pages (cms/page_cache.py), in its own cache so that many query strings
# cannot push out the rest. Pages follow every publish and stock/stall state change at once; counts and
# anything else on them are at most PAGE_CACHE_SECONDS old. 0 turns the page cache off.
PAGE_CACHE_SECONDS = env_int("PAGE_CACHE_SECONDS", 60)
PAGE_CACHE_ALIAS = "pages"
# How many cached pages each process also keeps in its own memory (cms.page_cache: a hit then costs one
# round trip to the cache, for the versions, instead of two). 0 turns it off.
PAGE_CACHE_LOCAL_ENTRIES = env_int("PAGE_CACHE_LOCAL_ENTRIES", 200)

# Content-Security-Policy (django-csp 4; cms/csp.py adds Stripe's hosts when Stripe is configured and relaxes
# the policy for the Wagtail and Django admins). Inline scripts only with the response's nonce.
_CSP_IMG = ["'self'", "data:", "blob:", *env_list("CSP_EXTRA_IMG_SRC", [])]
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", NONCE],
        "style-src": ["'self'", NONCE],
        "img-src": _CSP_IMG,
        "media-src": _CSP_IMG,
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
    },
}

# Login throttling (django-axes) for every password login: the site's /login/, Wagtail's /admin/login/ and
# Django admin's /django-admin/login/ all call authenticate(), where AxesStandaloneBackend refuses a locked
# account or address before the password is checked. Failures are counted per account (username) and, on
# their own, per IP address in the database (AxesDatabaseHandler): every app host shares that database, so
# the count holds across hosts and across a Redis restart, and staff can read and clear lockouts in the
# Django admin. AXES_FAILURE_LIMIT failures lock for AXES_COOLOFF_MINUTES; a successful login resets.
AUTHENTICATION_BACKENDS = [
    # AxesStandaloneBackend for every login with a request (cms/accounts/lockout.py).
    "cms.accounts.lockout.LoginThrottleBackend",
    # One sign-in page for every role (cms/accounts): a username, a mobile number or an e-mail with the password.
    "cms.accounts.backends.IdentifierBackend",
]
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_MINUTES = env_int("AXES_COOLOFF_MINUTES", 15)
AXES_COOLOFF_TIME = timedelta(minutes=AXES_COOLOFF_MINUTES)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "cms.accounts.lockout.lockout_response"
# "+86 139-0013-9000" and "13900139000" are one account: counted under one name (cms/accounts/lockout.py).
AXES_USERNAME_CALLABLE = "cms.accounts.lockout.axes_username"
AXES_HTTP_RESPONSE_CODE = 429
# The client's address: REMOTE_ADDR, or behind a proxy the header the proxy overwrites with it (the nginx
# example sets X-Real-IP, so CLIENT_IP_HEADER=HTTP_X_REAL_IP). Never trust a header a client can send directly.
CLIENT_IP_HEADER = env_str("CLIENT_IP_HEADER", "")
AXES_IPWARE_META_PRECEDENCE_ORDER = [header for header in (CLIENT_IP_HEADER, "REMOTE_ADDR") if header]
AXES_VERBOSE = False
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "account"
# Password-reset links sent by e-mail stay valid this long (SMS codes: 10 minutes, cms/accounts/sms_codes.py).
PASSWORD_RESET_TIMEOUT = 60 * 60 * 3

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Language and locale: Chinese first, English second; URLs without a prefix are Chinese, /en/… English.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
# config/locale completes Wagtail's own zh_Hans catalogues (a third of its admin strings are missing there).
LOCALE_PATHS = [PROJECT_DIR / "locale", BASE_DIR / "config" / "locale"]
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES
TIME_ZONE = "Asia/Shanghai"
WAGTAIL_USER_TIME_ZONES = ["Asia/Shanghai"]
USE_I18N = True
USE_TZ = True
CURRENCY_CODE = "CNY"

STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
]
STATIC_ROOT = BASE_DIR / "var" / "static"
STATIC_URL = "/static/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "var" / "media")))
MEDIA_URL = "/media/"
# Private files (receipt photos, invoices: names under private/) live outside MEDIA_ROOT and are handed out
# only by the permission-checked /private-media/ view (cms.private_media); behind nginx that view answers
# with X-Accel-Redirect to PRIVATE_MEDIA_ACCEL_REDIRECT, an `internal` location aliasing PRIVATE_MEDIA_ROOT.
PRIVATE_MEDIA_ROOT = Path(env_str("PRIVATE_MEDIA_ROOT", str(BASE_DIR / "var" / "private-media")))
PRIVATE_MEDIA_ACCEL_REDIRECT = env_str("PRIVATE_MEDIA_ACCEL_REDIRECT", "")
STORAGES = {
    "default": {"BACKEND": "cms.storage.MediaStorage"},
    # Hashed names and gzip/brotli copies, served by WhiteNoise with far-future cache headers.
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Media on S3-compatible object storage (django-storages, `pip install -r requirements-s3.txt`) when a
# bucket is named, so every app host sees the same files; credentials come from boto3's usual
# AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY. URLs are signed, because the bucket also holds private invoices.
AWS_STORAGE_BUCKET_NAME = env_str("AWS_STORAGE_BUCKET_NAME", "")
if AWS_STORAGE_BUCKET_NAME:
    if importlib.util.find_spec("storages") is None:
        raise ImproperlyConfigured(
            "AWS_STORAGE_BUCKET_NAME is set but django-storages is not installed: pip install -r requirements-s3.txt"
        )
    STORAGES["default"] = {
        "BACKEND": "cms.storage_s3.S3MediaStorage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "endpoint_url": env_url("AWS_S3_ENDPOINT_URL", {"http", "https"}, "") or None,
            "region_name": env_str("AWS_S3_REGION_NAME", "") or None,
            "file_overwrite": False,
            "querystring_auth": True,
        },
    }
# Documents always pass through Wagtail's serve view, where the invoice permission hook runs.
WAGTAILDOCS_SERVE_METHOD = "serve_view"

DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

# E-mail: console unless an SMTP host is given.
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "山海集市 <noreply@shanhai.example>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Background jobs (e-mails, expiry) run through django-tasks; a worker runs them in production.
TASKS = {"default": {"BACKEND": env_str("TASKS_BACKEND", "django_tasks_db.DatabaseBackend")}}

# Payments. Keys are empty until configured; STRIPE_API_BASE points the SDK at a Stripe-protocol fake in tests.
STRIPE_SECRET_KEY = env_str("STRIPE_SECRET_KEY", "")
STRIPE_PUBLISHABLE_KEY = env_str("STRIPE_PUBLISHABLE_KEY", "")
STRIPE_WEBHOOK_SECRET = env_str("STRIPE_WEBHOOK_SECRET", "")
STRIPE_API_BASE = env_url("STRIPE_API_BASE", {"http", "https"}, "https://api.stripe.com")

# Wagtail
WAGTAIL_SITE_NAME = "山海集市"
# Gravatar is blocked in mainland China: no avatar requests to another host, Wagtail's local default instead.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
# The dashboard's upgrade notice asks releases.wagtail.io from the browser: nothing in the admin calls another host.
WAGTAIL_ENABLE_UPDATE_CHECK = False
# SMS (cms/sms): Alibaba Cloud SMS in production; dev prints, tests keep an outbox.
SMS_BACKEND = env_str("SMS_BACKEND", "cms.sms.backends.AliyunBackend")
SMS_SIGN_NAME = env_str("SMS_SIGN_NAME", "")
SMS_ALIYUN_ACCESS_KEY_ID = env_str("SMS_ALIYUN_ACCESS_KEY_ID", "")
SMS_ALIYUN_ACCESS_KEY_SECRET = env_str("SMS_ALIYUN_ACCESS_KEY_SECRET", "")
SMS_ALIYUN_ENDPOINT = env_str("SMS_ALIYUN_ENDPOINT", "dysmsapi.aliyuncs.com")
# Template key -> the provider's approved template code, as JSON, e.g. {"order_placed": "SMS_4650001"}.
SMS_TEMPLATES = env_json_object("SMS_TEMPLATES", {})
SMS_MAX_ATTEMPTS = env_int("SMS_MAX_ATTEMPTS", 4)

# Row locks (cms.locking): how long a service waits for one on PostgreSQL before answering "busy", and whether a
# lock against the declared order or a network call under a lock raises (else it is logged).
LOCK_TIMEOUT_SECONDS = 10
LOCKING_STRICT = DEBUG

WAGTAILADMIN_BASE_URL = env_str("WAGTAILADMIN_BASE_URL", "http://127.0.0.1:8000")
# Chinese-aware wrapper around Wagtail's database backend (SQLite FTS5 or PostgreSQL full text).
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "cms.search"}}
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "odt", "pdf", "txt", "xlsx", "zip"]
WAGTAILDOCS_MAX_UPLOAD_SIZE = 10 * 1024 * 1024
WAGTAILIMAGES_EXTENSIONS = ["gif", "jpg", "jpeg", "png", "webp", "avif"]
# Upload caps: 10 MB per file and 40 megapixels, which turns away decompression bombs before decoding.
WAGTAILIMAGES_MAX_UPLOAD_SIZE = 10 * 1024 * 1024
WAGTAILIMAGES_MAX_IMAGE_PIXELS = 40_000_000
WAGTAILIMAGES_FORMAT_CONVERSIONS = {"bmp": "jpeg", "gif": "webp"}
WAGTAILIMAGES_AVIF_QUALITY = 60
WAGTAILIMAGES_WEBP_QUALITY = 78

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}, "django_tasks": {"level": "WARNING"}},
}

# Checkout. Payment methods offered (Stripe's card, Alipay and WeChat Pay need the account to allow them).
CHECKOUT_PAYMENT_METHODS = env_list("CHECKOUT_PAYMENT_METHODS", ["card", "alipay", "wechat_pay", "bank_transfer"])
CHECKOUT_PAYMENT_MINUTES = env_int("CHECKOUT_PAYMENT_MINUTES", 30)
CHECKOUT_BANK_TRANSFER_HOURS = env_int("CHECKOUT_BANK_TRANSFER_HOURS", 72)
# A shipped part the buyer has not confirmed (确认收货) is confirmed for them this many days after shipping.
ORDER_AUTO_CONFIRM_DAYS = env_int("ORDER_AUTO_CONFIRM_DAYS", 10)
# After-sale (售后): a buyer may ask for a refund or a return this many days after confirming receipt, and a
# request the vendor leaves unanswered this many hours goes to staff (checkout.after_sale).
ORDER_AFTER_SALE_DAYS = env_int("ORDER_AFTER_SALE_DAYS", 7)
ORDER_AFTER_SALE_VENDOR_HOURS = env_int("ORDER_AFTER_SALE_VENDOR_HOURS", 48)
# Where the payment page loads Stripe.js from (Stripe requires its own host; tests point it at the fake).
STRIPE_JS_URL = env_url("STRIPE_JS_URL", {"http", "https"}, "https://js.stripe.com/v3/")
# The platform's account for bank transfers (对公转账), shown with the order's payment reference.
BANK_ACCOUNT_NAME = env_str("BANK_ACCOUNT_NAME", "衢州山海集市数字科技有限公司")
BANK_ACCOUNT_BANK = env_str("BANK_ACCOUNT_BANK", "中国工商银行衢州分行")
BANK_ACCOUNT_NUMBER = env_str("BANK_ACCOUNT_NUMBER", "1209 2600 0000 0000 000")
# Paid fair tickets registered without an account hold their places this long unpaid (events.registration.services).
EVENTS_GUEST_HOLD_MINUTES = env_int("EVENTS_GUEST_HOLD_MINUTES", 30)
EVENTS_GUEST_BANK_TRANSFER_HOURS = env_int("EVENTS_GUEST_BANK_TRANSFER_HOURS", 24)
# django-simple-captcha: the registration form's challenge after repeated attempts from one address
# (EVENTS_REGISTER_CHALLENGE_RATE, default 5 posts in 10 minutes). Served from this site, nothing from another host.
EVENTS_REGISTER_CHALLENGE_RATE = env_str("EVENTS_REGISTER_CHALLENGE_RATE", "5/10m")
# The registration API without an account cannot show a challenge: 429 past this many calls per address.
EVENTS_REGISTER_API_RATE = env_str("EVENTS_REGISTER_API_RATE", "20/10m")
CAPTCHA_LENGTH = 5
CAPTCHA_TIMEOUT = 10
CAPTCHA_IMAGE_SIZE = (150, 50)
CAPTCHA_FONT_SIZE = 36
# How long a canteen order may wait for its unit's approver before it expires and releases its stock.
CANTEEN_APPROVAL_HOURS = env_int("CANTEEN_APPROVAL_HOURS", 72)
# PIPL retention: attendees' names and mobile numbers are masked this many days after a fair ends
# (manage.py purge_personal_data, daily).
EVENTS_PERSONAL_DATA_DAYS = env_int("EVENTS_PERSONAL_DATA_DAYS", 90)
