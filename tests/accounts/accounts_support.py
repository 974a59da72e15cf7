"""Plain helpers shared by the accounts tests."""

from __future__ import annotations

import re

from recognition.notifications.models import OutboxMessage


def link_path(message: OutboxMessage) -> str:
    """The path of the link a queued message carries (its base URL dropped)."""
    match = re.match(r"https?://[^/]+(/.*)$", message.link)
    assert match, message.link
    return match.group(1)


def html_of(response) -> str:
    return response.get_data(as_text=True)
