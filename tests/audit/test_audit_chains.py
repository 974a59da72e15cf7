"""The history's hash chains: every row the engine writes is linked to the one before it in
its object's history, a call's announcement seals the head of its record, and ``flask audit
verify`` names the first row changed, removed or slipped in with raw SQL."""

from __future__ import annotations

import dataclasses
import hashlib
from pathlib import Path

import factories
import pytest
import sqlalchemy as sa
from audit_support import rows_of, tamper

from recognition.audit.records import SEALED, call_head, verify
from recognition.extensions import db as _db
from recognition.nominations.models import Nomination
from recognition.programmes.models import Call
from recognition.review.models import Assignment
from recognition.workflow import engine
from recognition.workflow.chain import (
    merkle_levels,
    merkle_proof,
    merkle_root,
    root_from_proof,
    row_digest,
    sha256,
)
from recognition.workflow.engine import fire, fire_many
from recognition.workflow.history import WorkflowEvent, history_rows, insert_history
from recognition.workflow.registry import registry

WORKFLOWS = Path(__file__).parents[2] / "workflows"


def _values(event: WorkflowEvent) -> dict:
    return {c.key: getattr(event, c.key) for c in WorkflowEvent.__table__.columns}


def test_every_row_follows_the_one_before_it_in_its_objects_history(db, announced):
    lyon = announced.nominations["Lyon"]
    rows = rows_of("nomination", lyon.id)
    assert [r.transition for r in rows][-2:] == ["recognise", "announce"]
    assert rows[0].prev_hash is None
    for before, after in zip(rows, rows[1:], strict=False):
        assert after.prev_hash == before.hash
    for row in rows:
        assert row.hash == row_digest(_values(row))


def test_each_row_records_the_version_of_the_yaml_it_was_made_under(db, announced):
    expected = hashlib.sha256((WORKFLOWS / "nomination.yaml").read_bytes()).hexdigest()
    rows = rows_of("nomination", announced.nominations["Lyon"].id)
    assert {r.definition_hash for r in rows} == {expected}


def test_decisions_scores_and_the_announcement_are_in_the_hashed_facts(db, announced):
    lyon = announced.nominations["Lyon"]
    decision = rows_of("nomination", lyon.id)[-2]
    assert decision.data["areas_of_strength"] == [1, 2, 3, 4, 5]
    assert decision.comment == "Lyon: decided."
    assignment = lyon_assignment(lyon)
    submitted = rows_of("assignment", assignment.id)[-1]
    assert submitted.transition == "submit"
    assert set(submitted.data["scores"].values()) == {5}
    assert len(submitted.data["review"]) == 64
    sealing = rows_of("call", announced.call.id)[-1]
    assert sealing.transition == "announce"
    assert sealing.data[SEALED] == _db.session.get(Call, announced.call.id).record_head


def lyon_assignment(nomination):
    return _db.session.scalars(
        sa.select(Assignment).where(Assignment.nomination_id == nomination.id)
    ).first()


def test_an_untouched_history_verifies(db, announced, runner):
    report = verify()
    assert report.problems == []
    assert report.seals == 1
    assert report.rows == 10  # 4 reviews, 2 decisions, 2 tellings, the call twice
    assert report.chains == 7
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert "No broken link" in result.output


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("comment", "'A kinder text.'"),
        ("to_state", "'not_recognised'"),
        ("actor_id", "NULL"),
        ("data", "'{\"areas_of_strength\": [1, 2, 3, 4, 5, 6]}'"),
    ],
)
def test_a_decision_changed_with_raw_sql_is_named(db, announced, runner, column, value):
    decision = rows_of("nomination", announced.nominations["Lyon"].id)[-2]
    tamper(f"UPDATE workflow_events SET {column} = {value} WHERE id = :id", id=decision.id)
    report = verify()
    assert report.problems, "the change went unnoticed"
    assert report.problems[0].row_id == decision.id
    assert "does not match its hash" in str(report.problems[0])
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert f"row {decision.id} " in result.output


def test_scores_at_submission_changed_with_raw_sql_are_named(db, announced):
    submitted = rows_of("assignment", lyon_assignment(announced.nominations["Lyon"]).id)[-1]
    scores = dict.fromkeys(submitted.data["scores"], 1)
    tamper(
        "UPDATE workflow_events SET data = :data WHERE id = :id",
        id=submitted.id,
        data=f'{{"scores": {str(scores).replace(chr(39), chr(34))}, "review": "x"}}',
    )
    assert [p.row_id for p in verify().problems][0] == submitted.id


def test_the_announcement_changed_with_raw_sql_is_named(db, announced):
    sealing = rows_of("call", announced.call.id)[-1]
    tamper(
        "UPDATE workflow_events SET data = :data WHERE id = :id",
        id=sealing.id,
        data='{"record_head": "' + "0" * 64 + '"}',
    )
    problems = verify().problems
    assert problems[0].row_id == sealing.id


def test_a_removed_row_breaks_the_link_of_the_next(db, announced):
    rows = rows_of("nomination", announced.nominations["Lyon"].id)
    removed, following = rows[-2], rows[-1]
    tamper("DELETE FROM workflow_events WHERE id = :id", id=removed.id)
    problems = verify().problems
    assert problems[0].row_id == following.id
    assert "does not follow the row before it" in str(problems[0])


