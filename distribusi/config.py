"""Settings read from the environment; no default secret outside development and tests."""
import os


class Config:
    """Production and development settings, taken from the environment."""

    SECRET_KEY = os.environ.get("SECRET_KEY")
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL")  # None: SQLite in instance/
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_recycle": 1800}  # a connection idle for long is pinged first (database.py)
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:8000")
    TOKEN_LIFETIME_HOURS = int(os.environ.get("TOKEN_LIFETIME_HOURS", "12"))
    MAX_CONTENT_LENGTH = 20 * 1024 * 1024
    MAX_IMPORT_ROWS = 50_000
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "local://")  # distribusi.ratelimit
    RATELIMIT_ENABLED = True  # distribusi.ratelimit: limits only on the public views and the logins
    PUBLIC_RATE_LIMIT = os.environ.get("PUBLIC_RATE_LIMIT", "60 per minute")
    PROXY_FIX_X_FOR = int(os.environ.get("PROXY_FIX_X_FOR", "0"))  # reverse proxies in front that set X-Forwarded-For
    # failed logins only (distribusi.auth.throttle)
    LOGIN_LIMIT_PER_ACCOUNT_ADDRESS = os.environ.get("LOGIN_LIMIT_PER_ACCOUNT_ADDRESS", "10 per 15 minutes")
    LOGIN_LIMIT_PER_ADDRESS = os.environ.get("LOGIN_LIMIT_PER_ADDRESS", "30 per 15 minutes")
    LOGIN_LIMIT_PER_ACCOUNT = os.environ.get("LOGIN_LIMIT_PER_ACCOUNT", "50 per 15 minutes")
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    WTF_CSRF_TIME_LIMIT = None
    DEVELOPMENT = os.environ.get("DISTRIBUSI_ENV") == "development"
    # served over HTTPS: Secure cookies and HSTS (distribusi.security); on unless HTTPS=0 or in development
    HTTPS = os.environ.get("HTTPS", "0" if DEVELOPMENT else "1").strip().lower() not in {"0", "false", "no", "off"}
    # PANDAWA over the WhatsApp Cloud API (distribusi/webhooks) and the notification worker (distribusi/notify)
    WHATSAPP_VERIFY_TOKEN = os.environ.get("WHATSAPP_VERIFY_TOKEN")
    WHATSAPP_APP_SECRET = os.environ.get("WHATSAPP_APP_SECRET")
    WHATSAPP_ACCESS_TOKEN = os.environ.get("WHATSAPP_ACCESS_TOKEN")
    WHATSAPP_PHONE_NUMBER_ID = os.environ.get("WHATSAPP_PHONE_NUMBER_ID")
    WHATSAPP_API_BASE_URL = os.environ.get("WHATSAPP_API_BASE_URL", "https://graph.facebook.com/v21.0")
    WHATSAPP_TEMPLATE_LANGUAGE = os.environ.get("WHATSAPP_TEMPLATE_LANGUAGE", "id")
    NOTIFY_CHANNEL = os.environ.get("NOTIFY_CHANNEL", "whatsapp")  # whatsapp | sms; an office setting overrides it
    SMS_GATEWAY_URL = os.environ.get("SMS_GATEWAY_URL")
    SMS_GATEWAY_TOKEN = os.environ.get("SMS_GATEWAY_TOKEN")
    NOTIFY_MAX_ATTEMPTS = int(os.environ.get("NOTIFY_MAX_ATTEMPTS", "8"))
    NOTIFY_BACKOFF_SECONDS = float(os.environ.get("NOTIFY_BACKOFF_SECONDS", "30"))  # doubled after each failure
    NOTIFY_BACKOFF_MAX_SECONDS = float(os.environ.get("NOTIFY_BACKOFF_MAX_SECONDS", "21600"))
    NOTIFY_TIMEOUT_SECONDS = float(os.environ.get("NOTIFY_TIMEOUT_SECONDS", "10"))
    NOTIFY_BATCH_SIZE = int(os.environ.get("NOTIFY_BATCH_SIZE", "20"))
    NOTIFY_POLL_SECONDS = float(os.environ.get("NOTIFY_POLL_SECONDS", "5"))
    # distribusi.monitoring: JSON log lines (or "text"), who may read /metrics, when the notify backlog is too old
    LOG_FORMAT = os.environ.get("LOG_FORMAT", "text" if DEVELOPMENT else "json")
    LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")
    METRICS_ENABLED = os.environ.get("METRICS_ENABLED", "1").strip().lower() not in {"0", "false", "no", "off"}
    METRICS_ALLOWED_NETWORKS = os.environ.get("METRICS_ALLOWED_NETWORKS", "127.0.0.1/32,::1/128")
    METRICS_TOKEN = os.environ.get("METRICS_TOKEN")  # a bearer token for scrapers outside those networks
    NOTIFY_BACKLOG_MAX_SECONDS = int(os.environ.get("NOTIFY_BACKLOG_MAX_SECONDS", "900"))


class TestConfig(Config):
    """Settings for the test suite: a throw-away secret, quick password hashing."""

    TESTING = True
    SECRET_KEY = "test-secret-not-for-production"
    WTF_CSRF_ENABLED = False
    PUBLIC_BASE_URL = "https://distribusi.test"
    ARGON2_FAST = True
    HTTPS = False  # the test client speaks plain HTTP
    WHATSAPP_API_BASE_URL = "http://127.0.0.1:9/unused"  # tests that send start a fake server and point here
    NOTIFY_TIMEOUT_SECONDS = 2
