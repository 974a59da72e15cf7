"""Helpers for the programme tests: where the shipped definitions live, and copies of them."""

from __future__ import annotations

import copy
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
PROGRAMMES = ROOT / "programmes"


def shipped(name: str = "role_model_city") -> dict:
    """A fresh copy of a shipped programme definition, as data."""
    with open(PROGRAMMES / f"{name}.yaml", encoding="utf-8") as fh:
        return copy.deepcopy(yaml.safe_load(fh))
