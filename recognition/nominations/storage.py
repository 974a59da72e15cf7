"""Evidence files: typed from their bytes, stored once by sha256 outside the static folder,
in the store the settings choose (``recognition.storage``)."""

from __future__ import annotations

import hashlib
import logging
import tempfile
import unicodedata
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import filetype
from flask import current_app
from flask_babel import format_decimal

from ..i18n import lazy_gettext as _l
from ..storage import SPOOL_BYTES, LocalStore, evidence_store

log = logging.getLogger(__name__)

#: Sniffed MIME type -> the extension the stored name gets.
ACCEPTED_TYPES = {
    "application/pdf": "pdf",
    "image/png": "png",
    "image/jpeg": "jpg",
    "image/gif": "gif",
    "image/webp": "webp",
    "application/msword": "doc",
    "application/vnd.ms-excel": "xls",
    "application/vnd.ms-powerpoint": "ppt",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": "pptx",
    "application/vnd.oasis.opendocument.text": "odt",
    "application/vnd.oasis.opendocument.spreadsheet": "ods",
    "application/vnd.oasis.opendocument.presentation": "odp",
}

MAX_NAME = 120
CHUNK = 1 << 16


class UploadRefused(Exception):
    """The file cannot be accepted; ``message`` says why, for the user."""

    def __init__(self, message):
        self.message = message
        super().__init__(str(message))


class StorageUnavailable(UploadRefused):
    """The storage could not take the file (disk full, read-only, unreachable): the file is
    refused with a message, and what was typed beside it is kept."""


class FileTooLarge(UploadRefused):
    """The file is larger than ``limit`` bytes (the caller may say which limit that was)."""

    def __init__(self, message, limit: int):
        self.limit = limit
        super().__init__(message)


@dataclass(frozen=True)
class StoredFile:
    sha256: str
    size: int
    mime: str
    filename: str


def sanitise_filename(name: str, extension: str) -> str:
    """A safe display name: no path, no control or direction characters, bounded length,
    ending with the extension of the type sniffed from the bytes."""
    name = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = "".join(
        ch
        for ch in unicodedata.normalize("NFC", name)
        if unicodedata.category(ch)[0] != "C" and ch not in '<>:"|?*'
    ).strip(" .")
    stem = cleaned.rsplit(".", 1)[0] if "." in cleaned else cleaned
    stem = stem[: MAX_NAME - len(extension) - 1].strip(" .") or "file"
    return f"{stem}.{extension}"


def upload_folder() -> Path:
    """The local store's folder (``RECOGNITION_STORAGE=local``), made if missing."""
    folder = Path(current_app.config["RECOGNITION_UPLOAD_FOLDER"])
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def blob_path(sha256: str) -> Path:
    """Where the local store keeps a file (with the object store, nothing is kept there)."""
    return LocalStore(upload_folder()).path(sha256)


def _megabytes(size: int) -> str:
    """A size in MB for messages, with one decimal below 10 MB so that 0.5 MB is not "0"."""
    mb = size / (1024 * 1024)
    return format_decimal(mb, "#,##0.#" if mb < 10 else "#,##0")


def store(stream: IO[bytes], original_name: str, max_bytes: int) -> StoredFile:
    """Copy an upload to storage (once per content); refuse what is too big or not accepted,
    and what the storage cannot take just now."""
    try:
        return _store(stream, original_name, max_bytes)
    except OSError as exc:
        log.error("evidence storage refused a file: %s", exc)
        raise StorageUnavailable(
            _l(
                "The file could not be stored just now. Your other answers are saved: "
                "send the file again later."
            )
        ) from exc


def _store(stream: IO[bytes], original_name: str, max_bytes: int) -> StoredFile:
    # Checked before anything is written, so that a refused file leaves nothing behind:
    # size, emptiness and type, hashing on the way; then stored once under its sha256.
    digest = hashlib.sha256()
    size = 0
    head = b""
    seekable = getattr(stream, "seekable", lambda: False)()
    start = stream.tell() if seekable else 0
    with ExitStack() as cleanup:
        source = (
            stream
            if seekable
            else cleanup.enter_context(tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES))
        )
        while chunk := stream.read(CHUNK):
            size += len(chunk)
            if size > max_bytes:
                raise FileTooLarge(
                    _l("The file is larger than %(mb)s MB.", mb=_megabytes(max_bytes)),
                    max_bytes,
                )
            if len(head) < 8192:
                head += chunk[: 8192 - len(head)]
            digest.update(chunk)
            if not seekable:
                source.write(chunk)
        if size == 0:
            raise UploadRefused(_l("The file is empty."))
        kind = filetype.guess(head)
        mime = kind.mime if kind else ""
        if mime not in ACCEPTED_TYPES:
            raise UploadRefused(
                _l("This file type is not accepted. Send a PDF, an image or an office document.")
            )
        source.seek(start)
        sha = evidence_store().put(source, digest.hexdigest())
        return StoredFile(sha, size, mime, sanitise_filename(original_name, ACCEPTED_TYPES[mime]))


PDF = "application/pdf"


def store_pdf(upload, default_name: str, not_pdf: Any, unavailable: Any) -> StoredFile:
    """Store an upload that must be a PDF (judged by its bytes), within the file size limit;
    ``not_pdf`` and ``unavailable`` are the messages the form shows beside its field."""
    head = upload.stream.read(8192)
    upload.stream.seek(0)
    kind = filetype.guess(head) if head else None
    if head and (kind is None or kind.mime != PDF):
        raise UploadRefused(not_pdf)
    max_bytes = current_app.config["RECOGNITION_MAX_FILE_MB"] * 1024 * 1024
    try:
        return store(upload.stream, upload.filename or default_name, max_bytes)
    except StorageUnavailable as exc:  # its message speaks of answers saved: the caller's
        raise UploadRefused(unavailable) from exc
