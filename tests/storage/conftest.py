"""Fixtures for the storage tests: moto's standalone S3 server (a real HTTP endpoint, started
once per run), a fresh bucket per test, and the app switched to it.

moto is a test dependency (pyproject's ``test`` extra): when it is missing the tests fail,
they never skip.
"""

from __future__ import annotations

import subprocess
import sys
import uuid
from types import SimpleNamespace

import boto3
import pytest
from botocore.config import Config
from storage_support import KEYS, REGION, free_port, s3_settings, stop, wait_until_serving


@pytest.fixture(scope="session")
def moto_endpoint(tmp_path_factory):
    """The address of a moto S3 server on a free port of 127.0.0.1."""
    port = free_port()
    log = tmp_path_factory.mktemp("moto") / "moto.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_until_serving(process, port, "/moto-api/", log)
        yield f"http://127.0.0.1:{port}"
    finally:
        stop(process)


@pytest.fixture(scope="session")
def s3_client(moto_endpoint):
    """A client of the moto server, for the tests' own look into buckets."""
    client = boto3.session.Session(region_name=REGION, **KEYS).client(
        "s3", endpoint_url=moto_endpoint, config=Config(s3={"addressing_style": "path"})
    )
    yield client
    client.close()


@pytest.fixture
def s3(app, moto_endpoint, s3_client, monkeypatch):
    """The app keeps evidence in a new, empty bucket of the moto server. ``s3.names()`` lists
    the objects in it; ``s3.use(**settings)`` changes a setting (a dead endpoint...)."""
    bucket = f"evidence-{uuid.uuid4().hex[:12]}"
    s3_client.create_bucket(Bucket=bucket)

    def use(**overrides):
        for name, value in s3_settings(moto_endpoint, bucket, **overrides).items():
            monkeypatch.setitem(app.config, name, value)

    def names() -> list[str]:
        found = s3_client.list_objects_v2(Bucket=bucket)
        return sorted(item["Key"] for item in found.get("Contents", []))

    use()
    yield SimpleNamespace(bucket=bucket, client=s3_client, names=names, use=use)
    # The app's object-store clients hold connections: closed here, not by the collector.
    for store in app.extensions.pop("recognition.storage", {}).values():
        store.client.close()
