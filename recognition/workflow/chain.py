"""The history's hash chains, and the Merkle tree that ties a call's chains into one head.

Every history row carries the SHA-256 of its content together with the hash of the row
before it in its object's history (``prev_hash``): a row changed, removed or slipped in
afterwards breaks a link that ``flask audit verify`` finds, and the head of a chain stands
for everything before it.

One chain per object, not one per call: a transition already holds its object's row (the
engine writes it, version-checked, before reading the chain's head), so no lock of its own
is needed and two reviewers submitting in the same call never wait on each other. What
ties a call's records together is its *head*: the root of a Merkle tree over the last hash
of each of its objects' chains (``recognition.audit``), sealed into the call's announcement
and printed on its public page. A dossier carries the proof that its nomination's chain is
one of the leaves, so it can be checked against the published head with nothing else.

This module needs the standard library only: a dossier is checked offline with it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

#: Says how a row's digest is made; a new way of hashing would get a new name.
CHAIN_FORMAT = "recognition-history/1"

#: The history's columns a row's hash covers (all but its id, which the database assigns).
CHAINED = (
    "workflow",
    "object_type",
    "object_id",
    "transition",
    "from_state",
    "to_state",
    "actor_id",
    "comment",
    "at",
    "data",
    "definition_hash",
    "prev_hash",
)

#: The transition a chain starts with (the engine's ``CREATED``).
CHAIN_START = "created"


def canonical(value: Any) -> bytes:
    """One byte string per JSON value, whoever writes it: sorted keys, no spaces, UTF-8."""
    return json.dumps(
        value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str
    ).encode()


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def moment(at: Any) -> str:
    """A row's time as hashed and exported: ISO 8601 to the microsecond, naive UTC."""
    if isinstance(at, datetime):
        return at.isoformat(timespec="microseconds")
    return str(at)


def chained_content(row: Mapping[str, Any]) -> dict[str, Any]:
    """What a row's hash covers, as plain JSON (a dossier exports exactly this)."""
    content = {key: row.get(key) for key in CHAINED}
    content["comment"] = content["comment"] or ""
    content["at"] = moment(content["at"])
    # As the JSON column gives it back: keys as strings, tuples as lists.
    content["data"] = json.loads(canonical(content["data"] or {}))
    content["definition_hash"] = content["definition_hash"] or ""
    return content


def row_digest(row: Mapping[str, Any]) -> str:
    """The hash of one history row (a mapping of ``CHAINED``, more keys ignored)."""
    return sha256(canonical([CHAIN_FORMAT, chained_content(row)]))


def link(rows: list[dict[str, Any]], heads: Mapping[tuple[str, int], str] | None = None) -> None:
    """Give rows about to be inserted, in order, their ``prev_hash`` and ``hash``: each
    follows the row before it of the same object, or ``heads`` (the chains' last hashes in
    the database), or starts its object's chain."""
    last = dict(heads or {})
    for row in rows:
        key = (row["object_type"], row["object_id"])
        row["prev_hash"] = last.get(key)
        row["hash"] = last[key] = row_digest(row)


@dataclass(frozen=True)
class Break:
    """A broken link: the row (its id when known), its object, and what is wrong."""

    row_id: Any
    object_type: str
    object_id: Any
    transition: str
    reason: str

    def __str__(self) -> str:
        return (
            f"row {self.row_id} ({self.object_type} {self.object_id}, "
            f"{self.transition}): {self.reason}"
        )


ALTERED = "its content does not match its hash: it was changed after it was written"
UNLINKED = (
    "it does not follow the row before it in its object's history: a row was removed, "
    "inserted or changed before it"
)
UNHASHED = "it has no hash: it was not written by the application"


def breaks(rows: Iterable[Mapping[str, Any]]) -> Iterator[Break]:
    """Every broken link among ``rows``, ordered by object and then by id, as stored
    (mappings with ``CHAINED``, ``id`` and ``hash``). An object's chain may start again at a
    "created" row (an id used again after its object was deleted)."""
    previous: tuple[Any, Any] | None = None
    last_hash: str | None = None
    for row in rows:
        key = (row["object_type"], row["object_id"])
        if key != previous:
            previous, last_hash = key, None
        found = None
        if not row.get("hash"):
            found = UNHASHED
        elif row_digest(row) != row["hash"]:
            found = ALTERED
        elif row.get("prev_hash") != last_hash and not (
            row.get("prev_hash") is None and row.get("transition") == CHAIN_START
        ):
            found = UNLINKED
        if found:
            yield Break(row.get("id"), key[0], key[1], str(row.get("transition")), found)
        last_hash = row.get("hash")


# -- the Merkle tree of a call's chains ------------------------------------------------------


def leaf(object_type: str, object_id: int, head: str) -> str:
    """The leaf of one object's chain (its last hash) in a call's tree."""
    return sha256(b"\x00" + canonical([object_type, object_id, head]))


def _parent(left: str, right: str) -> str:
    return sha256(b"\x01" + bytes.fromhex(left) + bytes.fromhex(right))


def merkle_levels(leaves: list[str]) -> list[list[str]]:
    """Every level of the tree over ``leaves`` (sorted by the caller), the leaves first and
    the root last: pairs hashed level by level, an odd last node carried up as it is."""
    levels = [list(leaves) or [sha256(b"")]]
    while len(levels[-1]) > 1:
        level = levels[-1]
        levels.append(
            [
                _parent(level[i], level[i + 1]) if i + 1 < len(level) else level[i]
                for i in range(0, len(level), 2)
            ]
        )
    return levels


def merkle_root(leaves: list[str]) -> str:
    """The root over ``leaves`` (no leaf: the hash of nothing)."""
    return merkle_levels(leaves)[-1][0]


def merkle_proof(levels: list[list[str]], index: int) -> list[list[str]]:
    """The path from leaf ``index`` to the root of the tree ``levels`` (``merkle_levels``):
    [side, sibling] pairs, side "L" when the sibling is on the left."""
    proof: list[list[str]] = []
    for level in levels[:-1]:
        sibling = index ^ 1
        if sibling < len(level):
            proof.append(["L" if sibling < index else "R", level[sibling]])
        index //= 2
    return proof


def root_from_proof(leaf_hash: str, proof: Iterable[Iterable[str]]) -> str:
    """The root a leaf and its proof lead to (compare it with the published head)."""
    node = leaf_hash
    for side, sibling in proof:
        node = _parent(sibling, node) if side == "L" else _parent(node, sibling)
    return node


# -- what the history's facts fingerprint ----------------------------------------------------


def submission_digest(answers: Any, files: Any) -> str:
    """The fingerprint of a submission's answers and files (names, sizes and SHA-256 of the
    evidence), kept in its history row's facts as ``submission``."""
    return sha256(canonical(["submission", answers or {}, files or []]))


def review_digest(
    scores: Iterable[Iterable[Any]],
    recommendation: str,
    comment_for_city: str,
    comment_confidential: str,
) -> str:
    """The fingerprint of a submitted review: its (criterion, value, comment) scores and its
    recommendation and comments, kept in its history row's facts as ``review``."""
    content = {
        "scores": sorted([str(c), v, m or ""] for c, v, m in scores),
        "recommendation": recommendation or "",
        "comment_for_city": comment_for_city or "",
        "comment_confidential": comment_confidential or "",
    }
    return sha256(canonical(["review", content]))
