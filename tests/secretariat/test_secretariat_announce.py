"""Announcing a call: the text per language, then every recognised nomination becomes public
at once and the cities are told."""

from __future__ import annotations

import factories
import pytest
from secretariat_support import flashes

from recognition.extensions import db as _db
from recognition.nominations.models import Nomination
from recognition.nominees.models import RegisterEntry
from recognition.notifications.models import OutboxMessage
from recognition.programmes.models import Call

LANGS = ("en", "ar", "es", "fr", "ru", "zh")


def page(call) -> str:
    return f"/secretariat/calls/{call.id}/announcement"


def texts(**values) -> dict[str, str]:
    return {f"text_{code}": values.get(code, "") for code in LANGS}


@pytest.fixture
def decided(db):
    """A decided call: Lyon and Porto recognised, Riga not; each city has a focal point."""
    call = factories.make_call(state="decided", title="Role Model City 2026")
    nominations = {}
    for name, state in (
        ("Lyon", "recognised"),
        ("Porto", "recognised"),
        ("Riga", "not_recognised"),
    ):
        focal = factories.make_user(email=f"focal@{name.lower()}.example")
        city = factories.make_city(name=name, members=[focal])
        nominations[name] = factories.make_nomination(
            call=call, city=city, state=state, areas_of_strength=[1, 2, 3, 4, 5]
        )
    db.session.commit()
    return call, nominations


def announce(client, call):
    return client.post(
        f"/workflow/call/{call.id}/announce", data={"next": page(call), "confirmed": "y"}
    )


def states(nominations) -> dict[str, str]:
    return {name: _db.session.get(Nomination, n.id).state for name, n in nominations.items()}


def test_announcement_form_has_a_field_per_language(as_officer, decided):
    call = decided[0]
    html = as_officer.get(page(call)).get_data(as_text=True)
    for code in LANGS:
        assert f'name="text_{code}"' in html
    assert 'lang="ar" dir="rtl"' in html or 'dir="rtl" lang="ar"' in html


def test_announcement_lists_the_recognised_nominations(as_officer, decided):
    call = decided[0]
    html = as_officer.get(page(call)).get_data(as_text=True)
    assert "Lyon" in html and "Porto" in html and "Riga" not in html


def test_saving_the_text_per_language(as_officer, decided):
    call = decided[0]
    response = as_officer.post(
        page(call), data=texts(en="  Congratulations  ", ar="تهانينا", zh="")
    )
    assert response.status_code == 302
    assert _db.session.get(Call, call.id).announcement == {"en": "Congratulations", "ar": "تهانينا"}


def test_saved_text_is_shown_again(db, as_officer, decided):
    call = decided[0]
    call.announcement = {"fr": "Félicitations"}
    db.session.commit()
    assert "Félicitations</textarea>" in as_officer.get(page(call)).get_data(as_text=True)


def test_too_long_text_is_a_form_error(as_officer, decided):
    call = decided[0]
    response = as_officer.post(page(call), data=texts(en="x" * 20_001))
    assert response.status_code == 200
    assert "invalid-feedback" in response.get_data(as_text=True)
    assert _db.session.get(Call, call.id).announcement == {}


@pytest.mark.parametrize("method", ["get", "post"])
def test_announcement_page_is_for_the_secretariat(db, login_as, decided, method):
    call, nominations = decided
    focal = nominations["Lyon"].city.memberships[0].user
    response = getattr(login_as(focal), method)(page(call), data=texts(en="Hacked"))
    assert response.status_code == 403
    assert db.session.get(Call, call.id).announcement == {}


def test_an_announced_call_text_is_read_only(db, as_officer, decided):
    call = decided[0]
    call.state = "announced"
    call.announcement = {"en": "Congratulations"}
    db.session.commit()
    as_officer.post(page(call), data=texts(en="Changed"))
    assert db.session.get(Call, call.id).announcement == {"en": "Congratulations"}


def test_announcing_publishes_every_recognised_nomination(db, as_officer, decided):
    call, nominations = decided
    as_officer.post(page(call), data=texts(en="Congratulations"))
    announce(as_officer, call)
    assert db.session.get(Call, call.id).state == "announced"
    assert states(nominations) == {
        "Lyon": "announced",
        "Porto": "announced",
        "Riga": "not_recognised",
    }


def test_announcing_stamps_the_date(db, as_officer, decided):
    call, nominations = decided
    as_officer.post(page(call), data=texts(en="Congratulations"))
    announce(as_officer, call)
    stored = db.session.get(Call, call.id)
    lyon = db.session.get(Nomination, nominations["Lyon"].id)
    assert stored.announced_at is not None
    assert lyon.announced_at == stored.announced_at


