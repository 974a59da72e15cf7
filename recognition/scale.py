"""A synthetic campaign for measuring every page at scale: ``flask recognition demo --scale N``
loads a call under review with N nominations, about N/20 reviewers and 3 reviews each, and
(``--last-cycle M``) last cycle's call of M nominations, decided and announced.

Rows are bulk-inserted (COPY on PostgreSQL), so 10,000 nominations load in seconds, but along
the workflows: each object takes the state that a path of transitions from its initial state
reaches and gets the history rows that create() and fire() would have written for that path
(who acted, when, with the decision's text and facts), and the data the operations write on
the way: submission dates and snapshots, decisions (decider, areas of strength, text for the
city), the announcement (its date, the certificates' verification codes, the recognitions'
validity, the register of past laureates), reviews with their scores and comments.
Notifications are left out: nobody is told anything by a synthetic campaign.
"""

from __future__ import annotations

import json
import math
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask import current_app

from .accounts.models import City, User, UserRole
from .accounts.operations import hash_password
from .audit.records import SEALED, call_leaves
from .config import LANGUAGES
from .extensions import db
from .lifetimes.dates import validity
from .nominations.models import Nomination, NominationSnapshot
from .nominees.matching import RECOGNISED
from .nominees.models import Nominee, RegisterEntry, name_key
from .nominees.operations import ANNOUNCED
from .programmes.definition import STRENGTH_RULE, Programme
from .programmes.models import Call
from .public.certificates import new_code
from .review.analyses import refresh_all
from .review.kept import build_call, build_loads
from .review.models import Assignment, Score
from .timeutil import utcnow
from .workflow.chain import leaf, link, merkle_root
from .workflow.definition import CREATED, WorkflowDefinition
from .workflow.history import WorkflowEvent, history_rows
from .workflow.registry import definition_for
from .workflow.security import global_roles, roles_with_permission

COUNTRIES = (
    "AR", "BD", "BR", "CL", "CN", "CO", "DE", "EC", "EG", "ES", "ET", "FR", "GH", "ID",
    "IN", "IR", "IT", "JO", "JP", "KE", "KZ", "MA", "MX", "MZ", "NG", "NP", "PE", "PH",
    "PK", "RU", "SA", "SN", "TH", "TR", "TZ", "UA", "US", "VN", "ZA", "ZM",
)  # fmt: skip
REGIONS = ("North", "South", "East", "West", "Central", "Coastal", "Highlands", "Capital")
#: How far the reviews of a nomination are: none asked, some still open, all submitted.
NO_REVIEWS, REVIEWING, REVIEWED = "no reviews", "reviews under way", "reviews complete"
#: How the nominations of the call under review came to where they are, how often, and how
#: far their reviews are.
CURRENT_PATHS = (
    ((), 0.05, NO_REVIEWS),
    (("submit",), 0.10, NO_REVIEWS),
    (("submit", "return"), 0.04, NO_REVIEWS),
    (("submit", "declare_ineligible"), 0.01, NO_REVIEWS),
    (("submit", "accept"), 0.50, REVIEWING),
    (("submit", "accept", "withdraw"), 0.01, REVIEWING),
    (("submit", "accept", "shortlist"), 0.08, REVIEWED),
    (("submit", "accept", "recognise"), 0.08, REVIEWED),
    (("submit", "accept", "shortlist", "recognise"), 0.03, REVIEWED),
    (("submit", "accept", "not_recognise"), 0.10, REVIEWED),
)
#: Last cycle's nominations: decided, then told with the call's announcement.
LAST_PATHS = (
    ((), 0.05, NO_REVIEWS),
    (("submit", "declare_ineligible"), 0.03, NO_REVIEWS),
    (("submit", "accept", "withdraw"), 0.02, REVIEWING),
    (("submit", "accept", "recognise", "announce"), 0.40, REVIEWED),
    (("submit", "return", "resubmit", "accept", "recognise", "announce"), 0.05, REVIEWED),
    (("submit", "accept", "shortlist", "recognise", "announce"), 0.10, REVIEWED),
    (("submit", "accept", "not_recognise", "inform"), 0.35, REVIEWED),
)
CALL_PATH = ("open", "close", "start_review")
LAST_CALL_PATH = ("open", "close", "start_review", "close_review", "announce")
CITY_PATH = ("verify",)
#: Each reviewer of a nomination under review was invited; most accepted, most submitted.
REVIEW_PATHS = ((("accept", "submit"), 0.7), (("accept",), 0.2), ((), 0.1))
SUBMITTED_REVIEW = ("accept", "submit")
REVIEWS_PER_NOMINATION = 3
WORDS = (
    "the city", "flood defences", "early warning", "community drills", "risk maps", "schools",
    "budget lines", "neighbourhood committees", "drainage", "green corridors", "hospitals",
    "building codes", "volunteers", "open data", "recovery plans", "partner cities",
)  # fmt: skip
COMMENTS = (
    "Strong evidence of coordination across departments.",
    "The budget figures would need a source.",
    "Convincing early-warning results over five years.",
    "Good practice, but the sharing plan is vague.",
    "Exemplary community involvement in drills.",
    "Little evidence for the schools assessment.",
)
DECISION_TEXTS = (
    "The panel commends the city's sustained investment in risk reduction.",
    "Thank you for a thorough nomination; we encourage the city to apply again.",
    "Recognised for its coordination and its openness to other cities.",
)
ANNOUNCEMENT = {
    "en": "The campaign is proud to announce this cycle's recognised cities.",
    "fr": "La campagne a le plaisir d'annoncer les villes reconnues de ce cycle.",
    "es": "La campaña se complace en anunciar las ciudades reconocidas de este ciclo.",
}


