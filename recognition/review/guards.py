"""Predicates guarding the review workflow."""

from flask_babel import lazy_gettext as _l

from ..workflow.guards import guard


@guard("review_window_open", _l("the review deadline has not passed and reviewing is open"))
def review_window_open(assignment, actor, context) -> bool:
    """The call still takes reviews (before its review deadline, reviewing not closed) and
    the nomination is still under review."""
    from .operations import review_refusal

    return review_refusal(assignment) is None


@guard("review_is_complete", _l("every criterion has a score and a recommendation is given"))
def review_is_complete(assignment, actor, context) -> bool:
    """A score for every criterion of the rubric, and an overall recommendation."""
    from .operations import missing_scores

    return not missing_scores(assignment) and bool(assignment.recommendation)
