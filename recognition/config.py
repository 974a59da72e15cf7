"""Configuration: defaults, overridden by the environment, overridden by create_app(config)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path

#: The project root holds templates/, translations/, workflows/ and programmes/.
DEFAULT_ROOT = Path(__file__).resolve().parent.parent

LANGUAGES = ("en", "ar", "es", "fr", "ru", "zh")
RTL_LANGUAGES = frozenset({"ar"})


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def load(root: Path, instance_path: str) -> dict:
    """Return the settings: built-in defaults with the environment applied on top."""
    env = os.environ
    sqlite_url = "sqlite:///" + str(Path(instance_path) / "recognition.db")
    return {
        "SECRET_KEY": env.get("SECRET_KEY", "dev-only-change-me"),
        "SQLALCHEMY_DATABASE_URI": _database_url(env.get("DATABASE_URL", sqlite_url)),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "RECOGNITION_ROOT": str(root),
        # Where evidence files are kept: "local" (the folder below) or "s3" (an S3-compatible
        # object store, shared by every app server; the RECOGNITION_S3_* settings).
        "RECOGNITION_STORAGE": _storage_backend(env),
        "RECOGNITION_UPLOAD_FOLDER": env.get(
            "RECOGNITION_UPLOAD_FOLDER", str(Path(instance_path) / "uploads")
        ),
        "RECOGNITION_S3_BUCKET": env.get("RECOGNITION_S3_BUCKET", ""),
        # Prepended to every object's name ("recognition/"), to share a bucket.
        "RECOGNITION_S3_PREFIX": env.get("RECOGNITION_S3_PREFIX", ""),
        # Empty: AWS S3 itself; otherwise the store's address (MinIO, Ceph, ...).
        "RECOGNITION_S3_ENDPOINT_URL": env.get("RECOGNITION_S3_ENDPOINT_URL", ""),
        "RECOGNITION_S3_REGION": env.get("RECOGNITION_S3_REGION", ""),
        # Empty: the standard AWS variables, ~/.aws or the machine's role give the keys.
        "RECOGNITION_S3_ACCESS_KEY_ID": env.get("RECOGNITION_S3_ACCESS_KEY_ID", ""),
        "RECOGNITION_S3_SECRET_ACCESS_KEY": env.get("RECOGNITION_S3_SECRET_ACCESS_KEY", ""),
        # "path" or "virtual"; empty: by path with an endpoint set, as AWS prefers without.
        "RECOGNITION_S3_ADDRESSING_STYLE": env.get("RECOGNITION_S3_ADDRESSING_STYLE", ""),
        # Seconds to connect or wait for the store, and tries of a request, before an upload
        # is refused with "could not be stored just now" (a download: 503).
        "RECOGNITION_S3_TIMEOUT": _env_int("RECOGNITION_S3_TIMEOUT", 10),
        "RECOGNITION_S3_MAX_ATTEMPTS": _env_int("RECOGNITION_S3_MAX_ATTEMPTS", 3),
        "RECOGNITION_MAX_FILE_MB": _env_int("RECOGNITION_MAX_FILE_MB", 20),
        "RECOGNITION_MAX_NOMINATION_MB": _env_int("RECOGNITION_MAX_NOMINATION_MB", 100),
        "RECOGNITION_BASE_URL": env.get("RECOGNITION_BASE_URL", "http://127.0.0.1:5000"),
        "RECOGNITION_MAIL_HOST": env.get("RECOGNITION_MAIL_HOST", ""),
        "RECOGNITION_MAIL_PORT": _env_int("RECOGNITION_MAIL_PORT", 25),
        "RECOGNITION_MAIL_SECURITY": env.get("RECOGNITION_MAIL_SECURITY", "none"),
        "RECOGNITION_MAIL_USER": env.get("RECOGNITION_MAIL_USER", ""),
        "RECOGNITION_MAIL_PASSWORD": env.get("RECOGNITION_MAIL_PASSWORD", ""),
        "RECOGNITION_MAIL_FROM": env.get(
            "RECOGNITION_MAIL_FROM", "Recognition <no-reply@recognition.local>"
        ),
        # Tries a message gets at least before it may be marked failed (the retry window
        # below decides; this keeps a message never tried in time from failing at once).
        "RECOGNITION_MAIL_MAX_ATTEMPTS": _env_int("RECOGNITION_MAIL_MAX_ATTEMPTS", 6),
        # Seconds an SMTP connection may wait for the server before the message is retried.
        "RECOGNITION_MAIL_TIMEOUT": _env_int("RECOGNITION_MAIL_TIMEOUT", 10),
        # Hours a message keeps being retried (backoff capped at an hour) before "failed".
        "RECOGNITION_MAIL_RETRY_HOURS": _env_int("RECOGNITION_MAIL_RETRY_HOURS", 72),
        # Seconds a sender owns the messages it claimed (another sender takes them after).
        "RECOGNITION_MAIL_LEASE_SECONDS": _env_int("RECOGNITION_MAIL_LEASE_SECONDS", 120),
        # Seconds a webhook receiver has to answer a delivery (then it is retried).
        "RECOGNITION_WEBHOOK_TIMEOUT": _env_int("RECOGNITION_WEBHOOK_TIMEOUT", 10),
        # Webhooks to http:// and to this machine's or private networks' addresses: for
        # development and tests only (production sends to public https:// addresses).
        "RECOGNITION_WEBHOOK_PRIVATE_ADDRESSES": _env_bool(
            "RECOGNITION_WEBHOOK_PRIVATE_ADDRESSES", False
        ),
        # The demo's local mailbox (/mailbox): every queued message, links included, readable
        # WITHOUT signing in, so that a newcomer trying `make run` gets the confirmation
        # e-mail. Only while no SMTP host is set, and never in production: anyone could read
        # anyone's password-reset link there.
        "RECOGNITION_DEMO_MAILBOX": _env_bool("RECOGNITION_DEMO_MAILBOX", False),
        "RECOGNITION_REMINDER_DAYS": _env_int("RECOGNITION_REMINDER_DAYS", 3),
        # Days a recognised city has after each anniversary of its recognition to report.
        "RECOGNITION_REPORT_GRACE_DAYS": _env_int("RECOGNITION_REPORT_GRACE_DAYS", 30),
        # Days a referee's link to send a letter of support stays valid.
        "RECOGNITION_LETTER_DAYS": _env_int("RECOGNITION_LETTER_DAYS", 30),
        "RECOGNITION_TOKEN_MAX_AGE": _env_int("RECOGNITION_TOKEN_MAX_AGE", 2 * 24 * 3600),
        # argon2 parameters; tests lower them, production keeps the library defaults.
        "RECOGNITION_ARGON2_TIME_COST": _env_int("RECOGNITION_ARGON2_TIME_COST", 3),
        "RECOGNITION_ARGON2_MEMORY_COST": _env_int("RECOGNITION_ARGON2_MEMORY_COST", 65536),
        # Sign-in throttling: failures are counted per (account, client address) pair, so
        # that someone elsewhere cannot lock an account's owner out, and per address across
        # accounts (credential stuffing). Past the free failures, each further failure makes
        # the next attempt wait, twice as long each time, up to the maximum; the counts are
        # forgotten RECOGNITION_LOGIN_FORGET_SECONDS after the first failure.
        "RECOGNITION_LOGIN_FREE_FAILURES": _env_int("RECOGNITION_LOGIN_FREE_FAILURES", 5),
        "RECOGNITION_LOGIN_FREE_FAILURES_PER_ADDRESS": _env_int(
            "RECOGNITION_LOGIN_FREE_FAILURES_PER_ADDRESS", 30
        ),
        "RECOGNITION_LOGIN_DELAY_SECONDS": _env_int("RECOGNITION_LOGIN_DELAY_SECONDS", 2),
        "RECOGNITION_LOGIN_MAX_DELAY_SECONDS": _env_int("RECOGNITION_LOGIN_MAX_DELAY_SECONDS", 900),
        "RECOGNITION_LOGIN_FORGET_SECONDS": _env_int("RECOGNITION_LOGIN_FORGET_SECONDS", 3600),
        # Requests per client address (limits' notation: "10/hour", "3 per 10 minutes").
        "RECOGNITION_RESET_REQUEST_LIMIT": env.get("RECOGNITION_RESET_REQUEST_LIMIT", "10/hour"),
        "RECOGNITION_REGISTER_LIMIT": env.get("RECOGNITION_REGISTER_LIMIT", "20/hour"),
        # Password-reset messages one account receives at most; further requests answer the
        # same but send nothing.
        "RECOGNITION_RESET_MAIL_LIMIT": env.get("RECOGNITION_RESET_MAIL_LIMIT", "3/hour"),
        # The JSON API's requests: per client address without a token, per token with one,
        # and writes (saves, transitions) per token on top.
        "RECOGNITION_API_ANONYMOUS_LIMIT": env.get("RECOGNITION_API_ANONYMOUS_LIMIT", "300/minute"),
        "RECOGNITION_API_TOKEN_LIMIT": env.get("RECOGNITION_API_TOKEN_LIMIT", "1200/minute"),
        "RECOGNITION_API_WRITE_LIMIT": env.get("RECOGNITION_API_WRITE_LIMIT", "120/minute"),
        # Sites whose pages may call the API from a browser (CORS): "*" for any, or a list
        # separated by spaces. Tokens travel in a header, never in a cookie.
        "RECOGNITION_API_CORS_ORIGINS": (env.get("RECOGNITION_API_CORS_ORIGINS") or "*").split(),
        # A password-reset request takes at least this long whether or not the address has
        # an account, so that the answer's timing does not tell (Laravel's Timebox).
        "RECOGNITION_RESET_MIN_MS": _env_int("RECOGNITION_RESET_MIN_MS", 250),
        # Where the counts above live. memory:// counts in each process: with more than one
        # worker (gunicorn -w 4), use a shared storage, e.g. redis://127.0.0.1:6379.
        "RATELIMIT_STORAGE_URI": env.get("RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_HEADERS_ENABLED": False,
        # A session ends after this many hours without a page (its cookie is signed with its
        # time, renewed by every page; an older one is refused), and at once on revocation.
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=_env_int("RECOGNITION_SESSION_HOURS", 12)),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": _env_bool("RECOGNITION_SECURE_COOKIES", False),
        "REMEMBER_COOKIE_SECURE": _env_bool("RECOGNITION_SECURE_COOKIES", False),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "WTF_CSRF_TIME_LIMIT": 8 * 3600,
        "BABEL_DEFAULT_LOCALE": "en",
        "BABEL_DEFAULT_TIMEZONE": "UTC",
        "LANGUAGES": LANGUAGES,
        "RECOGNITION_PAGE_SIZE": _env_int("RECOGNITION_PAGE_SIZE", 25),
        # Public pages kept by each worker for anonymous visitors (0: none), and for how long
        # at most (a page is rendered again at once after any write, see pagecache.py).
        "RECOGNITION_PAGE_CACHE_SIZE": _env_int("RECOGNITION_PAGE_CACHE_SIZE", 512),
        "RECOGNITION_PAGE_CACHE_SECONDS": _env_int("RECOGNITION_PAGE_CACHE_SECONDS", 60),
        # The reads pages keep (a call's counts, a ranking page's results: nothing that moves
        # with the clock) are kept while nothing is written, for at most this long: a bound
        # for a write the generation did not see (an UPDATE typed in psql).
        "RECOGNITION_KEPT_READS_SECONDS": _env_int("RECOGNITION_KEPT_READS_SECONDS", 3600),
        # A round with more counted scores than this has its fairness figures and robustness
        # verdict computed in the background and kept for every app server (review/analyses.py);
        # a smaller one is weighed on the page that shows it.
        "RECOGNITION_ANALYSIS_INLINE_SCORES": _env_int("RECOGNITION_ANALYSIS_INLINE_SCORES", 20000),
        # A call with more nominations than this has the head of its record (the audit page)
        # computed in the background and kept for every app server.
        "RECOGNITION_AUDIT_INLINE_NOMINATIONS": _env_int(
            "RECOGNITION_AUDIT_INLINE_NOMINATIONS", 1000
        ),
        # Number of reverse proxies in front of the app (trust their X-Forwarded-* headers).
        "RECOGNITION_PROXIES": _env_int("RECOGNITION_PROXIES", 0),
        # Strict-Transport-Security max-age in seconds, sent when the site is served over
        # HTTPS (RECOGNITION_SECURE_COOKIES=1); 0 sends none.
        "RECOGNITION_HSTS_SECONDS": _env_int("RECOGNITION_HSTS_SECONDS", 31536000),
        # A form sent without files (urlencoded or multipart without files) larger than this
        # is refused unread; upload routes alone accept a whole nomination's files.
        "RECOGNITION_MAX_FORM_KB": _env_int("RECOGNITION_MAX_FORM_KB", 1024),
    }


def _storage_backend(env: Mapping[str, str]) -> str:
    """The evidence store's backend, checked at start-up: a typo or a missing bucket never
    starts the app."""
    name = env.get("RECOGNITION_STORAGE", "").strip().lower() or "local"
    if name not in ("local", "s3"):
        raise ValueError(f"RECOGNITION_STORAGE must be 'local' or 's3', not {name!r}")
    if name == "s3" and not env.get("RECOGNITION_S3_BUCKET"):
        raise ValueError("RECOGNITION_STORAGE=s3 needs RECOGNITION_S3_BUCKET")
    return name


def _database_url(url: str) -> str:
    """Use psycopg 3 for plain postgres:// and postgresql:// URLs."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url
