"""Importing historic laureates from a CSV file: a preview with each row checked, then
"Import N entries"; duplicates skipped and counted; any file a person can upload answers a
page that says what is wrong, beside the file or beside its row — never a 500."""

from __future__ import annotations

import hashlib

import factories
import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from nominees_support import csv_upload, entry, post_multipart

from recognition.nominees.imports import read
from recognition.nominees.models import RegisterEntry

IMPORT = "/secretariat/register/sasakawa_award/import"
CONFIRM = IMPORT + "/confirm"

GOOD = """year,name,country,level
2019,Almaty City Hall,KZ,laureate
2017,Kenya Red Cross Society,Kenya,distinction
2015,Comité Communal de Gestion des Risques,,merit
2013,Alcaldía de Manizales,"Colombia",
"""


def text(response) -> str:
    return response.get_data(as_text=True)


def upload(client, data: str | bytes):
    return post_multipart(client, IMPORT, {"file": csv_upload(data)})


def confirm_token(html: str) -> str:
    marker = 'name="token" type="hidden" value="'
    start = html.index(marker) + len(marker)
    return html[start : html.index('"', start)]


def entries(db) -> list[tuple]:
    return [
        (e.year, e.name, e.country, e.level, e.source)
        for e in db.session.scalars(sa.select(RegisterEntry).order_by(RegisterEntry.year))
    ]


def test_the_import_page_says_what_the_file_holds(as_officer):
    html = text(as_officer.get(IMPORT))
    assert "year" in html and "laureate, distinction, merit" in html
    assert 'enctype="multipart/form-data"' in html


def test_a_good_file_is_previewed_then_imported(db, as_officer):
    preview = upload(as_officer, GOOD)
    html = text(preview)
    assert preview.status_code == 200
    assert "4 new entries will be imported." in html
    assert "Import 4 entries" in html
    assert entries(db) == []  # nothing before "Import"
    done = as_officer.post(CONFIRM, data={"token": confirm_token(html)}, follow_redirects=True)
    assert "4 entries imported." in text(done)
    assert entries(db) == [
        (2013, "Alcaldía de Manizales", "CO", "laureate", "import"),
        (2015, "Comité Communal de Gestion des Risques", None, "merit", "import"),
        (2017, "Kenya Red Cross Society", "KE", "distinction", "import"),
        (2019, "Almaty City Hall", "KZ", "laureate", "import"),
    ]


def test_imported_entries_are_listed_in_the_register(db, as_officer):
    as_officer.post(CONFIRM, data={"token": confirm_token(text(upload(as_officer, GOOD)))})
    html = text(as_officer.get("/secretariat/register/sasakawa_award"))
    assert "Almaty City Hall" in html and "Kazakhstan" in html and "Certificate of Merit" in html


def test_duplicates_are_skipped_and_counted(db, as_officer, officer):
    entry("Almaty City Hall", "KZ", year=2019)
    db.session.commit()
    data = GOOD + "2017,Kenya Red Cross Society,KE,distinction\n"
    html = text(upload(as_officer, data))
    assert "3 new entries will be imported." in html
    assert "2 rows are already in the register (or repeat a row above)" in html
    done = as_officer.post(CONFIRM, data={"token": confirm_token(html)}, follow_redirects=True)
    assert "3 entries imported." in text(done)
    assert len(entries(db)) == 4


def test_importing_the_same_preview_twice_adds_nothing_more(db, as_officer):
    token = confirm_token(text(upload(as_officer, GOOD)))
    as_officer.post(CONFIRM, data={"token": token})
    again = as_officer.post(CONFIRM, data={"token": token}, follow_redirects=True)
    assert "0 entries imported. 4 duplicates skipped." in text(again)
    assert len(entries(db)) == 4


def test_semicolons_and_a_byte_order_mark_are_read(db, as_officer):
    data = "\ufeffYear;Name;Country;Level\n2019;Almaty City Hall;kz;Laureate\n".encode()
    html = text(upload(as_officer, data))
    assert "1 new entry will be imported." in html


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("19,Almaty,KZ,laureate", "The year must be written with four digits, from 1900 to"),
        ("2999,Almaty,KZ,laureate", "The year must be written with four digits"),
        ("2019,,KZ,laureate", "The name is missing."),
        ("2019,!!!,KZ,laureate", "The name is missing."),
        ("2019,Almaty,Atlantis,laureate", "“Atlantis” is not a country"),
        ("2019,Almaty,KZ,winner", "“winner” is not a level of this programme"),
        ("2019,Almaty,KZ", "This row has 3 values; the first line names 4 columns."),
        ("2019,Almaty,KZ,laureate,extra", "This row has 5 values"),
        ('2019,"Almaty,KZ,laureate', "This row has 2 values"),  # a quote left open
        ("2019," + "A" * 301 + ",KZ,laureate", "The name is longer than 300 characters."),
    ],
)
def test_a_bad_row_is_shown_with_its_problem_and_left_out(db, as_officer, row, message):
    data = "year,name,country,level\n2019,Kenya Red Cross,KE,laureate\n" + row + "\n"
    response = upload(as_officer, data)
    html = text(response)
    assert response.status_code == 200
    assert "1 new entry will be imported." in html
    assert "1 row has a problem and will be left out" in html
    # The message sits in the row of the table, after the line number.
    row_html = html[html.index('<th scope="row">3</th>') :]
    assert message in row_html[: row_html.index("</tr>")]


