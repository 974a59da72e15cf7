"""Programme definitions (programmes/*.yaml): the nomination form, the rubric, the rules.

Programmes are data, as content types are in Plone. A definition error names the file and
the key. Titles, help texts and choice labels are English msgids, translated at display.
``rules`` adds named rules to the nomination workflow's transitions (``create`` for starting
a nomination): the engine enforces them with the workflow's own guards. ``issuer`` names who
issues the certificates and signs them, with image files relative to the programmes folder.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml

from ..workflow.rules import Collector, DefinitionError, Rule, parse_rules
from ..yamlload import DuplicateKeyError, load_yaml

FIELD_TYPES = (
    "text",
    "long_text",
    "number",
    "date",
    "choice",
    "multiple_choice",
    "country",
    "file",
    "essentials_grid",
    "letters",
)
#: The keys a ``letters`` field takes: referees' letters, asked and received through the
#: letters panel, never typed in the section form.
LETTERS_KEYS = {"id", "type", "title", "help", "required", "min", "max", "confidential"}
CRITERION_KEYS = {"id", "title", "description", "weight", "min", "max", "essential"}
DECISION_KINDS = ("strengths", "levels")
#: How a number field's answer is printed: ``number`` in the reader's convention (2,008 or
#: 2 008), ``year`` as a plain whole number (2008).
NUMBER_FORMATS = ("number", "year")
#: The rule that names how many areas of strength a recognition needs (the rubric shows it).
STRENGTH_RULE = ("recognise", "areas_of_strength", "minimum")
#: What a logo or a signature may be, by its file's ending and by its first bytes.
IMAGE_TYPES = {".svg": "image/svg+xml", ".png": "image/png", ".jpg": "image/jpeg",
               ".jpeg": "image/jpeg"}  # fmt: skip


@dataclass(frozen=True)
class Input:
    """One concrete form input: a field, or one cell of an essentials grid."""

    name: str
    field: FieldDef
    kind: str  # a FIELD_TYPES value, or "score" / "narrative" / "evidence" inside a grid
    title: str
    essential: int | None = None


@dataclass(frozen=True)
class FieldDef:
    id: str
    type: str
    title: str
    help: str = ""
    required: bool = False
    min: float | None = None
    max: float | None = None
    integer: bool = True
    max_words: int | None = None
    max_length: int | None = None
    choices: tuple[tuple[str, str], ...] = ()
    #: essentials_grid: the Essentials' titles, in order; scores from score_min to score_max
    essentials: tuple[str, ...] = ()
    score_min: int = 1
    score_max: int = 5
    evidence: bool = False
    #: Published with the nomination once it is announced (its public projection); every
    #: input of the field, files and an essentials grid's cells included.
    public: bool = False
    #: number fields: a NUMBER_FORMATS value ("year": printed without digit grouping)
    format: str = "number"
    #: letters fields: only the secretariat and the reviewers read the letters; the
    #: nomination's authors see that they arrived.
    confidential: bool = True

    def inputs(self) -> Iterator[Input]:
        if self.type == "letters":
            return  # answered by the letters panel, not by an input of the section form
        if self.type != "essentials_grid":
            yield Input(self.id, self, self.type, self.title)
            return
        for number, title in enumerate(self.essentials, start=1):
            yield Input(f"{self.id}__{number}__score", self, "score", title, number)
            yield Input(f"{self.id}__{number}__narrative", self, "narrative", title, number)
            if self.evidence:
                yield Input(f"{self.id}__{number}__evidence", self, "evidence", title, number)


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    description: str
    fields: tuple[FieldDef, ...]

    def inputs(self) -> Iterator[Input]:
        for f in self.fields:
            yield from f.inputs()


@dataclass(frozen=True)
class Criterion:
    id: str
    title: str
    description: str
    weight: float
    min: int
    max: int
    #: The Essential this criterion scores (Role Model City strengths), if any.
    essential: int | None = None


@dataclass(frozen=True)
class Rubric:
    criteria: tuple[Criterion, ...]
    recommendations: tuple[tuple[str, str], ...]
    strength_threshold: float | None = None
    strength_minimum: int | None = None
    #: What scores mean, as the scale's ends (and any step) are labelled: ((0, "No
    #: evidence"), (5, "Exemplary")); msgids.
    scale_labels: tuple[tuple[int, str], ...] = ()

    def scale_label(self, value: int) -> str:
        return dict(self.scale_labels).get(value, "")

    def criterion(self, criterion_id: str) -> Criterion:
        return next(c for c in self.criteria if c.id == criterion_id)

    @property
    def total_weight(self) -> float:
        return sum(c.weight for c in self.criteria)


#: How nominations enter a round: all (every nomination accepted for review: the first
#: round), the best N or the best X % of the previous round's ranking, or whom the
#: secretariat selects.
ROUND_ENTRIES = ("all", "top", "top_percent", "selection")
#: Who reviews in a round: the reviewers' pool (automatic assignment picks N per nomination)
#: or the call's named jury for the round (every juror reviews every nomination).
ROUND_PANELS = ("pool", "jury")
ROUND_KEYS = {
    "id", "title", "state", "via", "enters", "panel", "reviewers", "criteria",
    "see_other_scores", "discussion",
}  # fmt: skip
#: The round of a programme that declares none: one review of every accepted nomination.
DEFAULT_ROUND = "review"


@dataclass(frozen=True)
class Round:
    """One review round: which nominations enter it and how, who reviews them, on which
    criteria (a subset of the rubric, with the round's weights), and whether the panel sees
    each other's scores and deliberates. A nomination is in the round while it is in one of
    the round's ``states`` (nomination workflow); ``via`` is the transition that brings it
    there from the previous round."""

    id: str
    title: str
    states: tuple[str, ...]
    rubric: Rubric
    via: str | None = None
    enters: str = "all"
    #: N for ``top``, X for ``top_percent``.
    enters_count: float | None = None
    panel: str = "pool"
    #: Reviewers per nomination (pool); None: the call's number.
    reviewers: int | None = None
    #: None: the call's setting.
    see_other_scores: bool | None = None
    discussion: bool = False

    @property
    def state(self) -> str:
        return self.states[0]


@dataclass(frozen=True)
class Essentials:
    """An edition of the Ten Essentials (programmes/essentials/<edition>.yaml): titles by
    number (msgids), and the foundational ones (the 2017 revision's 1-3)."""

    edition: int
    title: str
    titles: Mapping[int, str]
    foundational: frozenset[int] = frozenset()

    def title_of(self, number: int) -> str:
        return self.titles.get(number, "")


@dataclass(frozen=True)
class Lifetime:
    """How long a recognition lasts (``recognition: {years: 3, remind_days_before: [...],
    annual_report: true}``): ``years`` None is permanent; the city is reminded that many days
    before it expires; with ``annual_report`` the recognised city reports each year."""

    years: int | None = None
    remind_days_before: tuple[int, ...] = ()
    annual_report: bool = False


@dataclass(frozen=True)
class Level:
    id: str
    title: str
    #: How many a call may award (None: no limit).
    max_per_call: int | None = None


@dataclass(frozen=True)
class Signatory:
    """Who signs the certificates: ``name`` and ``title`` are msgids (a role such as "Head of
    the Secretariat" translates; a person's name may be given a transliteration)."""

    name: str
    title: str
    #: The signature's image (SVG, PNG or JPEG), if the certificate shows one.
    signature: Path | None = None


@dataclass(frozen=True)
class Issuer:
    """Who issues a programme's certificates: its name (a msgid), its logo and its signatory."""

    name: str
    signatory: Signatory
    logo: Path | None = None


@dataclass(frozen=True)
class Programme:
    id: str
    title: str
    description: str
    sections: tuple[Section, ...]
    rubric: Rubric
    decision: str
    levels: tuple[Level, ...]
    certificate: str
    source: str
    #: transition id (or "create") -> the rules this programme adds to it
    rules: Mapping[str, tuple[Rule, ...]] = field(default_factory=dict)
    #: Who issues and signs the certificates (required in a programme file).
    issuer: Issuer | None = None
    #: Who may nominate whom, and whether a city nominated by someone else consents first.
    nominating: Nominating = field(default_factory=lambda: Nominating())
    #: The review rounds, in order (at least one).
    rounds: tuple[Round, ...] = ()
    #: The edition of the Ten Essentials the programme uses (its criteria's ``essential``).
    essentials: Essentials | None = None
    #: How long its recognitions last.
    lifetime: Lifetime = field(default_factory=lambda: Lifetime())

    def round(self, round_id: str | None) -> Round:
        """The round of that id; the first round for an unknown or empty id."""
        return next((r for r in self.rounds if r.id == round_id), self.rounds[0])

    def round_in(self, state: str) -> Round | None:
        """The round a nomination in ``state`` is in, if any."""
        return next((r for r in self.rounds if state in r.states), None)

    def next_round(self, round_id: str) -> Round | None:
        ids = [r.id for r in self.rounds]
        index = ids.index(round_id) if round_id in ids else -1
        return self.rounds[index + 1] if 0 <= index < len(ids) - 1 else None

    @property
    def inputs(self) -> Mapping[str, Input]:
        return MappingProxyType({i.name: i for s in self.sections for i in s.inputs()})

    def section(self, section_id: str) -> Section | None:
        return next((s for s in self.sections if s.id == section_id), None)

    def section_of(self, input_name: str) -> Section | None:
        for s in self.sections:
            if any(i.name == input_name for i in s.inputs()):
                return s
        return None

    def level(self, level_id: str) -> Level | None:
        return next((lv for lv in self.levels if lv.id == level_id), None)

    @property
    def public_inputs(self) -> frozenset[str]:
        """The inputs an announced nomination shows to everyone: those of fields marked
        ``public`` (answers and files alike); everything else stays private."""
        return frozenset(name for name, inp in self.inputs.items() if inp.field.public)


def _number(c: Collector, value: Any, key: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        c.add(key, "must be a number")
        return None
    return value


def _integer(
    c: Collector, value: Any, key: str, default: int | None, minimum: int | None = None
) -> int | None:
    """A whole number from the YAML, or ``default`` when absent; a problem otherwise."""
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int):
        c.add(key, "must be a whole number")
        return default
    if minimum is not None and value < minimum:
        c.add(key, f"must be at least {minimum}")
        return default
    return value


def _flag(c: Collector, value: Any, key: str, default: bool) -> bool:
    """true or false (a quoted "no" would otherwise count as true)."""
    if value is None:
        return default
    if not isinstance(value, bool):
        c.add(key, "must be true or false")
        return default
    return value


def _choices(c: Collector, raw: Any, key: str) -> tuple[tuple[str, str], ...]:
    if isinstance(raw, Mapping):
        return tuple((str(k), str(v)) for k, v in raw.items())
    c.add(key, "must be a mapping of value: label")
    return ()


def _parse_field(c: Collector, raw: Any, key: str, seen: set[str]) -> FieldDef | None:
    raw = c.mapping(raw, key)
    field_id = c.text(raw.get("id"), f"{key}.id", required=True)
    if field_id in seen:
        c.add(f"{key}.id", f"duplicate field id {field_id!r}")
    if field_id and ("__" in field_id or not field_id.replace("_", "").isalnum()):
        c.add(f"{key}.id", "use letters, digits and single underscores")
    seen.add(field_id)
    ftype = c.text(raw.get("type"), f"{key}.type", required=True)
    if ftype and ftype not in FIELD_TYPES:
        c.add(f"{key}.type", f"unknown field type {ftype!r} (one of {', '.join(FIELD_TYPES)})")
    allowed = {
        "id", "type", "title", "help", "required", "min", "max", "integer", "max_words",
        "max_length", "choices", "essentials", "score_min", "score_max", "evidence", "public",
        "format",
    }  # fmt: skip
    if ftype == "letters":
        _check_letters_keys(c, raw, key)
    else:
        if "confidential" in raw:
            c.add(f"{key}.confidential", f"only letters fields are confidential, not {ftype!r}")
        for extra in set(raw) - allowed - {"confidential"}:
            c.add(f"{key}.{extra}", "unknown key")
    choices: tuple[tuple[str, str], ...] = ()
    if ftype in ("choice", "multiple_choice"):
        choices = _choices(c, raw.get("choices"), f"{key}.choices")
        if not choices:
            c.add(f"{key}.choices", "a choice field needs choices")
    elif "choices" in raw:
        c.add(f"{key}.choices", f"only choice fields have choices, not {ftype!r}")
    essentials: tuple[str, ...] = ()
    if ftype == "essentials_grid":
        essentials = c.names(raw.get("essentials"), f"{key}.essentials")
        if not essentials:
            c.add(f"{key}.essentials", "an essentials grid needs the list of Essentials")
    if ftype == "letters":
        # Letters asked at least (when required; not replaced) and at most.
        minimum = _integer(c, raw.get("min"), f"{key}.min", 1, minimum=1)
        maximum = _integer(c, raw.get("max"), f"{key}.max", 3, minimum=1)
    else:
        minimum = _number(c, raw.get("min"), f"{key}.min")
        maximum = _number(c, raw.get("max"), f"{key}.max")
    if minimum is not None and maximum is not None and minimum > maximum:
        c.add(f"{key}.max", "must not be below min")
    max_words = _integer(c, raw.get("max_words"), f"{key}.max_words", None, minimum=1)
    max_length = _integer(c, raw.get("max_length"), f"{key}.max_length", None, minimum=1)
    score_min = _integer(c, raw.get("score_min"), f"{key}.score_min", 1)
    score_max = _integer(c, raw.get("score_max"), f"{key}.score_max", 5)
    if score_min >= score_max:
        c.add(f"{key}.score_max", "must be above score_min")
    number_format = _number_format(c, raw, key, ftype)
    return FieldDef(
        id=field_id,
        type=ftype,
        title=c.text(raw.get("title"), f"{key}.title", required=True),
        help=c.text(raw.get("help"), f"{key}.help"),
        required=_flag(c, raw.get("required"), f"{key}.required", False),
        min=minimum,
        max=maximum,
        integer=_flag(c, raw.get("integer"), f"{key}.integer", True),
        max_words=max_words,
        max_length=max_length,
        choices=choices,
        essentials=essentials,
        score_min=score_min,
        score_max=score_max,
        evidence=_flag(c, raw.get("evidence"), f"{key}.evidence", False),
        public=_flag(c, raw.get("public"), f"{key}.public", False),
        format=number_format,
        confidential=_flag(c, raw.get("confidential"), f"{key}.confidential", True),
    )


def _check_letters_keys(c: Collector, raw: Mapping, key: str) -> None:
    """A letters field takes LETTERS_KEYS only; its letters are never published."""
    for extra in sorted(set(raw) - LETTERS_KEYS, key=str):
        if extra == "public":
            c.add(f"{key}.public", "letters are never published: remove public")
        else:
            c.add(f"{key}.{extra}", f"a letters field does not take {extra!r}")


def _number_format(c: Collector, raw: Mapping, key: str, ftype: str) -> str:
    """A number field's ``format`` (NUMBER_FORMATS); a year is a whole number."""
    if "format" not in raw:
        return "number"
    value = raw["format"]
    if ftype != "number":
        c.add(f"{key}.format", f"only number fields have a format, not {ftype!r}")
    elif value not in NUMBER_FORMATS:
        c.add(f"{key}.format", f"unknown format {value!r} (one of {', '.join(NUMBER_FORMATS)})")
    elif value == "year" and raw.get("integer") is False:
        c.add(f"{key}.format", "a year is a whole number: remove integer: false")
    else:
        return value
    return "number"


def _image(c: Collector, value: Any, key: str, folder: Path | None) -> Path | None:
    """An image file named relative to the programmes folder: inside it, present, and an SVG,
    PNG or JPEG image by its ending and its content."""
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        c.add(key, "must be a file name (relative to the programmes folder)")
        return None
    if folder is None:
        c.add(key, f"file not found: {value} (no programmes folder to look in)")
        return None
    root = folder.resolve()
    path = (root / value).resolve()
    suffix = path.suffix.lower()
    if not path.is_relative_to(root):
        c.add(key, f"must be a file inside the programmes folder, not {value}")
    elif suffix not in IMAGE_TYPES:
        c.add(key, f"must be an SVG, PNG or JPEG image (.svg, .png, .jpg), not {value}")
    elif not path.is_file():
        c.add(key, f"file not found: {value}")
    elif not _looks_like(path, suffix):
        c.add(key, f"{value} is not a {suffix[1:].upper()} image")
    else:
        return path
    return None


def _looks_like(path: Path, suffix: str) -> bool:
    with open(path, "rb") as fh:
        head = fh.read(2048)
    if suffix == ".png":
        return head.startswith(b"\x89PNG\r\n\x1a\n")
    if suffix in (".jpg", ".jpeg"):
        return head.startswith(b"\xff\xd8\xff")
    return b"<svg" in head


#: Who may nominate: ``self``, the nominee itself (a verified city's focal point); a verified
#: campaign partner; anyone with a confirmed account.
NOMINATORS = ("self", "partner", "registered")
#: Who may be nominated.
NOMINEES = ("city", "organisation", "person")


@dataclass(frozen=True)
class Nominating:
    """A programme's ``nomination`` block: who may nominate (``nominators``), whom
    (``nominees``), and whether a city nominated by someone else accepts first (``consent``)."""

    nominators: tuple[str, ...] = ("self",)
    nominees: tuple[str, ...] = ("city",)
    consent: bool = True


def _parse_nominating(c: Collector, value: Any) -> Nominating:
    if value is None:
        return Nominating()
    raw = c.mapping(value, "nomination")
    for extra in sorted(set(raw) - {"nominators", "nominees", "consent"}, key=str):
        c.add(f"nomination.{extra}", "unknown key")
    found = {}
    for key, allowed in (("nominators", NOMINATORS), ("nominees", NOMINEES)):
        values = raw.get(key, list(getattr(Nominating, key)))
        if not isinstance(values, list) or not values:
            c.add(f"nomination.{key}", f"a list of {', '.join(allowed)}")
            values = list(getattr(Nominating, key))
        for value_ in values:
            if value_ not in allowed:
                c.add(f"nomination.{key}", f"{value_!r} is not one of {', '.join(allowed)}")
        found[key] = tuple(v for v in values if v in allowed)
    consent = raw.get("consent", True)
    if not isinstance(consent, bool):
        c.add("nomination.consent", "true or false")
        consent = True
    if "self" in found["nominators"] and "city" not in found["nominees"]:
        c.add("nomination.nominators", "'self': a nominee nominating itself is a city (nominees)")
    return Nominating(nominators=found["nominators"], nominees=found["nominees"], consent=consent)


def _parse_issuer(c: Collector, value: Any, folder: Path | None) -> Issuer | None:
    if value is None:
        if folder is not None:  # a programme file; data built in code may leave it out
            c.add("issuer", "is required: who issues and signs the certificates")
        return None
    raw = c.mapping(value, "issuer")
    for extra in sorted(set(raw) - {"name", "logo", "signatory"}, key=str):
        c.add(f"issuer.{extra}", "unknown key")
    name = c.text(raw.get("name"), "issuer.name", required=True)
    logo = _image(c, raw.get("logo"), "issuer.logo", folder)
    if raw.get("signatory") is None:
        c.add("issuer.signatory", "is required: who signs the certificates")
        return Issuer(name=name, logo=logo, signatory=Signatory(name="", title=""))
    signatory = c.mapping(raw.get("signatory"), "issuer.signatory")
    for extra in sorted(set(signatory) - {"name", "title", "signature"}, key=str):
        c.add(f"issuer.signatory.{extra}", "unknown key")
    return Issuer(
        name=name,
        logo=logo,
        signatory=Signatory(
            name=c.text(signatory.get("name"), "issuer.signatory.name", required=True),
            title=c.text(signatory.get("title"), "issuer.signatory.title", required=True),
            signature=_image(c, signatory.get("signature"), "issuer.signatory.signature", folder),
        ),
    )


def _round_rubric(c: Collector, value: Any, key: str, rubric: Rubric) -> Rubric:
    """A round's criteria: all of the rubric's (None), or a subset ``{criterion: weight}``
    (or a list of ids, each with its rubric weight)."""
    if value is None:
        return rubric
    if isinstance(value, list):
        value = dict.fromkeys(value)
    chosen = []
    for criterion_id, weight in c.mapping(value, key).items():
        known = next((cr for cr in rubric.criteria if cr.id == criterion_id), None)
        if known is None:
            c.add(f"{key}.{criterion_id}", "not a criterion of the rubric")
            continue
        if weight is None:
            chosen.append(known)
            continue
        number = _number(c, weight, f"{key}.{criterion_id}")
        if number is None or number <= 0:
            c.add(f"{key}.{criterion_id}", "a weight must be positive")
            continue
        chosen.append(replace(known, weight=float(number)))
    if not chosen:
        c.add(key, "name at least one criterion of the rubric")
        return rubric
    return replace(rubric, criteria=tuple(chosen))


def _parse_rounds(c: Collector, value: Any, rubric: Rubric) -> tuple[Round, ...]:
    """The ``rounds`` list; none: one round over the whole rubric. States and transitions
    are checked against the nomination workflow once it is loaded (review/rounds.py)."""
    if value is None:
        return (Round(id=DEFAULT_ROUND, title="Review", states=(), rubric=rubric),)
    if not isinstance(value, list) or not value:
        c.add("rounds", "a list of rounds")
        return (Round(id=DEFAULT_ROUND, title="Review", states=(), rubric=rubric),)
    rounds: list[Round] = []
    for index, body in enumerate(value):
        key = f"rounds[{index}]"
        body = c.mapping(body, key)
        for extra in sorted(set(body) - ROUND_KEYS, key=str):
            c.add(f"{key}.{extra}", "unknown key")
        round_id = c.text(body.get("id"), f"{key}.id", required=True)
        if round_id and not re.fullmatch(r"[a-z0-9_]{1,32}", round_id):
            c.add(f"{key}.id", "use at most 32 lower-case letters, digits and underscores")
        if any(r.id == round_id for r in rounds):
            c.add(f"{key}.id", f"duplicate round id {round_id!r}")
        state = c.text(body.get("state"), f"{key}.state", required=True)
        enters_raw = body.get("enters", "all" if index == 0 else "selection")
        enters, count = enters_raw, None
        if isinstance(enters_raw, dict) and len(enters_raw) == 1:
            enters, count = next(iter(enters_raw.items()))
            count = _number(c, count, f"{key}.enters.{enters}")
            if count is None or count <= 0 or (enters == "top_percent" and count > 100):
                c.add(f"{key}.enters.{enters}", "a positive number (a percentage at most 100)")
        if enters not in ROUND_ENTRIES:
            c.add(f"{key}.enters", f"one of {', '.join(ROUND_ENTRIES)} (top and top_percent: "
                  "{top: N})")  # fmt: skip
            enters = "selection"
        elif (enters in ("top", "top_percent")) != (count is not None):
            c.add(f"{key}.enters", f"{enters} takes a number: {{{enters}: N}}")
        if (index == 0) != (enters == "all"):
            c.add(f"{key}.enters", "the first round takes every accepted nomination, and only it")
        via = c.text(body.get("via"), f"{key}.via") or None
        if index > 0 and via is None:
            c.add(f"{key}.via", "the transition that brings a nomination into the round")
        panel = body.get("panel", "pool")
        if panel not in ROUND_PANELS:
            c.add(f"{key}.panel", f"one of {', '.join(ROUND_PANELS)}")
        reviewers = body.get("reviewers")
        if reviewers is not None:
            reviewers = _integer(c, reviewers, f"{key}.reviewers", None, minimum=1)
        see_other = body.get("see_other_scores")
        rounds.append(
            Round(
                id=round_id,
                title=c.text(body.get("title"), f"{key}.title", required=True),
                states=(state,),
                rubric=_round_rubric(c, body.get("criteria"), f"{key}.criteria", rubric),
                via=via,
                enters=enters if enters in ROUND_ENTRIES else "selection",
                enters_count=count,
                panel=panel if panel in ROUND_PANELS else "pool",
                reviewers=reviewers,
                see_other_scores=None
                if see_other is None
                else _flag(c, see_other, f"{key}.see_other_scores", False),
                discussion=_flag(c, body.get("discussion", False), f"{key}.discussion", False),
            )
        )
    return tuple(rounds)


def load_essentials(path: Path) -> Essentials:
    """An edition of the Ten Essentials from its file."""
    c = Collector(path.name)
    raw = c.mapping(load_yaml(path), "(file)")
    titles = {}
    for number, title in c.mapping(raw.get("essentials"), "essentials").items():
        if isinstance(number, bool) or not isinstance(number, int) or not 1 <= number <= 10:
            c.add(f"essentials.{number}", "an Essential's number, 1 to 10")
        elif not isinstance(title, str) or not title.strip():
            c.add(f"essentials.{number}", "must be text")
        else:
            titles[number] = title
    if len(titles) != 10 and not c.problems:
        c.add("essentials", "the ten Essentials, numbered 1 to 10")
    foundational = raw.get("foundational") or []
    if not isinstance(foundational, list) or not set(foundational) <= set(titles):
        c.add("foundational", "a list of the Essentials' numbers")
        foundational = []
    if c.problems:
        raise DefinitionError(c.problems)
    return Essentials(
        edition=_integer(c, raw.get("edition"), "edition", 0) or 0,
        title=c.text(raw.get("title"), "title", required=True),
        titles=MappingProxyType(dict(sorted(titles.items()))),
        foundational=frozenset(foundational),
    )


def _edition(c: Collector, value: Any, folder: Path | None) -> Essentials | None:
    """The edition a programme names (``essentials: 2017``), read from the programmes
    folder's essentials/; None without a folder (a definition checked on its own)."""
    if isinstance(value, bool) or not isinstance(value, int):
        c.add("essentials", "an edition of the Ten Essentials: 2010 or 2017")
        return None
    if folder is None:
        return None
    path = folder / "essentials" / f"{value}.yaml"
    if not path.is_file():
        c.add("essentials", f"no edition {value} in essentials/")
        return None
    try:
        return load_essentials(path)
    except DefinitionError as exc:
        for _file, key, message in exc.problems:
            c.add(f"essentials ({path.name}: {key})", message)
        return None


def _parse_lifetime(c: Collector, value: Any) -> Lifetime:
    if value is None:
        return Lifetime()
    raw = c.mapping(value, "recognition")
    for extra in sorted(set(raw) - {"years", "remind_days_before", "annual_report"}, key=str):
        c.add(f"recognition.{extra}", "unknown key")
    years = _integer(c, raw.get("years"), "recognition.years", None, minimum=1)
    days = raw.get("remind_days_before", [])
    if not isinstance(days, list) or any(
        isinstance(d, bool) or not isinstance(d, int) or d < 1 for d in days
    ):
        c.add(
            "recognition.remind_days_before", "a list of whole numbers of days, e.g. [180, 90, 30]"
        )
        days = []
    if days and years is None:
        c.add("recognition.remind_days_before", "reminders need recognition.years")
    annual = _flag(c, raw.get("annual_report"), "recognition.annual_report", False)
    return Lifetime(
        years=years,
        remind_days_before=tuple(sorted(set(days), reverse=True)),
        annual_report=annual,
    )


def parse_programme(raw: Any, source: str, folder: Path | None = None) -> Programme:
    """A programme from its YAML data. ``folder`` is the programmes folder the file was read
    from: its image files are looked for there, and a file must name its ``issuer``."""
    c = Collector(source)
    raw = c.mapping(raw, "(file)")
    for extra in set(raw) - {
        "id", "title", "description", "sections", "rubric", "decision", "rules", "certificate",
        "issuer", "nomination", "rounds", "essentials", "recognition",
    }:  # fmt: skip
        c.add(extra, "unknown key")
    seen: set[str] = set()
    sections = []
    raw_sections = raw.get("sections")
    if not isinstance(raw_sections, list) or not raw_sections:
        c.add("sections", "a list of sections is required")
        raw_sections = []
    section_ids: set[str] = set()
    for index, body in enumerate(raw_sections):
        key = f"sections[{index}]"
        body = c.mapping(body, key)
        section_id = c.text(body.get("id"), f"{key}.id", required=True)
        if section_id in section_ids:
            c.add(f"{key}.id", f"duplicate section id {section_id!r}")
        section_ids.add(section_id)
        raw_fields = body.get("fields")
        if not isinstance(raw_fields, list) or not raw_fields:
            c.add(f"{key}.fields", "a list of fields is required")
            raw_fields = []
        fields = [_parse_field(c, f, f"{key}.fields[{i}]", seen) for i, f in enumerate(raw_fields)]
        sections.append(
            Section(
                id=section_id,
                title=c.text(body.get("title"), f"{key}.title", required=True),
                description=c.text(body.get("description"), f"{key}.description"),
                fields=tuple(f for f in fields if f is not None),
            )
        )

    rubric_raw = c.mapping(raw.get("rubric"), "rubric")
    scale = c.mapping(rubric_raw.get("scale"), "rubric.scale")
    scale_min = _integer(c, scale.get("min"), "rubric.scale.min", 0)
    scale_max = _integer(c, scale.get("max"), "rubric.scale.max", 5)
    if scale_min >= scale_max:
        c.add("rubric.scale.max", "must be above min")
    for extra in sorted(set(scale) - {"min", "max", "labels"}, key=str):
        c.add(f"rubric.scale.{extra}", "unknown key")
    scale_labels = []
    for value, label in c.mapping(scale.get("labels"), "rubric.scale.labels").items():
        key = f"rubric.scale.labels.{value}"
        if isinstance(value, bool) or not isinstance(value, int):
            c.add(key, "must be a score (a whole number)")
        elif not scale_min <= value <= scale_max:
            c.add(key, f"must be on the scale ({scale_min} to {scale_max})")
        elif isinstance(label, str) and label.strip():
            scale_labels.append((value, label))
        else:
            c.add(key, "must be text")
    criteria = []
    raw_criteria = rubric_raw.get("criteria")
    if not isinstance(raw_criteria, list) or not raw_criteria:
        c.add("rubric.criteria", "a list of criteria is required")
        raw_criteria = []
    criterion_ids: set[str] = set()
    for index, body in enumerate(raw_criteria):
        key = f"rubric.criteria[{index}]"
        body = c.mapping(body, key)
        criterion_id = c.text(body.get("id"), f"{key}.id", required=True)
        if criterion_id in criterion_ids:
            c.add(f"{key}.id", f"duplicate criterion id {criterion_id!r}")
        criterion_ids.add(criterion_id)
        for extra in sorted(set(body) - CRITERION_KEYS, key=str):
            c.add(f"{key}.{extra}", "unknown key (is a text with a comma left unquoted?)")
        weight = _number(c, body.get("weight", 1), f"{key}.weight")
        if weight is not None and weight <= 0:
            c.add(f"{key}.weight", "must be positive")
        low = _integer(c, body.get("min"), f"{key}.min", scale_min)
        high = _integer(c, body.get("max"), f"{key}.max", scale_max)
        if low >= high:
            c.add(f"{key}.max", "must be above min")
        criteria.append(
            Criterion(
                id=criterion_id,
                title=c.text(body.get("title"), f"{key}.title", required=True),
                description=c.text(body.get("description"), f"{key}.description"),
                weight=float(weight or 1),
                min=low,
                max=high,
                essential=_integer(c, body.get("essential"), f"{key}.essential", None, 1),
            )
        )
    strength = c.mapping(rubric_raw.get("strength"), "rubric.strength")
    recommendations = _choices(
        c,
        rubric_raw.get("recommendations")
        or {
            "recommend": "Recommend",
            "reservations": "Recommend with reservations",
            "reject": "Do not recommend",
        },
        "rubric.recommendations",
    )

    decision_raw = c.mapping(raw.get("decision"), "decision")
    kind = c.text(decision_raw.get("kind") or "strengths", "decision.kind")
    if kind not in DECISION_KINDS:
        c.add("decision.kind", f"must be one of {', '.join(DECISION_KINDS)}")
    levels = []
    for index, body in enumerate(decision_raw.get("levels") or []):
        key = f"decision.levels[{index}]"
        body = c.mapping(body, key)
        for extra in sorted(set(body) - {"id", "title", "max_per_call"}, key=str):
            c.add(f"{key}.{extra}", "unknown key (is a text with a comma left unquoted?)")
        levels.append(
            Level(
                id=c.text(body.get("id"), f"{key}.id", required=True),
                title=c.text(body.get("title"), f"{key}.title", required=True),
                max_per_call=_integer(
                    c, body.get("max_per_call"), f"{key}.max_per_call", None, minimum=1
                ),
            )
        )
    if kind == "levels" and not levels:
        c.add("decision.levels", "a decision by levels needs the levels")
    if kind == "strengths" and not any(cr.essential for cr in criteria):
        c.add("rubric.criteria", "a decision by strengths needs criteria marked essential")

    # Names and parameters are checked once every package has registered its predicates
    # (and the transitions once the workflows are loaded): see nominations/guards.py.
    rules = {
        str(transition): parse_rules(c, body, f"rules.{transition}", None)
        for transition, body in c.mapping(raw.get("rules"), "rules").items()
    }
    if "minimum" in strength:
        c.add("rubric.strength.minimum", "moved: rules.recognise: areas_of_strength: {minimum: N}")
    transition, rule_name, param = STRENGTH_RULE
    strength_minimum = next(
        (r.params.get(param) for r in rules.get(transition, ()) if r.name == rule_name), None
    )

    rubric = Rubric(
        criteria=tuple(criteria),
        recommendations=recommendations,
        strength_threshold=_number(c, strength.get("threshold"), "rubric.strength.threshold"),
        strength_minimum=strength_minimum,
        scale_labels=tuple(sorted(scale_labels)),
    )
    programme_id = c.text(raw.get("id"), "id", required=True)
    if programme_id and not re.fullmatch(r"[a-z0-9_]{1,64}", programme_id):
        # The id is stored with each call and appears in addresses.
        c.add("id", "use at most 64 lower-case letters, digits and underscores")
    programme = Programme(
        id=programme_id,
        title=c.text(raw.get("title"), "title", required=True),
        description=c.text(raw.get("description"), "description"),
        sections=tuple(sections),
        rubric=rubric,
        decision=kind,
        levels=tuple(levels),
        certificate=c.text(raw.get("certificate"), "certificate"),
        source=source,
        rules=MappingProxyType(rules),
        issuer=_parse_issuer(c, raw.get("issuer"), folder),
        nominating=_parse_nominating(c, raw.get("nomination")),
        rounds=_parse_rounds(c, raw.get("rounds"), rubric),
        essentials=_edition(c, raw.get("essentials", 2010), folder),
        lifetime=_parse_lifetime(c, raw.get("recognition")),
    )
    if c.problems:
        raise DefinitionError(c.problems)
    return programme


def load_programme(path: Path) -> Programme:
    try:
        raw = load_yaml(path)
    except DuplicateKeyError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else 0
        raise DefinitionError([(path.name, f"line {line}", exc.problem or "duplicate key")])
    except yaml.YAMLError as exc:
        raise DefinitionError([(path.name, "(file)", f"not valid YAML: {exc}")]) from exc
    return parse_programme(raw, path.name, path.parent)


def load_programmes(folder: Path) -> dict[str, Programme]:
    programmes: dict[str, Programme] = {}
    problems: list[tuple[str, str, str]] = []
    for path in sorted(folder.glob("*.yaml")):
        try:
            programme = load_programme(path)
        except DefinitionError as exc:
            problems.extend(exc.problems)
            continue
        if programme.id in programmes:
            problems.append((path.name, "id", f"duplicate programme id {programme.id!r}"))
        programmes[programme.id] = programme
    if problems:
        raise DefinitionError(problems)
    return programmes
