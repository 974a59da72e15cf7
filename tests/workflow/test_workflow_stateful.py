"""Random walks through nomination.yaml: whoever tries whatever, the nomination stays in a
declared state, never leaves a final one, and its history counts exactly the transitions
that succeeded."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from workflow_support import (
    DATA,
    DEFINITIONS,
    ROLES,
    allowed,
    history,
    make_nomination,
    make_user_with_role,
    stored_state,
)

from recognition.workflow.engine import (
    CommentRequired,
    ConditionNotMet,
    NotAllowed,
    WorkflowError,
    WrongState,
    check,
    fire,
)

NOMINATION = DEFINITIONS["nomination"]
COMMENTS = st.sampled_from([None, "", "  ", "Because."])


class NominationWalk(RuleBasedStateMachine):
    """One nomination, one user per role, and transitions tried at random."""

    def __init__(self):
        super().__init__()
        # No review submitted yet and one accepted: deciding needs an override reason.
        self.nomination = make_nomination("draft", reviewed=False)
        self.users = {
            role: make_user_with_role("nomination", role, self.nomination)
            for role in ROLES["nomination"]
        }
        self.fired: list[str] = []

    def _try(self, name: str, role: str, comment: str | None, override: bool) -> None:
        nomination = self.nomination
        before = nomination.state
        events = len(history(nomination))
        transition = NOMINATION.transitions[name]
        data = dict(DATA.get(("nomination", name), {}))
        if override:
            data["override_reason"] = "The jury met."
        try:
            fire(nomination, name, self.users[role], comment, data=data)
        except WorkflowError as refusal:
            assert nomination.state == before
            assert len(history(nomination)) == events
            if before not in transition.sources:
                expected = WrongState
            elif not allowed(NOMINATION, name, role, before):
                expected = NotAllowed
            elif transition.comment == "required" and not (comment or "").strip():
                expected = CommentRequired
            else:
                expected = ConditionNotMet
            assert type(refusal) is expected
        else:
            assert before in transition.sources
            assert allowed(NOMINATION, name, role, before)
            assert nomination.state == transition.dest
            self.fired.append(name)

    @rule(
        name=st.sampled_from(sorted(NOMINATION.transitions)),
        role=st.sampled_from(ROLES["nomination"]),
        comment=COMMENTS,
        override=st.booleans(),
    )
    def anyone_tries_anything(self, name, role, comment, override):
        self._try(name, role, comment, override)

    @precondition(lambda self: not NOMINATION.states[self.nomination.state].final)
    @rule(data=st.data(), comment=st.one_of(st.just("Because."), COMMENTS))
    def someone_tries_a_way_out(self, data, comment):
        """Pick among the exits of the current state, mostly as a role allowed to take it,
        so that walks get past the first states."""
        exits = NOMINATION.transitions_from(self.nomination.state)
        transition = data.draw(st.sampled_from(exits))
        allowed_roles = [
            r
            for r in ROLES["nomination"]
            if allowed(NOMINATION, transition.id, r, self.nomination.state)
        ]
        role = data.draw(
            st.one_of(st.sampled_from(allowed_roles), st.sampled_from(ROLES["nomination"]))
        )
        self._try(transition.id, role, comment, override=data.draw(st.booleans()))

    @invariant()
    def the_state_is_declared(self):
        assert self.nomination.state in NOMINATION.states
        assert stored_state(self.nomination) == self.nomination.state

    @invariant()
    def history_counts_the_successes(self):
        events = history(self.nomination)
        assert [e.transition for e in events] == self.fired
        states = [NOMINATION.initial, *(e.to_state for e in events)]
        assert [e.from_state for e in events] == states[:-1]
        assert states[-1] == self.nomination.state

    @invariant()
    def a_final_state_has_no_way_out(self):
        state = NOMINATION.states[self.nomination.state]
        if state.final:
            officer = self.users["secretariat"]
            for name in NOMINATION.transitions:
                with pytest.raises(WrongState):
                    check(self.nomination, name, officer, "Reopen it.")


def test_random_walks_keep_the_nomination_consistent(rolled_back_app):
    run_state_machine_as_test(
        NominationWalk,
        settings=settings(
            max_examples=25,
            stateful_step_count=15,
            deadline=None,
            database=None,
            # Shrinking a failing walk replays hundreds of database-backed examples (minutes);
            # an unshrunk walk of at most 15 steps is short enough to read.
            phases=[Phase.explicit, Phase.reuse, Phase.generate],
            suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        ),
    )