def file_problem(html: str) -> str:
    start = html.index('class="invalid-feedback d-block">') + len(
        'class="invalid-feedback d-block">'
    )
    return html[start : html.index("</div>", start)]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The file is empty."),
        (b"   \n\n", "The file is empty."),
        ("year,name,country,level\n2019,Almaty,KZ,laureate\n".encode("utf-16"), "not UTF-8"),
        ("year,name\n2019,Almaty Città\n".encode("latin-1"), "not UTF-8"),
        (b"%PDF-1.4\n\x00\x01\x02binary", "This is not a CSV text file."),
        (b"\x01\x02\x03", "The file is empty."),
        (b"year,name,land\n2019,Almaty,KZ\n", "(missing: country, level)"),
        (b"name;country\nAlmaty;KZ\n", "(missing: year, level)"),
        (b"year,name,country,level\n", "The file has no rows below its first line."),
        (b"year,name,country,level\n2019," + b"x" * 200_000 + b",KZ,laureate\n", "cannot be read"),
    ],
    ids=[
        "empty",
        "blank",
        "utf-16",
        "latin-1",
        "binary",
        "control-characters",
        "wrong-columns",
        "other-columns",
        "header-only",
        "huge-value",
    ],
)
def test_a_bad_file_is_refused_beside_the_file_field(db, as_officer, data, message):
    response = upload(as_officer, data)
    assert response.status_code == 200
    assert message in file_problem(text(response))
    assert entries(db) == []


def test_a_file_larger_than_a_form_is_refused_beside_the_field(app, db, as_officer, monkeypatch):
    monkeypatch.setitem(app.config, "RECOGNITION_MAX_FORM_KB", 4)
    data = "year,name,country,level\n" + "2019,Almaty City Hall,KZ,laureate\n" * 200
    response = upload(as_officer, data)
    assert response.status_code == 200
    assert "The file is larger than 4 KB" in file_problem(text(response))


def test_more_entries_than_a_form_can_carry_are_refused(app, db, as_officer, monkeypatch):
    monkeypatch.setitem(app.config, "RECOGNITION_MAX_FORM_KB", 5)
    rows = "".join(
        f"2019,Org {hashlib.sha256(bytes([n])).hexdigest()[:24]},KZ,\n" for n in range(60)
    )
    response = upload(as_officer, "year,name,country,level\n" + rows)
    assert response.status_code == 200
    assert "too many entries to import at once" in file_problem(text(response))


def test_too_many_rows_are_refused(db, as_officer, monkeypatch):
    monkeypatch.setattr("recognition.nominees.imports.MAX_ROWS", 5)
    data = "year,name,country,level\n" + "".join(f"2019,Org {n},KZ,\n" for n in range(6))
    response = upload(as_officer, data)
    assert "The file has more than 5 rows" in file_problem(text(response))


def test_no_file_is_refused_beside_the_field(db, as_officer):
    response = post_multipart(as_officer, IMPORT, {})
    assert "Choose a CSV file." in file_problem(text(response))


@pytest.mark.parametrize("token", ["", "garbage", "eyJwIjoic2FzYWthd2FfYXdhcmQifQ.x.y"])
def test_a_forged_or_expired_preview_imports_nothing(db, as_officer, token):
    response = as_officer.post(CONFIRM, data={"token": token}, follow_redirects=True)
    assert "This preview has expired. Send the file again." in text(response)
    assert entries(db) == []


def test_a_preview_is_for_its_programme_only(db, as_officer):
    token = confirm_token(text(upload(as_officer, GOOD)))
    other = "/secretariat/register/role_model_city/import/confirm"
    response = as_officer.post(other, data={"token": token}, follow_redirects=True)
    assert "This preview has expired." in text(response)
    assert entries(db) == []


def test_a_preview_is_for_its_officer_only(db, as_officer, login_as):
    token = confirm_token(text(upload(as_officer, GOOD)))
    colleague = factories.make_secretariat(email="colleague@secretariat.example")
    db.session.commit()
    response = login_as(colleague).post(CONFIRM, data={"token": token}, follow_redirects=True)
    assert "This preview has expired." in text(response)


def test_an_unknown_programme_is_404(as_officer):
    assert as_officer.get("/secretariat/register/nope/import").status_code == 404
    assert as_officer.get("/secretariat/register/nope").status_code == 404


CSV_TEXT = st.lists(
    st.lists(
        st.one_of(
            st.sampled_from(["2019", "19", "KZ", "Kazakhstan", "laureate", "", '"', ";", "\n"]),
            st.text(max_size=12),
        ),
        max_size=6,
    ),
    max_size=8,
).map(lambda rows: "year,name,country,level\n" + "\n".join(",".join(r) for r in rows))


@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.one_of(st.binary(max_size=600), CSV_TEXT.map(str.encode)))
def test_any_file_is_read_or_refused_with_a_reason(app, data):
    with app.test_request_context():
        reading = read(data, app.extensions["programmes"]["sasakawa_award"], 4096)
        messages = [reading.problem] if reading.problem is not None else []
        messages += [error for row in reading.rows for error in row.errors]
        assert all(str(message) for message in messages)
        assert reading.problem is not None or reading.rows
