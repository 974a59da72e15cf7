"""The API's documents, as marshmallow schemas: the OpenAPI description is generated from
them, and every answer is written through them."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

#: The most items a page of a list holds.
MOST_PER_PAGE = 100


class ProblemSchema(ma.Schema):
    """A problem (RFC 9457): what went wrong, in the reader's language."""

    type = fields.String(metadata={"description": "Always about:blank: the status says it."})
    title = fields.String(required=True)
    status = fields.Integer(required=True)
    detail = fields.String()
    instance = fields.String(metadata={"description": "The path the request asked for."})
    errors = fields.Raw(
        metadata={"description": "Invalid input, by location and field: the messages."}
    )


class PageArgs(ma.Schema):
    """Which page of a list (past the end: the last one)."""

    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=10**9))
    per_page = fields.Integer(load_default=25, validate=validate.Range(min=1, max=MOST_PER_PAGE))


class Paged(ma.Schema):
    page = fields.Integer(required=True)
    per_page = fields.Integer(required=True)
    total = fields.Integer(required=True)
    pages = fields.Integer(required=True)


def paged(item: type[ma.Schema], name: str) -> type[ma.Schema]:
    """The schema of one page of ``item``s (named ``name`` in the description)."""
    return type(name, (Paged,), {"items": fields.List(fields.Nested(item), required=True)})


class Named(ma.Schema):
    """An identifier and its title in the reader's language."""

    id = fields.String(required=True)
    title = fields.String(required=True)


class StateSchema(Named):
    tags = fields.List(fields.String(), required=True)


class LevelSchema(Named):
    pass


class ProgrammeSchema(ma.Schema):
    id = fields.String(required=True)
    title = fields.String(required=True)
    description = fields.String(required=True)
    decision = fields.String(
        required=True,
        metadata={"description": "strengths (areas of strength), levels (an award level)."},
    )
    levels = fields.List(fields.Nested(LevelSchema), required=True)
    essentials = fields.Integer(
        allow_none=True,
        required=True,
        metadata={"description": "The edition of the Ten Essentials its criteria score."},
    )


class CallSchema(ma.Schema):
    id = fields.Integer(required=True)
    programme = fields.String(required=True)
    title = fields.String(required=True)
    cycle = fields.String(required=True)
    theme = fields.String(required=True)
    opens_at = fields.AwareDateTime(required=True)
    closes_at = fields.AwareDateTime(required=True)
    announced_at = fields.AwareDateTime(allow_none=True, required=True)
    accepting = fields.Boolean(required=True, metadata={"description": "Open to nominations."})
    state = fields.Nested(StateSchema, required=True)


class CallArgs(PageArgs):
    programme = fields.String(validate=validate.Length(max=64))
    accepting = fields.Boolean()


class NomineeSchema(ma.Schema):
    name = fields.String(required=True)
    kind = fields.String(required=True, metadata={"description": "city, organisation, person"})
    city_id = fields.Integer(allow_none=True, required=True)
    country = fields.String(allow_none=True, required=True)
    region = fields.String(allow_none=True, required=True)


class CallRefSchema(ma.Schema):
    id = fields.Integer(required=True)
    programme = fields.String(required=True)
    title = fields.String(required=True)
    cycle = fields.String(required=True)


class RecognitionSchema(ma.Schema):
    """An announced recognition: the public projection of a decided nomination."""

    nomination_id = fields.Integer(required=True)
    nominee = fields.Nested(NomineeSchema, required=True)
    call = fields.Nested(CallRefSchema, required=True)
    label = fields.String(required=True, metadata={"description": "What was recognised."})
    level = fields.Nested(LevelSchema, allow_none=True, required=True)
    areas_of_strength = fields.List(fields.Integer(), required=True)
    announced_at = fields.AwareDateTime(allow_none=True, required=True)
    valid_from = fields.Date(allow_none=True, required=True)
    valid_until = fields.Date(
        allow_none=True, required=True, metadata={"description": "Its last day; null: lasting."}
    )


class RecognisedArgs(PageArgs):
    programme = fields.String(validate=validate.Length(max=64))
    year = fields.String(validate=validate.Length(max=40))
    country = fields.String(
        validate=validate.Regexp(r"^[A-Za-z]{2}$"),
        metadata={"description": "ISO 3166-1 alpha-2"},
    )
    q = fields.String(validate=validate.Length(max=100), metadata={"description": "Search text"})


