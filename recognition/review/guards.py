"""Rules of the review workflow, and the nomination rule that the reviews are in.

Each returns None when it holds, or the reason it does not.
"""

from ..i18n import lazy_gettext as _l
from ..workflow.guards import guard
from .aggregation import reviews_complete
from .operations import missing_scores, review_refusal
from .rounds import last_scored_round


@guard("review_window_open", _l("the review deadline has not passed and reviewing is open"))
def review_window_open(assignment, actor, data):
    """The call still takes reviews (before its review deadline, reviewing not closed) and
    the nomination is still under review."""
    return review_refusal(assignment)


@guard("review_is_complete", _l("every criterion has a score and a recommendation is given"))
def review_is_complete(assignment, actor, data):
    """A score for every criterion of the rubric, and an overall recommendation."""
    if missing_scores(assignment) or not assignment.recommendation:
        return _l("Score every criterion and give a recommendation first.")
    return None


@guard("reviews_complete", _l("all reviews are in"))
def all_reviews_in(nomination, actor, data):
    """At least one review, and every live assignment has submitted its review, in the
    round the decision rests on."""
    if reviews_complete(nomination, last_scored_round(nomination).id):
        return None
    return _l("Not all reviews are in.")
