"""With a token, for the secretariat (and anyone with worklists): the worklists with their
counts, a worklist's items, and a call's ranking, as the pages show them."""

from __future__ import annotations

from typing import Any

from flask import Response, abort, stream_with_context
from flask_login import current_user

from ..extensions import db
from ..i18n import gettext as _
from ..nominations.models import Nomination
from ..programmes.models import Call
from ..review.kept import call_with_kept
from ..secretariat.exports import KINDS, Subject, json_chunks
from ..secretariat.queries import ranking_page
from ..secretariat.views import SORTS
from ..workflow.registry import bound_models, definition_for, object_title, registry
from ..workflow.security import require
from ..workflow.worklists import query as worklist_query
from ..workflow.worklists import worklists_for
from . import schemas as s
from .auth import TOKEN, api_blueprint
from .common import page_doc, paged_rows, state_doc
from .nominations import signed_in

blp = api_blueprint("api-secretariat", "Worklists and rankings.")


@blp.get("/worklists")
@blp.response(200, s.WorklistSchema(many=True))
@blp.doc(security=TOKEN)
def worklists():
    """The worklists the token's user has, each with how many items it holds."""
    signed_in()
    return [
        {
            "id": entry.worklist.id,
            "workflow": entry.definition.id,
            "title": _(entry.worklist.title),
            "count": entry.count,
        }
        for entry in worklists_for(current_user)
    ]


def item_doc(obj: Any) -> dict[str, Any]:
    return {
        "workflow": definition_for(obj).id,
        "id": obj.id,
        "title": str(object_title(obj)),
        "state": state_doc(obj),
        "version": getattr(obj, "version", None),
    }


@blp.get("/worklists/<workflow>/<worklist>")
@blp.arguments(s.WorklistArgs, location="query")
@blp.response(200, s.paged(s.WorklistItemSchema, "WorklistPage"))
@blp.doc(security=TOKEN)
def worklist(args, workflow: str, worklist: str):
    """A worklist's items that are the token's user's to handle, oldest first."""
    signed_in()
    definition = registry().definitions.get(workflow)
    model = bound_models().get(workflow)
    if definition is None or model is None or worklist not in definition.worklists:
        abort(404)
    stmt = worklist_query(definition, definition.worklists[worklist], current_user)
    page = paged_rows(stmt.order_by(model.id), args)
    return page_doc(page, [item_doc(obj) for obj in page.items])


@blp.get("/calls/<int:call_id>/ranking")
@blp.arguments(s.RankingArgs, location="query")
@blp.response(200, s.paged(s.RankingRowSchema, "RankingPage"))
@blp.doc(security=TOKEN)
def ranking(args, call_id: int):
    """A call's nominations ranked in a review round (the first by default), as on the
    ranking page: by weighted total, normalised total, name or one criterion."""
    signed_in()
    call = call_with_kept(call_id) or abort(404)
    require("manage", call)
    round_ = call.programme.round(args.get("round"))
    sort = args["sort"]
    if sort not in SORTS and sort not in {f"c:{c.id}" for c in round_.rubric.criteria}:
        sort = "total"
    ranked = ranking_page(
        call, sort, args.get("state"), args.get("country"), args["disagreement"], round_.id
    )
    page = ranked.page
    states = definition_for(Nomination).states
    start = (page.page - 1) * page.per_page
    items = []
    for rank, row in enumerate(page.items, start=start + 1):
        result = row.result
        state = states.get(row.state)
        items.append(
            {
                "rank": rank,
                "nomination_id": row.nomination_id,
                "nominee": row.name,
                "country": row.country,
                "state": {
                    "id": row.state,
                    "title": _(state.title) if state else row.state,
                    "tags": sorted(state.tags) if state else [],
                },
                "reviews": result.reviews if result else 0,
                "weighted_total": result.weighted_total if result else None,
                "weighted_percent": result.weighted_percent if result else None,
                "normalised_total": result.normalised_total if result else None,
                "disagreement": result.disagreement if result else False,
                "strengths": list(result.strengths) if result else [],
            }
        )
    return page_doc(page, items)


@blp.get("/calls/<int:call_id>/export/<any({kinds}):kind>".format(kinds=", ".join(KINDS)))
@blp.response(200, s.ExportSchema)
@blp.doc(security=TOKEN)
def export(call_id: int, kind: str):
    """A call's export as JSON, the same rows as its CSV: ``nominations`` (nominee, state,
    decision, answers), ``scores`` (every score of every review) or ``history``. Streamed as
    it is read, whatever the call's size."""
    signed_in()
    call = db.get_or_404(Call, call_id)
    require("manage", call)
    subject = Subject.of(call)
    db.session.close()  # the export reads on a connection of its own
    return Response(stream_with_context(json_chunks(kind, subject)), mimetype="application/json")
