"""gunicorn's settings for serving Recognition in production: ``gunicorn -c gunicorn.conf.py
wsgi:app`` (the Procfile's ``web`` process, run by ``make serve``).

Every value can be changed without editing this file: the environment variables read
below, or any gunicorn option in ``GUNICORN_CMD_ARGS`` (e.g. ``"--timeout 300"``), which
gunicorn applies over this file.
"""

from __future__ import annotations

import gc
import os


def cpu_count() -> int:
    """The CPUs this process may run on (a container's or taskset's share, not the host's)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # platforms without affinity (macOS)
        return os.cpu_count() or 1


def worker_count() -> int:
    """``WEB_CONCURRENCY`` (the name Heroku and others set), else 2 per CPU plus 1: a sync
    worker waits on the database for part of each request, so a few more workers than
    CPUs keep the CPUs busy."""
    configured = os.environ.get("WEB_CONCURRENCY", "").strip()
    if configured:
        return max(1, int(configured))
    return 2 * cpu_count() + 1


def bind_addresses() -> list[str]:
    """``RECOGNITION_BIND`` (one or more addresses, comma-separated: ``0.0.0.0:8000``,
    ``unix:/run/recognition.sock``), else ``127.0.0.1:$PORT``, else ``127.0.0.1:8000``.

    The loopback interface by default: production puts a reverse proxy in front of the app
    for TLS (set RECOGNITION_PROXIES for it); listening on every interface is a choice
    made with RECOGNITION_BIND.
    """
    configured = os.environ.get("RECOGNITION_BIND", "").strip()
    if configured:
        return [address.strip() for address in configured.split(",") if address.strip()]
    return [f"127.0.0.1:{os.environ.get('PORT', '').strip() or 8000}"]


wsgi_app = "wsgi:app"
bind = bind_addresses()
workers = worker_count()
# Sync workers: one request at a time each, so a slow page never holds up another in the
# same worker, and the engine's shared state machines are never used by two threads.
worker_class = "sync"

# A sync worker tells the master it is alive only between requests, and a response is
# written while it streams: an export of a large call (CSV or XLSX, tens of seconds at
# 10,000 nominations) must finish inside the timeout or its worker is killed mid-download.
# Two minutes covers them with room to spare, and still recycles a worker stuck on a hung
# connection.
timeout = 120
# On SIGTERM (a deploy, a stop) the requests in progress have this long to finish; a
# process manager may stop waiting sooner (honcho kills what is left after 5 seconds).
graceful_timeout = 30
# Seconds an idle keep-alive connection is held open. The sync worker closes each
# connection after its response; this applies when GUNICORN_CMD_ARGS picks a worker class
# that keeps connections (gthread), e.g. behind a load balancer that reuses them.
keepalive = 5

# Each worker is replaced after about this many requests: whatever a worker's memory grows
# by over time (caches, fragmentation) is given back. The jitter spreads the restarts so
# the workers are not all replaced at the same moment. A new worker has kept nothing yet
# (pages, counts, reads) and compiles each page's statements again: its first views are
# slower, so not too often (a worker stays within 100 MB at 10,000 nominations, exports
# included, which stream).
max_requests = 10000
max_requests_jitter = 1000

# The master imports the app once and the workers are forked from it: they start in
# milliseconds (restarts by max_requests included) and share the app's code and data with
# the master until they write to it. Safe because building the app opens no database
# connection; post_fork gives each worker a fresh connection pool all the same, as
# SQLAlchemy asks for a forked process, so that no socket is ever shared.
preload_app = True

# One line per request on stdout: peer address, the client as the proxy saw it
# (X-Forwarded-For, "-" without a proxy), request, status, bytes, duration in milliseconds,
# referrer, user agent. Errors and the server's own messages go to stderr.
accesslog = "-"
errorlog = "-"
loglevel = "info"
access_log_format = '%(h)s %({x-forwarded-for}i)s "%(r)s" %(s)s %(b)s %(M)sms "%(f)s" "%(a)s"'

# gunicorn's control socket (gunicornc) is not used, and its default path in $HOME would be
# shared by every server started on the machine.
control_socket_disable = True
# The workers' heartbeat files in memory, not on a disk that may stall them.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None


def when_ready(server) -> None:
    """Before the workers are forked, warm the preloaded app and freeze it.

    Warm: every template compiled and pages served (the language catalogs, the database
    mappers, the first-use work of the libraries), in the master, so that no worker makes
    a visitor wait for its first view (a call's ranking: 130 ms cold, 25 ms warm). The
    app's own ``warm_up()`` when it has one (Recognition's serves its public pages in every
    language, prepares what its features read at first use and serves the secretariat's
    pages of the largest calls as an officer who manages them), else its home page.
    Freeze: the garbage collector then never writes to those objects, so their pages stay
    shared with the master instead of being copied into every worker.
    """
    if not server.cfg.preload_app:
        return
    app = server.app.wsgi()
    env = getattr(app, "jinja_env", None)
    if env is not None:
        try:
            names = env.list_templates(extensions=["html", "txt", "xml"])
        except TypeError:  # a loader that cannot list its templates
            names = []
        for name in names:
            env.get_template(name)
        warm_up = getattr(app, "warm_up", None)
        if callable(warm_up):
            warm_up()
        else:
            app.test_client().get("/")
    gc.freeze()


def post_fork(server, worker) -> None:
    """Give the worker its own database connections: drop (without closing) any pooled
    connection inherited from the master, as SQLAlchemy recommends after ``os.fork()``."""
    if not server.cfg.preload_app:
        return
    app = server.app.wsgi()  # already loaded by the master: nothing is imported here
    database = getattr(app, "extensions", {}).get("sqlalchemy")
    if database is None:
        return
    with app.app_context():
        for engine in database.engines.values():
            engine.dispose(close=False)