def reviewer_email(tag: int, number: int) -> str:
    """The address of reviewer ``number`` (from 0) of the synthetic campaign ``tag``."""
    return f"synthetic.reviewer.{tag}.{number}@example.org"


def secretariat_email(tag: int) -> str:
    """The address of the secretariat officer of the synthetic campaign ``tag``."""
    return f"synthetic.secretariat.{tag}@example.org"


@dataclass(frozen=True)
class Campaign:
    """What load_campaign() loaded: its calls and who may sign in (with the password given)."""

    call: Call
    last_call: Call | None
    secretariat: str
    reviewers: int

    @property
    def reviewer_pattern(self) -> str:
        return reviewer_email(self.call.id, 0).replace(".0@", ".N@")


# -- bulk insertion --------------------------------------------------------------------------


def _complete(table: sa.Table, rows: list[dict]) -> list[dict]:
    """Give every row the Python-side column defaults it lacks (COPY applies none)."""
    for column in table.columns:
        default = column.default
        if column.name in rows[0] or default is None or default.is_clause_element:
            continue
        for row in rows:
            row[column.name] = default.arg(None) if default.is_callable else default.arg
    return rows


def _insert(model: type, rows: list[dict]) -> None:
    """Insert ``rows`` (all with the same keys): COPY on PostgreSQL, else one executemany."""
    if not rows:
        return
    table = model.__table__
    rows = _complete(table, rows)
    connection = db.session.connection()
    if connection.dialect.name != "postgresql":
        connection.execute(table.insert(), rows)
        return
    from psycopg import sql

    names = list(rows[0])
    json_columns = {c.name for c in table.columns if isinstance(c.type, sa.JSON)}
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table.name), sql.SQL(", ").join(map(sql.Identifier, names))
    )
    cursor = connection.connection.driver_connection.cursor()
    with cursor, cursor.copy(statement) as copy:
        for row in rows:
            # JSON as text: the server parses it into the column's type.
            copy.write_row(
                [
                    _json(row[k]) if k in json_columns and row[k] is not None else row[k]
                    for k in names
                ]
            )


def _json(value: Any) -> str:
    """A JSON column's value as text (empty ones, most of the history's facts, for free)."""
    if isinstance(value, dict | list) and not value:
        return "{}" if isinstance(value, dict) else "[]"
    return json.dumps(value)


