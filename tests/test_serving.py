"""Production serving on one machine: gunicorn's settings, the Procfile that honcho runs,
the scheduler, ``make serve``'s refusals, a clean stop on SIGTERM, and a lean worker (the
app loads no heavy library before a page needs it)."""

from __future__ import annotations

import json
import logging
import os
import re
import runpy
import shlex
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import factories
import pytest
import sqlalchemy as sa
from flask import request, request_finished
from flask_babel import get_locale
from gunicorn.config import KNOWN_SETTINGS

from recognition import cli, web
from recognition.cli import Job, run_jobs
from recognition.config import LANGUAGES
from recognition.extensions import db
from recognition.notifications.models import OutboxMessage
from recognition.reports import filters
from recognition.timeutil import utcnow
from recognition.web import WARM_PAGES

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
CONF = ROOT / "gunicorn.conf.py"

#: Libraries that only some pages, exports or commands need: a worker must not load them
#: before (weasyprint: certificates; openpyxl: XLSX exports; pypdf: packets; segno: QR codes;
#: rapidfuzz: the register's near matches; boto3: the S3 store; alembic: migrations).
HEAVY = ("weasyprint", "openpyxl", "pypdf", "segno", "rapidfuzz", "boto3", "botocore", "alembic")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# -- gunicorn.conf.py ---------------------------------------------------------------------------


def load_conf(monkeypatch, cpus: int = 2, **env: str) -> dict:
    """The settings gunicorn.conf.py computes on a machine with ``cpus`` CPUs and ``env``."""
    for name in ("WEB_CONCURRENCY", "RECOGNITION_BIND", "PORT"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: set(range(cpus)), raising=False)
    return runpy.run_path(str(CONF))


@pytest.mark.parametrize(("cpus", "workers"), [(1, 3), (2, 5), (4, 9)])
def test_workers_follow_the_cpus(monkeypatch, cpus, workers):
    assert load_conf(monkeypatch, cpus=cpus)["workers"] == workers


def test_web_concurrency_sets_the_workers(monkeypatch):
    assert load_conf(monkeypatch, cpus=8, WEB_CONCURRENCY="3")["workers"] == 3


@pytest.mark.parametrize(
    ("env", "bind"),
    [
        ({}, ["127.0.0.1:8000"]),
        ({"PORT": "5100"}, ["127.0.0.1:5100"]),
        (
            {"PORT": "5100", "RECOGNITION_BIND": "0.0.0.0:9000, unix:/run/recognition.sock"},
            ["0.0.0.0:9000", "unix:/run/recognition.sock"],
        ),
    ],
)
def test_the_address_comes_from_the_environment(monkeypatch, env, bind):
    assert load_conf(monkeypatch, **env)["bind"] == bind


def test_every_name_in_the_conf_is_a_gunicorn_setting(monkeypatch):
    """gunicorn ignores unknown names in its config file: a misspelt one would pass unseen."""
    helpers = {"annotations", "gc", "os", "cpu_count", "worker_count", "bind_addresses"}
    known = {setting.name for setting in KNOWN_SETTINGS}
    names = {name for name in load_conf(monkeypatch) if not name.startswith("__")} - helpers
    assert names - known == set()


def test_the_conf_suits_the_app(monkeypatch):
    conf = load_conf(monkeypatch)
    assert conf["wsgi_app"] == "wsgi:app"
    assert conf["timeout"] >= 60  # long exports stream within it
    assert conf["graceful_timeout"] > 0
    assert conf["keepalive"] > 0
    assert conf["max_requests"] > 0
    assert 0 < conf["max_requests_jitter"] < conf["max_requests"]
    assert conf["preload_app"] is True
    assert conf["accesslog"] == "-"
    assert "%(M)s" in conf["access_log_format"]  # the duration of each request


