"""Where evidence files live: a local folder (the default) or an S3-compatible object store.

Every file is kept under the sha256 of its bytes, so the same bytes are stored once however
many nominations, letters or stages refer to them, and a key never changes meaning. What may
be uploaded (types, sizes, the messages a form shows) is decided before a file gets here, in
``nominations.storage``; this module only keeps bytes and gives them back.

``RECOGNITION_STORAGE`` chooses the backend: ``local`` keeps files under
``RECOGNITION_UPLOAD_FOLDER`` (embedded use, ``make run``, tests, or a shared volume); ``s3``
keeps them in a bucket (``RECOGNITION_S3_*``), so that any number of app servers share them.
boto3 is imported when an object store is first used, never otherwise: boto3 and botocore
take tens of megabytes that a process which never uses them does not need.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import tempfile
import threading
from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from flask import Response, abort, current_app, make_response, send_file

from .web import RETRY_AFTER, render_error

log = logging.getLogger(__name__)

CHUNK = 1 << 16
#: Bytes of a file kept in memory while it is hashed before going to the store; beyond, a
#: temporary file.
SPOOL_BYTES = 1 << 20
#: The settings that make an object-store client; a change of any makes a new one.
S3_SETTINGS = (
    "RECOGNITION_S3_BUCKET",
    "RECOGNITION_S3_PREFIX",
    "RECOGNITION_S3_ENDPOINT_URL",
    "RECOGNITION_S3_REGION",
    "RECOGNITION_S3_ACCESS_KEY_ID",
    "RECOGNITION_S3_SECRET_ACCESS_KEY",
    "RECOGNITION_S3_ADDRESSING_STYLE",
    "RECOGNITION_S3_TIMEOUT",
    "RECOGNITION_S3_MAX_ATTEMPTS",
)
BACKENDS = ("local", "s3")
_KEY = re.compile(r"[0-9a-f]{64}")


class Unavailable(OSError):
    """The store cannot be reached or refused the operation (not: the file is absent)."""


class EvidenceStore(ABC):
    """Content-addressed storage of evidence files: the key of a file is its sha256."""

    @abstractmethod
    def put(self, stream: IO[bytes], sha256: str | None = None) -> str:
        """Store the bytes read from ``stream`` once and return their key.

        ``sha256``, when the caller has already hashed the bytes, saves reading them twice;
        the stream must then be positioned at the file's start."""

    @abstractmethod
    def open(self, key: str) -> IO[bytes]:
        """A readable stream of the file (FileNotFoundError: no such file); close it."""

    @abstractmethod
    def exists(self, key: str) -> bool:
        """Whether the store holds the file."""

    @abstractmethod
    def size(self, key: str) -> int:
        """The file's size in bytes (FileNotFoundError: no such file)."""

    @abstractmethod
    def send(self, key: str, *, mimetype: str, download_name: str) -> Response:
        """The response that downloads the file as an attachment, streamed, never read
        whole into memory (FileNotFoundError: no such file)."""


def check_key(key: str) -> str:
    """A key is a sha256 in lowercase hex: nothing else reaches a path or an object name."""
    if not _KEY.fullmatch(key or ""):
        raise ValueError(f"not a sha256 key: {key!r}")
    return key


@contextmanager
def spooled(stream: IO[bytes]) -> Iterator[tuple[IO[bytes], str]]:
    """Copy ``stream`` to a temporary file while hashing it: (the copy at its start, sha256),
    the copy removed after the block."""
    with tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES) as spool:
        digest = hashlib.sha256()
        while chunk := stream.read(CHUNK):
            digest.update(chunk)
            spool.write(chunk)
        spool.seek(0)
        yield spool, digest.hexdigest()


