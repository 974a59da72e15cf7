"""Queue notifications into the outbox."""


def notify_registration(user, city) -> None:
    """Tell the secretariat a city registered (filled in with the outbox)."""