def _ids(stmt: sa.Select) -> list[int]:
    return list(db.session.scalars(stmt))


class History:
    """The history rows of one workflow's synthetic objects, each step with its actor (the
    secretariat where the transition's guard names one of its roles, else the object's own
    actor) and its time; written in bulk by ``save``."""

    def __init__(self, model: type, officer_id: int, officer_roles: frozenset[str]):
        self.definition: WorkflowDefinition = definition_for(model)
        self.officer_id = officer_id
        guards = [(CREATED, self.definition.creation)]
        guards += [(t.id, t.guard) for t in self.definition.transitions.values()]
        self.by_officer = {}
        for name, guard in guards:
            roles = set(guard.roles) if guard else set()
            if guard and guard.permission:
                roles |= self.definition.roles_with(guard.permission)
            self.by_officer[name] = bool(roles & officer_roles)
        self.rows: list[dict] = []

    def add(self, oid: int, path, times, own: int | None = None, notes=None) -> None:
        """Rows for ``oid`` created and moved along ``path`` at ``times`` (one more than the
        steps); ``notes``: {step: (comment, facts)} as the operations recorded them."""
        rows = history_rows(self.definition, oid, path, None, times[0])
        for step, (row, at) in enumerate(zip(rows, times, strict=True)):
            row["at"] = at
            row["actor_id"] = self.officer_id if self.by_officer[row["transition"]] else own
            if notes and step in notes:
                row["comment"], row["data"] = notes[step]
        self.rows.extend(rows)

    def save(self) -> None:
        link(self.rows)  # new objects: each chain starts with its "created" row
        _insert(WorkflowEvent, self.rows)
        self.rows = []


def _seal(history: History, call: Call) -> None:
    """Seal an announced call loaded in bulk, as its announcement does: the head of its
    record as the announcement found it (its objects' rows are in the database; the call's
    own rows, linked here, are inserted after them) goes into the announcement's row."""
    definition = history.definition
    rows = [r for r in history.rows if r["object_id"] == call.id]
    link(rows)
    sealing = next(
        (n for n, r in enumerate(rows) if "public" in definition.states[r["to_state"]].tags),
        None,
    )
    if not sealing:
        return
    own = (definition.applies_to, call.id, rows[sealing - 1]["hash"])
    leaves = sorted([row[:3] for row in call_leaves(call.id)] + [own])
    call.record_head = merkle_root([leaf(*row) for row in leaves])
    rows[sealing]["data"] = {**rows[sealing]["data"], SEALED: call.record_head}


# -- content ---------------------------------------------------------------------------------