def test_a_row_slipped_in_without_the_application_is_named(db, announced):
    lyon = announced.nominations["Lyon"]
    tamper(
        "INSERT INTO workflow_events (workflow, object_type, object_id, transition, from_state,"
        " to_state, comment, at, data, definition_hash) VALUES ('nomination', 'nomination',"
        " :id, 'recognise', 'under_review', 'recognised', '', :at, '{}', '')",
        id=lyon.id,
        at=rows_of("nomination", lyon.id)[-1].at,
    )
    forged = rows_of("nomination", lyon.id)[-1]
    assert [p.row_id for p in verify().problems] == [forged.id]


def test_a_rewritten_chain_still_fails_the_seal(db, announced):
    """Whoever recomputes the hashes of the rows they changed, and of every row after them,
    leaves each chain whole: the call's head sealed at its announcement no longer matches."""
    rows = rows_of("nomination", announced.nominations["Riga"].id)
    decision = rows[-2]
    changed = {**_values(decision), "comment": "Riga: recognised after all."}
    changed["hash"] = row_digest(changed)
    after = {**_values(rows[-1]), "prev_hash": changed["hash"]}
    after["hash"] = row_digest(after)
    tamper(
        "UPDATE workflow_events SET comment = :comment, hash = :hash WHERE id = :id",
        id=decision.id,
        comment=changed["comment"],
        hash=changed["hash"],
    )
    tamper(
        "UPDATE workflow_events SET prev_hash = :prev, hash = :hash WHERE id = :id",
        id=rows[-1].id,
        prev=after["prev_hash"],
        hash=after["hash"],
    )
    problems = verify().problems
    assert len(problems) == 1
    assert f"call {announced.call.id}" in str(problems[0])
    assert "no longer has the head sealed" in str(problems[0])


def test_the_head_moves_with_the_record_but_the_seal_stays(db, announced):
    call = _db.session.get(Call, announced.call.id)
    sealed = call.record_head
    before = call_head(call.id)
    lyon = _db.session.get(Nomination, announced.nominations["Lyon"].id)
    fire(lyon, "revoke", announced.officer, "Revoked.")
    db.session.commit()
    assert call_head(call.id) != before
    assert _db.session.get(Call, call.id).record_head == sealed
    assert verify().problems == []


def test_a_changed_yaml_leaves_the_old_rows_valid(db, app, announced):
    """The definition's version is in each row; rows made under an older YAML keep theirs."""
    definitions = registry().definitions
    original = definitions["nomination"]
    definitions["nomination"] = dataclasses.replace(original, version="f" * 64)
    try:
        nomination = factories.make_nomination(
            call=factories.make_call(state="reviewing"), state="submitted"
        )
        db.session.flush()
        fire(nomination, "declare_ineligible", announced.officer, "Out of scope.")
        db.session.commit()
    finally:
        definitions["nomination"] = original
    versions = {
        r.definition_hash
        for r in _db.session.scalars(sa.select(WorkflowEvent))
        if r.object_type == "nomination"
    }
    assert {"f" * 64, original.version} <= versions
    assert verify().problems == []


def test_rows_written_all_at_once_are_linked_to_their_chains(db, announced, monkeypatch):
    written = []
    monkeypatch.setattr(engine, "_write_all", _spy(engine._write_all, written))
    call = factories.make_call(state="reviewing")
    nominations = [factories.make_nomination(call=call, state="submitted") for _ in range(3)]
    db.session.flush()
    # Each already has a history (its creation), but for the last one.
    definition = registry().get("nomination")
    at = rows_of("call", announced.call.id)[0].at
    insert_history(
        [r for n in nominations[:2] for r in history_rows(definition, n.id, [], None, at)]
    )
    results = fire_many(nominations, "accept", announced.officer)
    assert all(r.done for r in results), [r.message for r in results]
    db.session.commit()
    assert written == ["accept"]
    for nomination in nominations[:2]:
        created, accepted = rows_of("nomination", nomination.id)
        assert accepted.prev_hash == created.hash
        assert accepted.hash == row_digest(_values(accepted))
    [accepted] = rows_of("nomination", nominations[2].id)
    assert accepted.prev_hash is None
    assert verify().problems == []


def _spy(write_all, written):
    def spy(definition, transition, *args):
        written.append(transition.id)
        return write_all(definition, transition, *args)

    return spy


@pytest.mark.parametrize("size", range(1, 10))
def test_every_leaf_proves_its_place_under_the_root(size):
    leaves = [sha256(str(n).encode()) for n in range(size)]
    levels = merkle_levels(leaves)
    root = merkle_root(leaves)
    for index, leaf in enumerate(leaves):
        assert root_from_proof(leaf, merkle_proof(levels, index)) == root
        assert root_from_proof(sha256(b"forged"), merkle_proof(levels, index)) != root


def test_a_seal_copy_removed_from_the_call_is_named(db, announced):
    tamper_call = "UPDATE calls SET record_head = NULL WHERE id = :id"
    with _db.engine.begin() as connection:
        _db.session.commit()
        connection.execute(sa.text(tamper_call), {"id": announced.call.id})
    problems = verify().problems
    assert len(problems) == 1
    assert "is not the one its announcement sealed" in str(problems[0])
