"""Review operations: assignment, conflicts, scoring. Flush, never commit."""

from __future__ import annotations

from .models import Assignment


def missing_scores(assignment: Assignment) -> list[str]:
    """Criteria of the rubric without a score yet."""
    rubric = assignment.nomination.programme.rubric
    scored = {s.criterion for s in assignment.scores if s.value is not None}
    return [c.id for c in rubric.criteria if c.id not in scored]