def _text(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "."


def _answer_maker(programme: Programme, rng: random.Random) -> Callable[[], dict[str, Any]]:
    """A maker of plausible answers to every input of the programme's form (files and letters
    aside); texts are drawn from a pool, so that thousands of nominations cost little."""
    inputs = list(programme.inputs.values())
    texts = {"long_text": 40, "narrative": 12}
    pools = {kind: [_text(rng, words) for _ in range(50)] for kind, words in texts.items()}

    def answers() -> dict[str, Any]:
        made: dict[str, Any] = {}
        for inp in inputs:
            f = inp.field
            if inp.kind == "number":
                low = int(f.min or 1)
                made[inp.name] = str(
                    rng.randint(low, max(low, int(min(f.max or 10**6, 10**7)) // 20))
                )
            elif inp.kind == "score":
                made[inp.name] = str(rng.randint(f.score_min, f.score_max))
            elif inp.kind in ("choice", "multiple_choice") and f.choices:
                picked = [c for c, _title in rng.sample(f.choices, min(2, len(f.choices)))]
                made[inp.name] = picked if inp.kind == "multiple_choice" else picked[0]
            elif inp.kind == "date":
                made[inp.name] = (
                    f"{rng.randint(2010, 2024)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}"
                )
            elif inp.kind == "country":
                made[inp.name] = rng.choice(COUNTRIES)
            elif inp.kind in pools:
                made[inp.name] = rng.choice(pools[inp.kind])
        return made

    return answers


def _strengths_needed(programme: Programme) -> int:
    """The fewest areas of strength a recognition names, by the programme's rule."""
    transition, rule_name, param = STRENGTH_RULE
    rules = programme.rules.get(transition, ())
    return max((int(r.params.get(param, 0)) for r in rules if r.name == rule_name), default=0)


def _scores(programme: Programme, rng, recognised: bool | None, strengths, quality: float):
    """One reviewer's (criterion, value): a recognition's strengths clear the programme's
    threshold and its other Essentials do not; a refusal stays below the threshold; an
    undecided nomination's scores spread around its quality."""
    top = math.ceil(programme.rubric.strength_threshold or 0)
    for c in programme.rubric.criteria:
        if recognised is None:
            value = round(rng.gauss(quality, 1.0))
        elif recognised and c.essential in strengths:
            value = rng.randint(max(c.min, top), c.max)
        elif recognised and c.essential is None:
            value = rng.randint((c.min + c.max) // 2, c.max)
        else:
            value = rng.randint(c.min, max(c.min, top - 1))
        yield c.id, min(c.max, max(c.min, value))


# -- the load --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Calendar:
    """When a call's phases happened (or will), for dating each step of its objects."""

    opens: datetime
    closes: datetime
    reviewing: datetime
    review_deadline: datetime
    decide_from: datetime
    decide_until: datetime
    announced: datetime | None = None

    @classmethod
    def ending(cls, now: datetime, days_ago: int, announced: bool) -> Calendar:
        """A call whose decisions were taken until ``days_ago`` days before ``now``."""
        end = now - timedelta(days=days_ago)
        return cls(
            opens=end - timedelta(days=120),
            closes=end - timedelta(days=30),
            reviewing=end - timedelta(days=28),
            review_deadline=end + timedelta(days=6 if announced else 30),
            decide_from=end - timedelta(days=5),
            decide_until=end,
            announced=end + timedelta(days=8) if announced else None,
        )

    def call_times(self, path: tuple[str, ...]) -> list[datetime | None]:
        marks = [self.opens, self.closes, self.reviewing, self.decide_until, self.announced]
        return [self.opens - timedelta(days=10), *marks][: len(path) + 1]


@dataclass
class Planned:
    """One synthetic nomination: its path, each step's state and time, its row's data."""

    path: tuple[str, ...]
    times: list[datetime]
    states: list[str]
    reviews: str
    recognised: bool | None
    row: dict[str, Any]
    quality: float
    city_name: str
    country: str
    #: The step that decided it (0: none).
    decided: int = 0
    id: int = 0


def _hours(rng: random.Random, low: float, high: float) -> timedelta:
    return timedelta(hours=rng.uniform(low, high))


class Reviewers:
    """Who reviews what: readers of the nomination's language from another country than the
    nominee's, taken in turn (the balance automatic assignment keeps)."""

    def __init__(self, ids: list[int], countries: list[str], reads: list[list[str]]):
        self.ids, self.countries = ids, countries
        everyone = list(range(len(ids)))
        self.readers = {
            code: [i for i in everyone if code in reads[i]] or everyone for code in LANGUAGES
        }
        self.turn = dict.fromkeys(LANGUAGES, 0)

    def pick(self, language: str, country: str, k: int) -> list[int]:
        pool, start = self.readers[language], self.turn[language]
        chosen: list[int] = []
        for offset in range(len(pool)):
            i = pool[(start + offset) % len(pool)]
            if self.countries[i] != country:
                chosen.append(i)
                if len(chosen) == k:
                    self.turn[language] = (start + offset + 1) % len(pool)
                    break
        if len(chosen) < k:  # a small campaign may have too few readers: anyone else then
            chosen += [i for i in range(len(self.ids)) if i not in chosen][: k - len(chosen)]
        return [self.ids[i] for i in chosen]


class Loader:
    """Loads the synthetic calls of one campaign; the histories are written at the end."""

    def __init__(self, programme: Programme, rng: random.Random, officer: int):
        self.programme, self.rng, self.officer = programme, rng, officer
        roles = frozenset(roles_with_permission("run_campaign") & global_roles())
        self.history = {m: History(m, officer, roles) for m in (Call, City, Nomination, Assignment)}
        self.definition = definition_for(Nomination)
        self.minimum = _strengths_needed(programme)
        self.essentials = sorted({c.essential for c in programme.rubric.criteria if c.essential})
        self.level = next((lv.id for lv in programme.levels if lv.max_per_call is None), None)
        self.codes: set[str] = set()
        self.answers = _answer_maker(programme, rng)

    def call(self, title: str, cycle: int, calendar: Calendar, path: tuple[str, ...]) -> Call:
        call = Call(
            programme_id=self.programme.id,
            title=title,
            cycle=str(cycle),
            opens_at=calendar.opens,
            closes_at=calendar.closes,
            review_deadline=calendar.review_deadline,
            announcement_at=calendar.announced,
            announced_at=calendar.announced,
            announcement=dict(ANNOUNCEMENT) if calendar.announced else {},
            state=definition_for(Call).walk(path),
        )
        db.session.add(call)
        db.session.flush()
        self.history[Call].add(call.id, path, calendar.call_times(path))
        return call

    def step_times(self, path: tuple[str, ...], calendar: Calendar) -> list[datetime]:
        """When each step happened: created and submitted while the call was open, decided
        once it was under review (as its guard wants), told with its announcement."""
        t = calendar.opens + _hours(self.rng, 0, 40 * 24)
        times = [t]
        window = (calendar.decide_until - calendar.decide_from) / 2
        for step in path:
            rules = {r.name for r in self.definition.transitions[step].guard.when}
            if "call_is_announced" in rules and calendar.announced:
                t = calendar.announced
            elif "call_is_reviewing" in rules:
                t = max(t, calendar.decide_from) + window * self.rng.random()
            else:
                t += _hours(self.rng, 1, 5 * 24)
            times.append(t)
        return times

    def _code(self) -> str:
        code = new_code()
        while code in self.codes:
            code = new_code()
        self.codes.add(code)
        return code

    def plan(self, call: Call, calendar: Calendar, table, cities) -> list[Planned]:
        """A nomination of each city (id, nominee id, name, country), its path drawn from
        ``table``, with the data its operations would have written."""
        definition, rng, programme = self.definition, self.rng, self.programme
        planned = []
        for city_id, nominee_id, name, country in cities:
            path, _weight, reviews = rng.choices(table, [w for _p, w, _r in table])[0]
            states = [definition.walk(path[:i]) for i in range(len(path) + 1)]
            tags = [definition.states[s].tags for s in states]
            recognised = ("recognition" in tags[-1]) if "outcome" in tags[-1] else None
            times = self.step_times(path, calendar)
            submitted = [i for i, t in enumerate(tags) if "screening" in t]
            decided = next((i for i, t in enumerate(tags) if "outcome" in t), 0)
            public = "public" in tags[-1]
            strengths: list[int] = []
            if recognised and programme.decision == "strengths":
                count = min(len(self.essentials), self.minimum + rng.randint(0, 2))
                strengths = sorted(rng.sample(self.essentials, count))
            told = calendar.announced if recognised is not None else None
            valid = validity(told.date(), programme.lifetime.years) if public and told else None
            row = {
                "call_id": call.id, "city_id": city_id, "nominee_id": nominee_id,
                "language": rng.choice(("en", "en", "en", *LANGUAGES[1:])),
                "answers": self.answers(), "state": states[-1], "version": 1,
                "created_at": times[0], "updated_at": times[max(submitted, default=0)],
                "submitted_at": times[submitted[-1]] if submitted else None,
                "decided_by_id": self.officer if decided else None,
                "decided_at": times[decided] if decided else None,
                "decision_comment": rng.choice(DECISION_TEXTS) if decided else "",
                "areas_of_strength": strengths,
                "award_level": self.level if recognised and programme.decision == "levels"
                else None,
                "announced_at": told, "verification_code": self._code() if public else None,
                "valid_from": valid[0] if valid else None,
                "valid_until": valid[1] if valid else None,
            }  # fmt: skip
            quality = rng.uniform(1.0, 4.6)
            planned.append(
                Planned(path, times, states, reviews, recognised, row, quality, name, country,
                        decided)
            )  # fmt: skip
        return planned

    def nominations(self, call: Call, planned: list[Planned]) -> None:
        """Insert the planned nominations with their snapshots, register entries and history."""
        _insert(Nomination, [p.row for p in planned])
        order = sa.select(Nomination.id).where(Nomination.call_id == call.id)
        snapshots, entries = [], []
        for nomination_id, p in zip(_ids(order.order_by(Nomination.id)), planned, strict=True):
            p.id, row, notes, number = nomination_id, p.row, {}, 0
            for step, state in enumerate(p.states[1:], start=1):
                tags = self.definition.states[state].tags
                if "screening" in tags:  # submitted: the answers are kept as they were
                    number += 1
                    snapshots.append({"nomination_id": p.id, "number": number,
                                      "answers": row["answers"], "files": [],
                                      "created_at": p.times[step]})  # fmt: skip
                if step == p.decided:
                    facts = {"award_level": row["award_level"]} if row["award_level"] else {}
                    if p.recognised and self.programme.decision == "strengths":
                        facts = {"areas_of_strength": row["areas_of_strength"]}
                    notes[step] = (row["decision_comment"], facts)
                elif "public" in tags:
                    notes[step] = ("", {"verification_code": row["verification_code"]})
            self.history[Nomination].add(p.id, p.path, p.times, None, notes)
            if row["verification_code"]:
                entries.append({
                    "programme_id": self.programme.id, "year": int(call.cycle),
                    "name": p.city_name, "key": name_key(p.city_name), "country": p.country,
                    "level": row["award_level"] or RECOGNISED, "source": ANNOUNCED,
                    "nominee_id": row["nominee_id"], "nomination_id": p.id,
                    "created_by_id": self.officer, "created_at": row["announced_at"],
                })  # fmt: skip
        _insert(NominationSnapshot, snapshots)
        _insert(RegisterEntry, entries)

    def reviews(self, call: Call, calendar: Calendar, planned: list[Planned], picker: Reviewers):
        """Three reviewers for each nomination accepted for review, their reviews as far as
        its plan says, with scores (a draft holds some) and comments."""
        rng, definition = self.rng, definition_for(Assignment)
        recommendations = [r for r, _title in self.programme.rubric.recommendations] or [""]
        paths, weights = zip(*REVIEW_PATHS, strict=True)
        latest = calendar.decide_from - timedelta(hours=1)
        rows, plans = [], []
        for p in planned:
            if p.reviews == NO_REVIEWS:
                continue
            tags = [self.definition.states[s].tags for s in p.states]
            accepted = p.times[next(i for i, t in enumerate(tags) if "in_review" in t)]
            for reviewer_id in picker.pick(p.row["language"], p.country, REVIEWS_PER_NOMINATION):
                path = SUBMITTED_REVIEW if p.reviews == REVIEWED else rng.choices(paths, weights)[0]
                invited = accepted + _hours(rng, 1, 48)
                answered = invited + _hours(rng, 1, 72)
                start = max(answered, calendar.reviewing)
                spread = max(latest - start, timedelta(0))
                times = [invited, answered, start + spread * rng.random()]
                times = times[: len(path) + 1]
                state = definition.walk(path)
                counted = "counted" in definition.states[state].tags
                if p.recognised is None:
                    advice = rng.choice(recommendations)
                else:
                    advice = recommendations[0 if p.recognised else -1]
                rows.append({
                    "nomination_id": p.id, "reviewer_id": reviewer_id,
                    "round": self.programme.rounds[0].id, "state": state, "version": 1,
                    "conflict_reason": "", "recommendation": advice if counted else "",
                    "comment_for_city": rng.choice(COMMENTS) if counted else "",
                    "comment_confidential": rng.choice(COMMENTS)
                    if counted and rng.random() < 0.3 else "",
                    "assigned_by_id": self.officer, "assigned_at": invited,
                    "submitted_at": times[-1] if counted else None, "reminded_for": None,
                })  # fmt: skip
                plans.append((path, times, reviewer_id, p, counted))
        _insert(Assignment, rows)
        order = (
            sa.select(Assignment.id)
            .join(Nomination, Nomination.id == Assignment.nomination_id)
            .where(Nomination.call_id == call.id)
            .order_by(Assignment.id)
        )
        scores = []
        for assignment_id, (path, times, reviewer_id, p, counted) in zip(
            _ids(order), plans, strict=True
        ):
            self.history[Assignment].add(assignment_id, path, times, reviewer_id)
            if not path:  # invited: nothing scored yet
                continue
            for criterion, value in _scores(
                self.programme, rng, p.recognised, p.row["areas_of_strength"], p.quality
            ):
                if counted or rng.random() < 0.5:  # a draft holds some of its scores
                    comment = rng.choice(COMMENTS) if rng.random() < 0.3 else ""
                    scores.append({"assignment_id": assignment_id, "criterion": criterion,
                                   "value": value, "comment": comment})  # fmt: skip
        _insert(Score, scores)


def _users(rows: list[dict], like: str) -> list[int]:
    _insert(User, rows)
    return _ids(sa.select(User.id).where(User.email.like(like)).order_by(User.id))


def load_campaign(
    n: int,
    programme_id: str = "role_model_city",
    seed: int = 2026,
    *,
    last_cycle: int = 0,
    password: str | None = None,
) -> Campaign:
    """Load a call under review with ``n`` nominations, reviewers and their reviews, and
    (``last_cycle`` > 0) last cycle's call of that many nominations, decided and announced;
    commit.

    With ``password`` the campaign's secretariat officer and reviewers sign in with it (hashed
    once, the same hash for all); without, they cannot sign in.
    """
    rng = random.Random(seed)
    programme = current_app.extensions["programmes"][programme_id]
    now = utcnow()
    current, last = Calendar.ending(now, 1, False), Calendar.ending(now, 330, True)
    user = {
        "locale": "en", "timezone": "UTC", "active": True, "affiliations": "",
        "password_hash": hash_password(password) if password else None,
        "email_confirmed_at": last.opens, "created_at": last.opens,
    }  # fmt: skip

    # The call's id tags names and addresses: loading twice adds a second campaign.
    call = Call(
        programme_id=programme_id,
        title=f"Synthetic campaign of {n} nominations",
        cycle=str(now.year),
        opens_at=current.opens,
        closes_at=current.closes,
        review_deadline=current.review_deadline,
        state=definition_for(Call).walk(CALL_PATH),
        announcement={},
    )
    db.session.add(call)
    db.session.flush()
    tag = call.id
    [officer] = _users(
        [{**user, "email": secretariat_email(tag), "name": "Synthetic Secretariat",
          "country": None, "languages": ["en"]}],
        secretariat_email(tag),
    )  # fmt: skip
    roles = sorted(roles_with_permission("run_campaign") & global_roles())
    _insert(UserRole, [{"user_id": officer, "role": role} for role in roles])
    loader = Loader(programme, rng, officer)
    loader.history[Call].add(call.id, CALL_PATH, current.call_times(CALL_PATH))

    reviewer_count = max(3, n // 20)
    countries = [rng.choice(COUNTRIES) for _ in range(reviewer_count)]
    reads = [["en", *rng.sample(LANGUAGES[1:], 2)] for _ in range(reviewer_count)]
    reviewers = _users(
        [
            {**user, "email": reviewer_email(tag, i), "name": f"Reviewer {tag}-{i}",
             "country": countries[i], "languages": reads[i]}
            for i in range(reviewer_count)
        ],
        reviewer_email(tag, 0).replace(".0@", ".%@"),
    )  # fmt: skip
    roles = sorted(roles_with_permission("review") & global_roles())
    _insert(UserRole, [{"user_id": rid, "role": role} for rid in reviewers for role in roles])
    picker = Reviewers(reviewers, countries, reads)

    # Last cycle's recognised cities are not nominated again; the others may try again.
    past = loader.plan(call, last, LAST_PATHS, [(0, 0, "", "")] * last_cycle)
    again = {id(p) for p in [p for p in past if not p.recognised][:n]}
    city_count = n + last_cycle - len(again)
    name, joined = f"Synthetic City {tag}-{{}}", last.opens - timedelta(days=30)
    _insert(City, [
        {"name": name.format(i), "country": rng.choice(COUNTRIES),
         "region": f"{rng.choice(REGIONS)} Province", "population": rng.randrange(10**4, 10**7),
         "state": definition_for(City).walk(CITY_PATH), "version": 1, "created_at": joined}
        for i in range(city_count)
    ])  # fmt: skip
    cities = db.session.execute(
        sa.select(City.id, City.name, City.country)
        .where(City.name.like(name.format("%")))
        .order_by(City.id)
    ).all()
    for city in cities:
        loader.history[City].add(city.id, CITY_PATH, [joined, joined + timedelta(days=1)])
    _insert(Nominee, [
        {"kind": "city", "city_id": c.id, "names": {}, "source_language": "en",
         "country": c.country, "key": name_key(c.name), "organisation_type": "",
         "contact_name": "", "contact_email": "", "created_at": joined}
        for c in cities
    ])  # fmt: skip
    nominee_of = dict(
        db.session.execute(
            sa.select(Nominee.city_id, Nominee.id)
            .join(City, City.id == Nominee.city_id)
            .where(City.name.like(name.format("%")))
        ).all()
    )
    described = [(c.id, nominee_of[c.id], c.name, c.country) for c in cities]

    last_call = None
    if last_cycle:
        last_call = loader.call(
            f"Last cycle of the synthetic campaign ({last_cycle} nominations)",
            now.year - 1,
            last,
            LAST_CALL_PATH,
        )
        others = iter(described[n:])
        chosen = iter(described)
        for p in past:  # the cities now drawn: the same as those of the current call or new
            city = next(chosen) if id(p) in again else next(others)
            p.row.update(call_id=last_call.id, city_id=city[0], nominee_id=city[1])
            p.city_name, p.country = city[2], city[3]
        loader.nominations(last_call, past)
        loader.reviews(last_call, last, past, picker)

    planned = loader.plan(call, current, CURRENT_PATHS, described[:n])
    loader.nominations(call, planned)
    loader.reviews(call, current, planned, picker)
    calls = loader.history.pop(Call)
    for history in loader.history.values():
        history.save()
    if last_call is not None:
        _seal(calls, last_call)
    calls.save()
    # What the engine keeps as reviews come in, kept at once for rows loaded in bulk.
    for loaded in (call, last_call):
        if loaded is not None:
            build_call(loaded)
            build_loads(loaded.id)
    db.session.commit()
    for loaded in (call, last_call):
        if loaded is not None:  # what the pages weighing every score read, computed once
            refresh_all(loaded)
    if db.session.get_bind().dialect.name == "postgresql":
        # What autovacuum would do to the tables just filled, at once: the planner's
        # statistics, and the visibility map, without which a count over an index (a
        # worklist's 5,000 nominations: 7.6 ms, 1.6 ms after) reads every row's page too.
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(sa.text("VACUUM ANALYZE"))
    return Campaign(call, last_call, secretariat_email(tag), reviewer_count)


def load_scale(
    n: int,
    programme_id: str = "role_model_city",
    seed: int = 2026,
    *,
    last_cycle: int = 0,
    password: str | None = None,
) -> Call:
    """Load a synthetic campaign (see load_campaign); return its call under review."""
    campaign = load_campaign(n, programme_id, seed, last_cycle=last_cycle, password=password)
    return campaign.call