class CityRecognitionsSchema(ma.Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    country = fields.String(required=True)
    region = fields.String(required=True)
    recognitions = fields.List(fields.Nested(RecognitionSchema), required=True)


class AnnouncementSchema(CallRefSchema):
    announced_at = fields.AwareDateTime(allow_none=True, required=True)
    text = fields.String(required=True)
    language = fields.String(required=True, metadata={"description": "The text's language."})
    recognised = fields.Integer(required=True, metadata={"description": "How many."})


class AnnouncementDetailSchema(AnnouncementSchema):
    recognitions = fields.List(fields.Nested(RecognitionSchema), required=True)


class AnnouncementArgs(PageArgs):
    programme = fields.String(validate=validate.Length(max=64))
    year = fields.String(validate=validate.Length(max=40))


# -- with a token -----------------------------------------------------------------------------


class TokenInfoSchema(ma.Schema):
    name = fields.String(required=True)
    scope = fields.String(required=True)


class MeSchema(ma.Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    email = fields.String(required=True)
    locale = fields.String(required=True)
    roles = fields.List(fields.String(), required=True)
    cities = fields.List(fields.Integer(), required=True)
    token = fields.Nested(TokenInfoSchema, required=True)


class OptionSchema(ma.Schema):
    """A transition the reader may fire now (or could, once its conditions hold)."""

    id = fields.String(required=True)
    title = fields.String(required=True)
    enabled = fields.Boolean(required=True)
    reason = fields.String(required=True, metadata={"description": "Why not, when disabled."})
    comment = fields.String(required=True, metadata={"description": "none, optional, required"})
    confirm = fields.String(required=True, metadata={"description": "A question to confirm."})


class NominationSchema(ma.Schema):
    id = fields.Integer(required=True)
    call = fields.Nested(CallRefSchema, required=True)
    nominee = fields.Nested(NomineeSchema, required=True)
    state = fields.Nested(StateSchema, required=True)
    version = fields.Integer(allow_none=True, required=True)
    updated_at = fields.AwareDateTime(required=True)


class NominationDetailSchema(NominationSchema):
    whole_file = fields.Boolean(
        required=True,
        metadata={"description": "false: only the public projection (announced, public fields)"},
    )
    answers = fields.Dict(keys=fields.String(), required=True)
    files = fields.Dict(
        keys=fields.String(),
        values=fields.List(fields.Dict()),
        required=True,
        metadata={"description": "The evidence files, by input: name, size, type."},
    )
    problems = fields.List(
        fields.Dict(),
        required=True,
        metadata={"description": "What stops it from being submitted (while editable)."},
    )
    transitions = fields.List(fields.Nested(OptionSchema), required=True)


class NominationArgs(PageArgs):
    call = fields.Integer(validate=validate.Range(min=1, max=2**31 - 1))


class AnswersSchema(ma.Schema):
    answers = fields.Dict(
        keys=fields.String(validate=validate.Length(max=200)),
        required=True,
        metadata={"description": "Answers by input name; the others are kept as they are."},
    )
    version = fields.Integer(
        validate=validate.Range(min=0, max=2**31 - 1),
        metadata={"description": "The version read: a change since is refused (409)."},
    )


class FireSchema(ma.Schema):
    comment = fields.String(load_default="", validate=validate.Length(max=5000))
    version = fields.Integer(
        validate=validate.Range(min=0, max=2**31 - 1),
        metadata={"description": "The version read: a change since is refused (409)."},
    )
    confirmed = fields.Boolean(
        load_default=False,
        metadata={"description": "Required true for a transition that asks to confirm."},
    )


class ObjectStateSchema(ma.Schema):
    workflow = fields.String(required=True)
    id = fields.Integer(required=True)
    state = fields.Nested(StateSchema, required=True)
    version = fields.Integer(allow_none=True, required=True)


class DecisionSchema(ma.Schema):
    outcome = fields.String(
        required=True,
        validate=validate.Length(max=64),
        metadata={"description": "The deciding transition (see the nomination's transitions)."},
    )
    areas = fields.List(
        fields.Integer(validate=validate.Range(min=1, max=99)),
        load_default=list,
        metadata={"description": "Areas of strength (programmes deciding by strengths)."},
    )
    level = fields.String(
        load_default="",
        validate=validate.Length(max=64),
        metadata={"description": "The award level (programmes deciding by levels)."},
    )
    comment = fields.String(load_default="", validate=validate.Length(max=5000))
    override_reason = fields.String(
        load_default="",
        validate=validate.Length(max=2000),
        metadata={"description": "Why decide before every review is in (then required)."},
    )
    version = fields.Integer(validate=validate.Range(min=0, max=2**31 - 1))


class ScoreSchema(ma.Schema):
    criterion = fields.String(required=True)
    title = fields.String(dump_only=True)
    min = fields.Integer(dump_only=True)
    max = fields.Integer(dump_only=True)
    value = fields.Integer(allow_none=True, required=True)
    comment = fields.String(load_default="", validate=validate.Length(max=20000))


class AssignmentSchema(ma.Schema):
    id = fields.Integer(required=True)
    nomination_id = fields.Integer(required=True)
    nominee = fields.String(required=True)
    call = fields.Nested(CallRefSchema, required=True)
    round = fields.String(required=True)
    state = fields.Nested(StateSchema, required=True)
    version = fields.Integer(allow_none=True, required=True)
    deadline = fields.AwareDateTime(allow_none=True, required=True)


class AssignmentDetailSchema(AssignmentSchema):
    scores = fields.List(fields.Nested(ScoreSchema), required=True)
    recommendation = fields.String(required=True)
    recommendations = fields.List(fields.Nested(Named), required=True)
    comment_for_city = fields.String(required=True)
    comment_confidential = fields.String(required=True)
    transitions = fields.List(fields.Nested(OptionSchema), required=True)


class ReviewSchema(ma.Schema):
    scores = fields.List(fields.Nested(ScoreSchema), load_default=list)
    recommendation = fields.String(load_default="", validate=validate.Length(max=64))
    comment_for_city = fields.String(load_default="", validate=validate.Length(max=20000))
    comment_confidential = fields.String(load_default="", validate=validate.Length(max=20000))
    submit = fields.Boolean(
        load_default=False, metadata={"description": "Submit once saved (all scores needed)."}
    )


class AssignmentArgs(PageArgs):
    worklist = fields.String(validate=validate.Length(max=64))


class WorklistSchema(ma.Schema):
    id = fields.String(required=True)
    workflow = fields.String(required=True)
    title = fields.String(required=True)
    count = fields.Integer(required=True)


class WorklistItemSchema(ma.Schema):
    workflow = fields.String(required=True)
    id = fields.Integer(required=True)
    title = fields.String(required=True)
    state = fields.Nested(StateSchema, required=True)
    version = fields.Integer(allow_none=True, required=True)


class RankingRowSchema(ma.Schema):
    rank = fields.Integer(required=True)
    nomination_id = fields.Integer(required=True)
    nominee = fields.String(required=True)
    country = fields.String(required=True)
    state = fields.Nested(StateSchema, required=True)
    reviews = fields.Integer(required=True, metadata={"description": "Submitted reviews."})
    weighted_total = fields.Float(allow_none=True, required=True)
    weighted_percent = fields.Float(allow_none=True, required=True)
    normalised_total = fields.Float(allow_none=True, required=True)
    disagreement = fields.Boolean(required=True)
    strengths = fields.List(fields.Integer(), required=True)


class RankingArgs(ma.Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=10**9))
    sort = fields.String(
        load_default="total",
        validate=validate.Length(max=80),
        metadata={"description": "total, normalised, name, or c:<criterion>."},
    )
    round = fields.String(validate=validate.Length(max=32))
    state = fields.String(validate=validate.Length(max=32))
    country = fields.String(validate=validate.Length(max=2))
    disagreement = fields.Boolean(load_default=False)


class WorklistArgs(PageArgs):
    pass


class ExportSchema(ma.Schema):
    columns = fields.List(fields.String(), required=True)
    items = fields.List(
        fields.Dict(keys=fields.String()),
        required=True,
        metadata={"description": "A row per nomination, score or history entry, by column."},
    )