class LocalStore(EvidenceStore):
    """Files under a folder, as ``<folder>/<first two hex digits>/<sha256>``."""

    def __init__(self, folder: Path):
        self.folder = folder

    def path(self, key: str) -> Path:
        return self.folder / key[:2] / check_key(key)

    def put(self, stream: IO[bytes], sha256: str | None = None) -> str:
        # Written beside its final place and renamed: a reader never sees half a file, and
        # two servers storing the same bytes at once both end with the one whole file.
        self.folder.mkdir(parents=True, exist_ok=True)
        if sha256 is not None and self.path(sha256).exists():
            return sha256
        fd, tmp_name = tempfile.mkstemp(dir=self.folder, prefix=".upload-")
        try:
            digest = hashlib.sha256()
            with os.fdopen(fd, "wb") as tmp:
                while chunk := stream.read(CHUNK):
                    digest.update(chunk)
                    tmp.write(chunk)
            key = digest.hexdigest()
            target = self.path(key)
            target.parent.mkdir(exist_ok=True)
            if target.exists():
                os.unlink(tmp_name)
            else:
                os.replace(tmp_name, target)
            return key
        except BaseException:
            if os.path.exists(tmp_name):
                try:
                    os.unlink(tmp_name)
                except OSError:
                    log.warning("could not remove the partial upload %s", tmp_name)
            raise

    def open(self, key: str) -> IO[bytes]:
        return self.path(key).open("rb")

    def exists(self, key: str) -> bool:
        return self.path(key).is_file()

    def size(self, key: str) -> int:
        return self.path(key).stat().st_size

    def send(self, key: str, *, mimetype: str, download_name: str) -> Response:
        path = self.path(key)
        if not path.is_file():
            raise FileNotFoundError(key)
        return send_file(
            path, mimetype=mimetype, as_attachment=True, download_name=download_name, max_age=0
        )


#: The error codes S3 gives for "no such object" (HEAD answers a bare 404).
_ABSENT = frozenset({"404", "NoSuchKey", "NotFound"})