def test_the_master_warms_the_app_before_it_forks_and_freezes_it(app, monkeypatch):
    """when_ready: every template compiled, the public pages served in each site language
    (with what they read kept), the features' warming hooks run, then the heap frozen."""
    conf = load_conf(monkeypatch)
    frozen = []
    monkeypatch.setattr(conf["gc"], "freeze", lambda: frozen.append(True))
    served: list[tuple[str, str]] = []

    def note(sender, **extra):
        served.append((request.path, str(get_locale())))

    filters._dates_at.cache_clear()
    server = SimpleNamespace(cfg=SimpleNamespace(preload_app=True), app=SimpleNamespace())
    server.app.wsgi = lambda: app
    with request_finished.connected_to(note, app):
        conf["when_ready"](server)
    assert set(served) == {(path, lang) for path in WARM_PAGES for lang in LANGUAGES}
    assert filters._dates_at.cache_info().currsize == 1  # today's time zones, read once
    assert frozen == [True]


def test_a_warming_hook_that_fails_leaves_the_server_starting(app, monkeypatch, caplog):
    """Warming is a head start, not a condition: a hook that raises is logged, the others
    still run."""
    ran = []

    def broken():
        raise RuntimeError("no time zones here")

    monkeypatch.setattr(web, "_WARMERS", [broken, lambda: ran.append(True)])
    monkeypatch.setattr(web, "WARM_PAGES", ("/",))
    with caplog.at_level(logging.WARNING):
        web.warm_up(app)
    assert ran == [True]
    assert "broken failed" in caplog.text


