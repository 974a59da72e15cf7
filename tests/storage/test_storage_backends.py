"""The storage interface, the same for both backends (the local folder, the object store):
files kept under the sha256 of their bytes, once; read back whole; absent files told apart;
only sha256 keys accepted. The settings choose the backend, boto3 loaded only for S3."""

from __future__ import annotations

import hashlib
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from recognition import config
from recognition.storage import EvidenceStore, LocalStore, evidence_store

DATA = b"%PDF-1.4\n% some evidence\n"
SHA = hashlib.sha256(DATA).hexdigest()
ABSENT = "0" * 64


class OneWay(io.RawIOBase):
    """A stream that cannot seek, as a request body read as it arrives."""

    def __init__(self, data: bytes):
        self._data = io.BytesIO(data)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        chunk = self._data.read(min(len(buffer), 7))
        buffer[: len(chunk)] = chunk
        return len(chunk)


@pytest.fixture(params=["local", "s3"])
def store(request, app) -> EvidenceStore:
    if request.param == "s3":
        request.getfixturevalue("s3")
    return evidence_store()


def stored_keys(store: EvidenceStore, app) -> int:
    """How many files the backend holds."""
    if isinstance(store, LocalStore):
        return sum(1 for p in store.folder.rglob("*") if p.is_file())
    found = store.client.list_objects_v2(Bucket=store.bucket)
    return found.get("KeyCount", 0)


def test_a_file_is_kept_under_its_sha256_and_read_back(store):
    assert store.put(io.BytesIO(DATA)) == SHA
    assert store.exists(SHA)
    assert store.size(SHA) == len(DATA)
    with store.open(SHA) as stream:
        assert stream.read() == DATA


def test_the_same_bytes_are_kept_once(store, app):
    assert store.put(io.BytesIO(DATA)) == store.put(io.BytesIO(DATA), SHA) == SHA
    assert stored_keys(store, app) == 1


def test_a_stream_that_cannot_seek_is_hashed_on_the_way(store):
    assert store.put(OneWay(DATA)) == SHA
    with store.open(SHA) as stream:
        assert stream.read() == DATA


def test_an_absent_file_is_told_apart(store):
    assert not store.exists(ABSENT)
    with pytest.raises(FileNotFoundError):
        store.open(ABSENT)
    with pytest.raises(FileNotFoundError):
        store.size(ABSENT)
    with pytest.raises(FileNotFoundError):
        store.send(ABSENT, mimetype="application/pdf", download_name="x.pdf")


@pytest.mark.parametrize("key", ["../../etc/passwd", SHA.upper(), SHA[:-1], "", SHA + "/x"])
def test_only_sha256_keys_are_accepted(store, key):
    with pytest.raises(ValueError):
        store.exists(key)


def test_the_local_folder_keeps_files_by_their_first_two_digits(app, tmp_path):
    store = LocalStore(tmp_path / "uploads")
    store.put(io.BytesIO(DATA))
    assert (tmp_path / "uploads" / SHA[:2] / SHA).read_bytes() == DATA
    assert [p.name for p in (tmp_path / "uploads").iterdir()] == [SHA[:2]]  # no leftovers


# -- settings ----------------------------------------------------------------------------------


def test_the_local_folder_is_the_default(monkeypatch, tmp_path):
    monkeypatch.delenv("RECOGNITION_STORAGE", raising=False)
    assert config.load(tmp_path, str(tmp_path))["RECOGNITION_STORAGE"] == "local"


@pytest.mark.parametrize(
    ("environment", "error"),
    [
        ({"RECOGNITION_STORAGE": "s4"}, "must be 'local' or 's3'"),
        ({"RECOGNITION_STORAGE": "s3"}, "needs RECOGNITION_S3_BUCKET"),
    ],
    ids=["unknown-backend", "no-bucket"],
)
def test_a_wrong_storage_setting_stops_the_start(monkeypatch, tmp_path, environment, error):
    monkeypatch.delenv("RECOGNITION_S3_BUCKET", raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ValueError, match=error):
        config.load(tmp_path, str(tmp_path))


LOADED = """
import io, json, sys
from recognition import create_app
from recognition.storage import evidence_store
app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "RECOGNITION_UPLOAD_FOLDER": sys.argv[1]})
with app.app_context():
    key = evidence_store().put(io.BytesIO(b"evidence"))
    with evidence_store().open(key) as stream:
        stream.read()
print(json.dumps(sorted(m for m in ("boto3", "botocore", "pypdf") if m in sys.modules)))
"""


def test_a_process_on_the_local_folder_never_loads_boto3_nor_pypdf(tmp_path):
    """boto3 and botocore weigh tens of MB; pypdf is for packets: loaded when used only."""
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "RECOGNITION_INSTANCE_PATH": str(tmp_path),
    }
    done = subprocess.run(
        [sys.executable, "-c", LOADED, str(tmp_path / "uploads")],
        capture_output=True,
        text=True,
        env=env,
        cwd=Path(__file__).resolve().parents[2],
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.splitlines()[-1]) == []
