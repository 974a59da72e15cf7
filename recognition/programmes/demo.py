def load_demo_calls() -> None:
    """Create an open call per programme (filled in with the programmes)."""
