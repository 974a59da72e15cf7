"""Fixtures for programme definitions: copies of the shipped YAML, changed one key at a time."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from programmes_support import PROGRAMMES, shipped


@pytest.fixture
def write_programme(tmp_path) -> Callable[..., Path]:
    """``write_programme(change, name=...)``: the shipped definition with ``change(data)``
    applied, written to ``tmp_path/programmes/<name>.yaml`` beside a copy of the shipped
    assets (the issuers' logos and signatures) and editions of the Essentials; returns the
    file's path."""

    def write(change: Callable[[dict], None] | None = None, name: str = "role_model_city"):
        data = shipped(name)
        if change is not None:
            change(data)
        folder = tmp_path / "programmes"
        folder.mkdir(exist_ok=True)
        for shared in ("assets", "essentials"):
            if not (folder / shared).exists():
                shutil.copytree(PROGRAMMES / shared, folder / shared)
        path = folder / f"{name}.yaml"
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")
        return path

    return write