def test_gunicorn_reads_the_workers_from_the_conf(tmp_path):
    """gunicorn itself, not only this file, ends up with WEB_CONCURRENCY workers."""
    env = {**os.environ, "WEB_CONCURRENCY": "3"}
    env.pop("GUNICORN_CMD_ARGS", None)
    result = subprocess.run(
        [BIN / "gunicorn", "--config", CONF, "--print-config"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    settings = dict(
        (part.strip() for part in line.split("=", 1)) for line in result.stdout.splitlines()
    )
    assert settings["workers"] == "3"
    assert settings["preload_app"] == "True"


# -- the Procfile -------------------------------------------------------------------------------


def procfile() -> dict[str, list[str]]:
    lines = (ROOT / "Procfile").read_text().splitlines()
    processes = {}
    for line in lines:
        if line.strip() and not line.startswith("#"):
            name, command = line.split(":", 1)
            words = shlex.split(command)
            processes[name] = words[1:] if words[0] == "exec" else words
    return processes


def test_the_procfile_runs_the_web_server_the_outbox_and_the_scheduler():
    processes = procfile()
    assert set(processes) == {"web", "outbox", "scheduler"}
    web = processes["web"]
    assert web[0] == "gunicorn"
    assert web[web.index("--config") + 1] == "gunicorn.conf.py"
    assert web[-1] == "wsgi:app"
    for name in processes:
        assert (BIN / processes[name][0]).exists(), f"{processes[name][0]} is not installed"


@pytest.mark.parametrize("name", ["outbox", "scheduler"])
def test_the_procfiles_commands_exist(runner, name):
    words = procfile()[name]
    assert words[:3] == ["flask", "--app", "wsgi"]
    result = runner.invoke(args=[*words[3:], "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output


# -- the scheduler ------------------------------------------------------------------------------


def test_each_job_runs_at_its_interval(app):
    now = [0.0]
    ran: list[tuple[str, float]] = []

    def job(name):
        return lambda: ran.append((name, now[0])) or "done"

    def sleep(seconds):
        now[0] += seconds

    jobs = [Job("a", 10, job("a")), Job("b", 25, job("b"))]
    run_jobs(jobs, rounds=5, clock=lambda: now[0], sleep=sleep)
    assert ran == [("a", 0), ("b", 0), ("a", 10), ("a", 20), ("b", 25), ("a", 30)]


def test_a_failing_job_is_logged_and_the_others_still_run(app, caplog):
    ran = []

    def broken():
        raise RuntimeError("database restarting")

    jobs = [Job("broken", 60, broken), Job("fine", 60, lambda: ran.append(1) or "done")]
    with caplog.at_level(logging.ERROR, logger="recognition.cli"):
        run_jobs(jobs, rounds=1, sleep=lambda seconds: None)
    assert ran == [1]
    assert "broken: the run failed" in caplog.text


def review_due_soon():
    call = factories.make_call(
        programme_id="sasakawa_award",
        state="reviewing",
        opens_at=utcnow() - timedelta(days=30),
        closes_at=utcnow() - timedelta(days=1),
        review_deadline=utcnow() + timedelta(days=2),
    )
    nomination = factories.make_nomination(call=call, state="under_review")
    factories.make_assignment(nomination, state="accepted")
    db.session.commit()


def reminders() -> int:
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(OutboxMessage)
        .where(OutboxMessage.template == "reminder")
    )


def test_one_round_of_the_scheduler_runs_both_jobs_and_stops(app, runner):
    review_due_soon()
    result = runner.invoke(args=["recognition", "schedule", "--rounds", "1"])
    assert result.exit_code == 0, result.output
    assert "remind: queued 1 reminder(s)" in result.output
    assert "lifetimes: 0 report(s) opened, 0 expiring, 0 expired" in result.output
    assert reminders() == 1


def test_the_scheduler_can_run_again_and_again(app, runner):
    review_due_soon()
    for _ in range(2):
        result = runner.invoke(args=["recognition", "schedule", "--rounds", "1"])
        assert result.exit_code == 0, result.output
    assert "remind: queued 0 reminder(s)" in result.output
    assert reminders() == 1


def test_sigterm_stops_the_scheduler_at_once_and_cleanly(app, runner, monkeypatch):
    """A SIGTERM in the middle of a job: the job's transaction is dropped, no further job
    runs, the command says so and ends with 0, and the signal's handler is put back."""
    before = signal.getsignal(signal.SIGTERM)
    ran = []

    def remind():
        ran.append("remind")
        signal.raise_signal(signal.SIGTERM)
        ran.append("after the signal")
        return "never"

    monkeypatch.setattr(cli, "remind", remind)
    result = runner.invoke(args=["recognition", "schedule"])
    assert result.exit_code == 0, result.output
    assert result.output.strip().splitlines() == ["stopped"]
    assert ran == ["remind"]
    assert signal.getsignal(signal.SIGTERM) is before


# -- make serve ---------------------------------------------------------------------------------

GOOD_KEY = "k" * 40


@pytest.mark.parametrize(
    ("env", "said"),
    [
        ({}, "set DATABASE_URL to the PostgreSQL database"),
        (
            {"DATABASE_URL": "sqlite:////tmp/recognition.db"},
            "DATABASE_URL must name a PostgreSQL database",
        ),
        ({"DATABASE_URL": "postgresql://u@127.0.0.1/r"}, "set SECRET_KEY"),
        (
            {"DATABASE_URL": "postgresql://u@127.0.0.1/r", "SECRET_KEY": "dev-only-change-me"},
            "set SECRET_KEY",
        ),
        (
            {"DATABASE_URL": "postgresql://u@127.0.0.1/r", "SECRET_KEY": "short"},
            "SECRET_KEY is too short",
        ),
        (
            {
                "DATABASE_URL": "postgresql://u@127.0.0.1/r",
                "SECRET_KEY": GOOD_KEY,
                "RATELIMIT_STORAGE_URI": "memory://",
            },
            "RATELIMIT_STORAGE_URI=memory:// counts in each worker apart",
        ),
    ],
)
def test_make_serve_refuses_to_start_without_production_settings(env, said):
    clean = {
        name: value
        for name, value in os.environ.items()
        if name not in ("DATABASE_URL", "SECRET_KEY", "RATELIMIT_STORAGE_URI", "MAKEFLAGS")
    }
    result = subprocess.run(
        ["make", "--no-print-directory", "serve"],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert f"make serve: {said}" in result.stderr
    assert "honcho" not in result.stdout + result.stderr  # nothing was started


# -- a lean worker ------------------------------------------------------------------------------

LOAD_AND_LIST = """
import json, sys
from wsgi import app
response = app.test_client().get("/")
assert response.status_code == 200, response.status_code
print(json.dumps(sorted({name.split(".")[0] for name in sys.modules})))
"""


def test_the_app_serves_a_page_without_loading_heavy_libraries(_app, database_url, tmp_path):
    """In a fresh process, as a worker starts: build the app and serve the home page."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "RECOGNITION_INSTANCE_PATH": str(tmp_path),
        "SECRET_KEY": GOOD_KEY,
    }
    result = subprocess.run(
        [sys.executable, "-c", LOAD_AND_LIST],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    loaded = set(json.loads(result.stdout.splitlines()[-1]))
    assert "flask" in loaded  # the listing works
    assert loaded & set(HEAVY) == set()


def test_the_migration_commands_work_without_alembic_at_start_up(_app, database_url, tmp_path):
    """``flask db`` loads Flask-Migrate when it runs, with its own options and commands (in
    a fresh process: the test app has loaded it already)."""
    env = {**os.environ, "DATABASE_URL": database_url, "RECOGNITION_INSTANCE_PATH": str(tmp_path)}

    def flask(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [BIN / "flask", "--app", "wsgi", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )

    helped = flask("db", "--help")
    assert helped.returncode == 0, helped.stderr
    assert "--directory" in helped.stdout
    assert "upgrade" in helped.stdout
    heads = flask("db", "heads")
    assert heads.returncode == 0, heads.stderr
    assert "(head)" in heads.stdout


# -- the whole Procfile under honcho ------------------------------------------------------------


def test_honcho_runs_the_procfile_and_sigterm_stops_every_process(_app, database_url, tmp_path):
    """gunicorn (two preloaded workers) serves pages, the scheduler runs its jobs, and on
    SIGTERM every process stops by itself with 0."""
    port = free_port()
    env = {
        **os.environ,
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        "DATABASE_URL": database_url,
        "SECRET_KEY": GOOD_KEY,
        "RECOGNITION_INSTANCE_PATH": str(tmp_path),
        "RECOGNITION_UPLOAD_FOLDER": str(tmp_path / "uploads"),
        "RATELIMIT_STORAGE_URI": "memory://",
        "RECOGNITION_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "2",
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("GUNICORN_CMD_ARGS", None)
    honcho = subprocess.Popen(
        [BIN / "honcho", "start", "-f", "Procfile"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    output: list[str] = []
    reader = threading.Thread(target=lambda: output.extend(honcho.stdout), daemon=True)
    reader.start()

    def wait_for(predicate, what: str, seconds: float = 90) -> None:
        deadline = time.monotonic() + seconds
        while not predicate():
            if time.monotonic() > deadline or honcho.poll() is not None:
                pytest.fail(f"{what} did not happen:\n{''.join(output)}")
            time.sleep(0.2)

    def home_page() -> int | None:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10) as response:
                return response.status
        except OSError:
            return None

    try:
        wait_for(lambda: home_page() == 200, "the home page")
        wait_for(lambda: any("lifetimes:" in line for line in output), "the scheduler's run")
        # Both workers up before the signal (a loaded machine boots the second later).
        wait_for(lambda: sum("Booting worker" in line for line in output) == 2, "both workers")
        assert [home_page() for _ in range(4)] == [200] * 4
        honcho.send_signal(signal.SIGTERM)
        honcho.wait(timeout=30)
    finally:
        if honcho.poll() is None:
            honcho.kill()
            honcho.wait(timeout=10)
        reader.join(timeout=10)
        honcho.stdout.close()
    text = "".join(output)
    assert text.count("Booting worker") == 2, text
    assert '"GET / HTTP/1.1" 200' in text  # the access log
    for process in ("web.1", "outbox.1", "scheduler.1"):
        assert f"{process} stopped (rc=0)" in text, text
    said = {tuple(match.groups()) for match in re.finditer(r"^\S+ (\S+) *\| (.*)$", text, re.M)}
    assert ("outbox.1", "stopped") in said, text
    assert ("scheduler.1", "stopped") in said, text
