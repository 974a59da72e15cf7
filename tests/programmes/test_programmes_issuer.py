"""A programme's issuer (who issues and signs its certificates): parsed from the YAML, its
image files checked, and every mistake named by file and key."""

from __future__ import annotations

import pytest
from programmes_support import PROGRAMMES

from recognition.programmes.definition import Issuer, Signatory, load_programme, parse_programme
from recognition.workflow.definition import DefinitionError

ASSETS = PROGRAMMES / "assets"


@pytest.mark.parametrize(
    ("name", "signatory", "signature"),
    [
        ("role_model_city", "Head of the Secretariat", "signature-secretariat.svg"),
        ("sasakawa_award", "Chair of the Jury", "signature-jury.svg"),
    ],
)
def test_shipped_programmes_name_their_issuer_and_signatory(name, signatory, signature):
    issuer = load_programme(PROGRAMMES / f"{name}.yaml").issuer
    assert issuer.name == "UNDRR — United Nations Office for Disaster Risk Reduction"
    assert issuer.logo == (ASSETS / "issuer-logo.svg").resolve()
    assert issuer.signatory.name == signatory
    assert issuer.signatory.title
    assert issuer.signatory.signature == (ASSETS / signature).resolve()


def test_shipped_images_exist_and_are_images():
    for path in ASSETS.iterdir():
        assert path.suffix == ".svg"
        assert b"<svg" in path.read_bytes()


def test_logo_and_signature_are_optional(write_programme):
    def without_images(data):
        del data["issuer"]["logo"]
        del data["issuer"]["signatory"]["signature"]

    issuer = load_programme(write_programme(without_images)).issuer
    assert issuer.logo is None and issuer.signatory.signature is None
    assert issuer.name and issuer.signatory.title


def test_files_are_found_beside_the_programme_file(tmp_path, write_programme):
    """Relative to the programmes folder the file was read from, not to the shipped one."""

    def own_logo(data):
        data["issuer"]["logo"] = "assets/own.png"

    path = write_programme(own_logo)
    (path.parent / "assets" / "own.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 32)
    assert load_programme(path).issuer.logo == (path.parent / "assets" / "own.png").resolve()


def test_a_programme_built_in_code_may_leave_the_issuer_out():
    """Only a programme file must name its issuer; definitions built as data in code (tests,
    tools) need no files."""
    field = {"id": "f", "type": "text", "title": "F"}
    raw = {
        "id": "tiny",
        "title": "Tiny",
        "sections": [{"id": "s", "title": "S", "fields": [field]}],
        "rubric": {"criteria": [{"id": "c", "title": "C", "essential": 1}]},
    }
    assert parse_programme(raw, "tiny.yaml").issuer is None
    raw["issuer"] = {"name": "Office", "signatory": {"name": "Head", "title": "Director"}}
    assert parse_programme(raw, "tiny.yaml").issuer == Issuer(
        name="Office", signatory=Signatory(name="Head", title="Director")
    )


def _issuer(**changes):
    """A change to the issuer: a key path (``signatory.title``) -> a value, or None to drop."""

    def change(data):
        for dotted, value in changes.items():
            *parents, last = dotted.split("__")
            target = data["issuer"]
            for key in parents:
                target = target[key]
            if value is None:
                target.pop(last, None)
            else:
                target[last] = value

    return change


def _no_issuer(data):
    del data["issuer"]


def _issuer_is(value):
    def change(data):
        data["issuer"] = value

    return change


ERRORS = [
    ("missing issuer", _no_issuer, "issuer", "is required"),
    ("issuer not a mapping", _issuer_is("UNDRR"), "issuer", "must be a mapping"),
    ("missing name", _issuer(name=None), "issuer.name", "is required"),
    ("name not text", _issuer(name=["UNDRR"]), "issuer.name", "must be text"),
    ("unknown key", _issuer(motto="Resilience"), "issuer.motto", "unknown key"),
    ("missing signatory", _issuer(signatory=None), "issuer.signatory", "is required"),
    ("signatory without title", _issuer(signatory__title=None), "issuer.signatory.title",
     "missing title"),
    ("signatory without name", _issuer(signatory__name=None), "issuer.signatory.name",
     "is required"),
    ("unknown signatory key", _issuer(signatory__email="head@example.org"),
     "issuer.signatory.email", "unknown key"),
    ("logo not found", _issuer(logo="assets/missing.svg"), "issuer.logo",
     "file not found: assets/missing.svg"),
    ("signature not found", _issuer(signatory__signature="assets/nobody.png"),
     "issuer.signatory.signature", "file not found: assets/nobody.png"),
    ("logo outside the folder", _issuer(logo="../../etc/passwd.svg"), "issuer.logo",
     "must be a file inside the programmes folder"),
    ("logo of another type", _issuer(logo="assets/logo.gif"), "issuer.logo",
     "must be an SVG, PNG or JPEG image"),
    ("logo not a file name", _issuer(logo=12), "issuer.logo", "must be a file name"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("change", "key", "message"), [e[1:] for e in ERRORS], ids=[e[0] for e in ERRORS]
)
def test_issuer_errors_name_file_and_key(write_programme, change, key, message):
    path = write_programme(change)
    with pytest.raises(DefinitionError) as caught:
        load_programme(path)
    found = [(f, k, m[: len(message)]) for f, k, m in caught.value.problems]
    assert ("role_model_city.yaml", key, message) in found


def test_an_image_whose_content_is_not_of_its_type_is_refused(write_programme):
    def fake_png(data):
        data["issuer"]["logo"] = "assets/fake.png"

    path = write_programme(fake_png)
    (path.parent / "assets" / "fake.png").write_text("<svg></svg>", "utf-8")
    with pytest.raises(DefinitionError) as caught:
        load_programme(path)
    assert caught.value.problems == [
        ("role_model_city.yaml", "issuer.logo", "assets/fake.png is not a PNG image")
    ]


def test_the_error_message_reads_file_key_message(write_programme):
    path = write_programme(_issuer(logo="assets/missing.svg"))
    with pytest.raises(DefinitionError, match=r"role_model_city\.yaml: issuer\.logo"):
        load_programme(path)
