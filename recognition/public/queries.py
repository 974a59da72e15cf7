"""Queries of public data: only announced nominations and announced calls."""

from __future__ import annotations

import sqlalchemy as sa

from ..accounts.models import City
from ..nominations.models import Nomination
from ..programmes.models import Call
from ..workflow.registry import tagged


def announced_nominations():
    """Public nominations of public calls (their workflows' ``public`` tag), with their call
    and city.

    Both are required: a nomination is public only once its call is announced, even if a
    transition published it on its own.
    """
    return (
        sa.select(Nomination, Call, City)
        .join(Call, Call.id == Nomination.call_id)
        .join(City, City.id == Nomination.city_id)
        .where(tagged(Nomination, "public"), tagged(Call, "public"))
    )


def announced_calls():
    return sa.select(Call).where(tagged(Call, "public"), Call.announced_at.is_not(None))


def announcement_text(call: Call, language: str) -> str:
    """The announcement in the reader's language, else English, else the first written."""
    texts = call.announcement or {}
    return texts.get(language) or texts.get("en") or next(iter(texts.values()), "")


def announcement_language(call: Call, language: str) -> str:
    texts = call.announcement or {}
    if language in texts:
        return language
    if "en" in texts:
        return "en"
    return next(iter(texts), language)