class S3Store(EvidenceStore):
    """Files as objects of one bucket of an S3-compatible store (AWS S3, MinIO, Ceph, ...),
    named ``<prefix><first two hex digits>/<sha256>`` as in the local folder, so that a
    folder can be copied into a bucket as it is. The bucket stays private: downloads are
    streamed through the app after its permission check."""

    def __init__(self, client: Any, bucket: str, prefix: str = ""):
        from boto3.exceptions import Boto3Error
        from boto3.s3.transfer import TransferConfig
        from botocore.exceptions import BotoCoreError, ClientError

        self.client = client
        self.bucket = bucket
        self.prefix = prefix
        self._failures = (BotoCoreError, ClientError, Boto3Error)
        # One part at a time, no threads: a web worker holds one part in memory at most.
        self._transfer = TransferConfig(use_threads=False)

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> S3Store:
        """A store from the ``RECOGNITION_S3_*`` settings. Credentials and region left empty
        come from boto3's usual places (AWS_* variables, ~/.aws, an instance role)."""
        import boto3
        from botocore.config import Config

        bucket = config.get("RECOGNITION_S3_BUCKET") or ""
        if not bucket:
            raise ValueError("RECOGNITION_STORAGE=s3 needs RECOGNITION_S3_BUCKET")
        endpoint = config.get("RECOGNITION_S3_ENDPOINT_URL") or None
        # Other S3-compatible stores are addressed by path (bucket in the path, not the host).
        style = config.get("RECOGNITION_S3_ADDRESSING_STYLE") or ("path" if endpoint else "auto")
        timeout = int(config.get("RECOGNITION_S3_TIMEOUT") or 10)
        session = boto3.session.Session(
            aws_access_key_id=config.get("RECOGNITION_S3_ACCESS_KEY_ID") or None,
            aws_secret_access_key=config.get("RECOGNITION_S3_SECRET_ACCESS_KEY") or None,
            region_name=config.get("RECOGNITION_S3_REGION") or None,
        )
        client = session.client(
            "s3",
            endpoint_url=endpoint,
            config=Config(
                connect_timeout=timeout,
                read_timeout=timeout,
                retries={
                    "mode": "standard",
                    "max_attempts": int(config.get("RECOGNITION_S3_MAX_ATTEMPTS") or 3),
                },
                s3={"addressing_style": style},
            ),
        )
        return cls(client, bucket, config.get("RECOGNITION_S3_PREFIX") or "")

    def name(self, key: str) -> str:
        return f"{self.prefix}{key[:2]}/{check_key(key)}"

    def _failed(self, exc: Exception, doing: str, key: str) -> Exception:
        """The store's error as this module's: absent (FileNotFoundError) or Unavailable."""
        code = str(getattr(exc, "response", {}).get("Error", {}).get("Code", ""))
        if code in _ABSENT:
            return FileNotFoundError(key)
        return Unavailable(f"object store cannot {doing} {key}: {exc}")

    def put(self, stream: IO[bytes], sha256: str | None = None) -> str:
        if sha256 is None or not stream.seekable():
            with spooled(stream) as (spool, digest):
                return self._upload(spool, digest)
        return self._upload(stream, sha256)

    def _upload(self, stream: IO[bytes], key: str) -> str:
        # Two servers storing the same bytes at once write the same object: no harm done.
        if self.exists(key):
            return key
        try:
            self.client.upload_fileobj(stream, self.bucket, self.name(key), Config=self._transfer)
        except self._failures as exc:
            raise Unavailable(f"object store refused {key}: {exc}") from exc
        return key

    def _get(self, key: str) -> dict[str, Any]:
        try:
            return self.client.get_object(Bucket=self.bucket, Key=self.name(key))
        except self._failures as exc:
            raise self._failed(exc, "give", key) from exc

    def _head(self, key: str) -> dict[str, Any] | None:
        try:
            return self.client.head_object(Bucket=self.bucket, Key=self.name(key))
        except self._failures as exc:
            failure = self._failed(exc, "tell about", key)
            if isinstance(failure, FileNotFoundError):
                return None
            raise failure from exc

    def open(self, key: str) -> IO[bytes]:
        return self._get(key)["Body"]

    def exists(self, key: str) -> bool:
        return self._head(key) is not None

    def size(self, key: str) -> int:
        head = self._head(key)
        if head is None:
            raise FileNotFoundError(key)
        return int(head["ContentLength"])

    def send(self, key: str, *, mimetype: str, download_name: str) -> Response:
        found = self._get(key)
        # The object's body is read as the response is sent, one block at a time; the WSGI
        # server closes it (and frees its connection) when the response is done.
        response = send_file(
            found["Body"],
            mimetype=mimetype,
            as_attachment=True,
            download_name=download_name,
            max_age=0,
            etag=key,
            last_modified=found.get("LastModified"),
            conditional=False,
        )
        response.content_length = int(found["ContentLength"])
        return response


_lock = threading.Lock()


def evidence_store() -> EvidenceStore:
    """The store the app's settings choose. An object-store client is made once per app and
    settings (a client is costly to make, and thread-safe once made)."""
    config = current_app.config
    backend = config.get("RECOGNITION_STORAGE") or "local"
    if backend == "local":
        return LocalStore(Path(config["RECOGNITION_UPLOAD_FOLDER"]))
    if backend != "s3":
        raise ValueError(f"RECOGNITION_STORAGE must be one of {', '.join(BACKENDS)}: {backend!r}")
    settings = tuple(config.get(name) for name in S3_SETTINGS)
    clients = current_app.extensions.setdefault("recognition.storage", {})
    with _lock:
        store = clients.get(settings)
        if store is None:
            store = clients[settings] = S3Store.from_config(config)
    return store


def send_evidence(key: str, *, mimetype: str, download_name: str) -> Response:
    """Answer a download the view has allowed: the file as an attachment; 404 when the store
    does not have it; 503 with Retry-After when the store cannot be reached."""
    try:
        return evidence_store().send(key, mimetype=mimetype, download_name=download_name)
    except FileNotFoundError:
        log.warning("evidence file %s is missing from the storage", key)
        abort(404)
    except Unavailable as exc:
        log.error("evidence storage unavailable for a download: %s", exc)
        response = make_response(render_error(503))
        response.headers["Retry-After"] = str(RETRY_AFTER)
        abort(response)
