"""Every address with a number in it answers 404 for a number no row can have: one bounded
converter serves every ``<int:...>`` route (PostgreSQL's INTEGER would otherwise refuse the
query, a 500)."""

from __future__ import annotations

import factories
import pytest
from werkzeug.routing import IntegerConverter

from recognition import create_app
from recognition.api.operations import create_token
from recognition.web import MAX_ID, BoundedInt

#: Beyond PostgreSQL's INTEGER, beyond SQLite's INTEGER, beyond any 64-bit number.
TOO_LARGE = (MAX_ID + 1, 2**63, 2**64 + 7)


#: The least body each API operation with one reads, by the last part of its path.
API_BODIES = {"answers": {"answers": {}}, "decision": {"outcome": "recognise"}}


def _numbered_rules():
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "SERVER_NAME": None})
    for rule in app.url_map.iter_rules():
        numbers = [n for n, c in rule._converters.items() if isinstance(c, IntegerConverter)]
        if numbers:
            yield rule, numbers


RULES = list(_numbered_rules())


def test_every_numbered_route_uses_the_bounded_converter():
    assert len(RULES) >= 15
    for rule, numbers in RULES:
        for name in numbers:
            assert isinstance(rule._converters[name], BoundedInt), rule.rule


def _path(rule, numbers, value) -> str:
    values = dict.fromkeys(numbers, value)
    for name in rule.arguments:
        choices = getattr(rule._converters.get(name), "items", None)  # <any(...)>
        default = "nomination" if name in ("workflow_id", "workflow") else "x"
        values.setdefault(name, sorted(choices)[0] if choices else default)
    return rule.build(values, append_unknown=False)[1]


@pytest.mark.parametrize("value", [*TOO_LARGE, MAX_ID])
@pytest.mark.parametrize(("rule", "numbers"), RULES, ids=[rule.rule for rule, _numbers in RULES])
def test_a_number_no_row_has_is_not_found(db, client, login_as, rule, numbers, value):
    officer = factories.make_user(roles=("secretariat", "admin"))
    _token, secret = create_token(officer, "everything", "write")
    db.session.commit()
    login_as(officer)
    method = next(m for m in ("GET", "POST", "PUT", "PATCH") if m in rule.methods).lower()
    if value > MAX_ID:
        path = _path(rule, numbers, MAX_ID).replace(str(MAX_ID), str(value))
    else:
        path = _path(rule, numbers, value)
    options = {}
    if path.startswith("/api/"):
        # The API reads no session: its requests carry the officer's token instead, and a
        # body it can read (an unreadable one is refused before anything is looked up).
        options["headers"] = {"Authorization": f"Bearer {secret}"}
        if method != "get":
            options["json"] = API_BODIES.get(path.rsplit("/", 1)[1], {})
    response = getattr(client, method)(path, **options)
    assert response.status_code == 404, path
