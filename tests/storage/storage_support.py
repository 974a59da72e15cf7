"""Helpers for the storage tests: free ports, processes that serve on them, multipart posts
and the errors a form shows beside its fields."""

from __future__ import annotations

import http.client
import io
import re
import socket
import subprocess
import time
from pathlib import Path

from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

REGION = "us-east-1"
#: moto takes any keys; these are not secrets.
KEYS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
#: The project's root: where ``wsgi.py`` is, for the app server processes.
ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    """A TCP port nothing listens on now (the OS picks it)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_serving(process: subprocess.Popen, port: int, path: str, log: Path) -> None:
    """Wait (30 s at most) until ``path`` answers on ``port``; fail with the process's log
    if it ends or never answers."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the server ended ({process.returncode}):\n{log.read_text()}")
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        try:
            connection.request("GET", path)
            if connection.getresponse().status < 500:
                return
        except OSError:
            pass
        finally:
            connection.close()
        time.sleep(0.1)
    raise AssertionError(f"nothing answered on port {port}:\n{log.read_text()}")


def stop(*processes: subprocess.Popen) -> None:
    """End servers this test started (all at once: each takes a moment), and collect them."""
    for process in processes:
        process.terminate()
    for process in processes:
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def upload(data: bytes, filename: str, content_type: str = "application/pdf") -> FileStorage:
    return FileStorage(stream=io.BytesIO(data), filename=filename, content_type=content_type)


def multipart(data: dict) -> tuple[bytes, str]:
    """``data`` (strings and ``upload()`` files) as a multipart body and its content type."""
    boundary, body = encode_multipart(data)
    return body, f'multipart/form-data; boundary="{boundary}"'


def post_multipart(client, url: str, data: dict):
    """POST as a browser sends a form with files (the body encoded in memory)."""
    body, content_type = multipart(data)
    return client.post(url, data=body, content_type=content_type)


def field_errors(html: str) -> list[str]:
    """The errors shown beside the fields of a nomination's section page."""
    return re.findall(r'class="invalid-feedback d-block">([^<]*)<', html)


def s3_settings(endpoint: str, bucket: str, **overrides) -> dict:
    """The app's settings for evidence in ``bucket`` of the S3 server at ``endpoint``."""
    settings = {
        "RECOGNITION_STORAGE": "s3",
        "RECOGNITION_S3_BUCKET": bucket,
        "RECOGNITION_S3_ENDPOINT_URL": endpoint,
        "RECOGNITION_S3_REGION": REGION,
        "RECOGNITION_S3_ACCESS_KEY_ID": KEYS["aws_access_key_id"],
        "RECOGNITION_S3_SECRET_ACCESS_KEY": KEYS["aws_secret_access_key"],
        "RECOGNITION_S3_PREFIX": "evidence/",
        "RECOGNITION_S3_TIMEOUT": 5,
        "RECOGNITION_S3_MAX_ATTEMPTS": 1,
    }
    settings.update(overrides)
    return settings