def test_announcing_tells_every_decided_city_its_outcome(db, as_officer, decided):
    """The cities learn their outcome with the announcement, not at the decision."""
    call = decided[0]
    as_officer.post(page(call), data=texts(en="Congratulations"))
    assert db.session.query(OutboxMessage).count() == 0
    announce(as_officer, call)
    told = sorted((m.to_email, m.subject) for m in db.session.query(OutboxMessage))
    assert told == [
        ("focal@lyon.example", "Your nomination is recognised"),
        ("focal@porto.example", "Your nomination is recognised"),
        ("focal@riga.example", "Decision on your nomination"),
    ]


def test_announcing_without_text_publishes_nothing(db, as_officer, decided):
    call, nominations = decided
    announce(as_officer, call)
    assert db.session.get(Call, call.id).state == "decided"
    assert states(nominations)["Lyon"] == "recognised"
    assert db.session.query(OutboxMessage).count() == 0


def test_an_administrator_announces_the_call_and_its_nominations(db, login_as, decided):
    call, nominations = decided
    call.announcement = {"en": "Congratulations"}
    admin = factories.make_user(roles=("admin",))
    db.session.commit()
    announce(login_as(admin), call)
    assert db.session.get(Call, call.id).state == "announced"
    assert states(nominations)["Lyon"] == "announced"


def test_an_announcement_is_all_or_nothing(db, login_as, decided, as_officer, monkeypatch):
    """If a recognised nomination cannot be published, the call is not announced either,
    rather than leaving recognised cities unpublished for ever (the call's state is final)."""
    from recognition.workflow import guards

    call, nominations = decided
    call.announcement = {"en": "Congratulations"}
    db.session.commit()
    refusing = guards.RegisteredGuard("call_is_announced", "never", lambda *args: "Never.")
    monkeypatch.setitem(guards._registry, "call_is_announced", refusing)
    announce(as_officer, call)
    assert db.session.get(Call, call.id).state == "decided"
    assert states(nominations)["Lyon"] == "recognised"
    assert db.session.query(OutboxMessage).count() == 0
    [(category, message)] = flashes(as_officer)
    assert category == "danger"
    assert message.startswith("2 decided nominations could not be announced: Never.")


def test_a_refusal_late_in_the_announcement_undoes_what_came_before(
    db, decided, as_officer, monkeypatch
):
    """Lyon and Porto are published before Riga is told; Riga's refusal undoes them too."""
    from recognition.workflow import guards

    call, nominations = decided
    call.announcement = {"en": "Congratulations"}
    db.session.commit()
    refusing = guards.RegisteredGuard("city_not_yet_told", "never", lambda *args: "Not now.")
    monkeypatch.setitem(guards._registry, "city_not_yet_told", refusing)
    announce(as_officer, call)
    _db.session.expire_all()
    assert db.session.get(Call, call.id).state == "decided"
    assert states(nominations) == {
        "Lyon": "recognised",
        "Porto": "recognised",
        "Riga": "not_recognised",
    }
    assert [_db.session.get(Nomination, n.id).verification_code for n in nominations.values()] == [
        None,
        None,
        None,
    ]
    assert db.session.query(OutboxMessage).count() == 0
    [(category, message)] = flashes(as_officer)
    assert message == "1 decided nomination could not be announced: Not now."


def test_a_decision_not_to_recognise_is_told_once(db, login_as, decided, as_officer):
    call, nominations = decided
    call.announcement = {"en": "Congratulations"}
    db.session.commit()
    announce(as_officer, call)
    riga = nominations["Riga"]
    as_officer.post(f"/workflow/nomination/{riga.id}/inform", data={"next": "/", "confirmed": "y"})
    to_riga = db.session.query(OutboxMessage).filter_by(to_email="focal@riga.example").count()
    assert to_riga == 1


def test_announcing_adds_the_recognised_to_the_register_of_past_laureates(db, decided, as_officer):
    call, nominations = decided
    call.announcement = {"en": "Congratulations"}
    db.session.commit()
    announce(as_officer, call)
    entries = _db.session.query(RegisterEntry).order_by(RegisterEntry.name).all()
    assert [(e.name, e.country, e.programme_id) for e in entries] == [
        ("Lyon", "FR", "role_model_city"),
        ("Porto", "FR", "role_model_city"),
    ]
