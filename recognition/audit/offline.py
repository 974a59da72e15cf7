"""Check a decision dossier offline: ``python -m recognition.audit.offline DOSSIER [--head H]``.

DOSSIER is the JSON file, or the PDF that carries it (as its attachment "dossier.json").
No database and no server: the history's hashes are recomputed, and every fact the dossier
states is compared with the hashed row that recorded it. ``--head`` is the call's record
head as published on its public announcement page (or kept from it): the dossier's chains
are then shown to be part of that record.

Needs the standard library only (and pypdf for a PDF), with this package's ``chain``.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ..workflow.chain import (
    breaks,
    canonical,
    leaf,
    review_digest,
    root_from_proof,
    sha256,
    submission_digest,
)

DOSSIER_FORMAT = "recognition-dossier/1"
ATTACHMENT = "dossier.json"


def load(path: Path) -> dict[str, Any]:
    """The dossier in a JSON file, or attached to a PDF."""
    data = path.read_bytes()
    if data[:5] == b"%PDF-":
        from pypdf import PdfReader

        attached = PdfReader(path).attachments.get(ATTACHMENT)
        if not attached:
            raise ValueError(f"{path}: this PDF carries no {ATTACHMENT}")
        data = attached[0]
    return json.loads(data)


def _close(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is b
    return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-9)


def check(dossier: dict[str, Any], head: str | None = None) -> list[str]:
    """Every problem found in ``dossier`` (none: it is as exported, and its facts are those
    its hashed history recorded); ``head``: the call's published record head."""
    problems: list[str] = []
    if dossier.get("format") != DOSSIER_FORMAT:
        return [f"not a dossier of the format {DOSSIER_FORMAT}"]
    own = sha256(canonical({k: v for k, v in dossier.items() if k != "digest"}))
    if own != dossier.get("digest"):
        problems.append("the dossier's digest does not match its content: it was edited")
    history = dossier.get("history") or []
    problems += [f"history: {found}" for found in breaks(history)]
    chains: dict[tuple[str, int], list[dict[str, Any]]] = defaultdict(list)
    for row in history:
        chains[(row["object_type"], row["object_id"])].append(row)
    nomination = dossier["nomination"]
    problems += _submissions(dossier, chains.get((nomination["object_type"], nomination["id"]), []))
    problems += _reviews(dossier, chains)
    problems += _decision(dossier, history)
    problems += _aggregation(dossier)
    problems += _record(dossier, chains, head)
    return problems


def _submissions(dossier, rows) -> list[str]:
    recorded = [r["data"]["submission"] for r in rows if "submission" in (r["data"] or {})]
    made = [submission_digest(s["answers"], s["files"]) for s in dossier.get("submissions", [])]
    if recorded and recorded != made[-len(recorded) :]:
        return ["submissions: the answers or files differ from those the history recorded"]
    return []


def _reviews(dossier, chains) -> list[str]:
    problems = []
    for review in dossier.get("reviews", []):
        number = review["assignment"]
        scores = [(s["criterion"], s["value"], s["comment"]) for s in review["scores"]]
        made = review_digest(
            scores,
            review["recommendation"],
            review["comment_for_city"],
            review["comment_confidential"],
        )
        if made != review["digest"]:
            problems.append(f"review {number}: its scores or comments were edited")
        if not review.get("counted"):
            continue
        submitted = [
            r["data"]
            for r in chains.get((review["object_type"], number), [])
            if "review" in (r["data"] or {})
        ]
        if submitted and submitted[-1]["review"] != made:
            problems.append(
                f"review {number}: it is not the review the history recorded at its submission"
            )
        elif submitted and submitted[-1].get("scores") != {c: v for c, v, _m in scores}:
            problems.append(f"review {number}: its scores differ from those submitted")
    return problems


def _decision(dossier, history) -> list[str]:
    decision = dossier.get("decision") or {}
    if decision.get("row") is None:
        return []
    row = next((r for r in history if r["id"] == decision["row"]), None)
    if row is None:
        return [f"decision: its history row {decision['row']} is missing"]
    problems = []
    facts = row["data"] or {}
    if "award_level" in facts and facts["award_level"] != decision.get("award_level"):
        problems.append("decision: the award level differs from the one decided")
    areas = facts.get("areas_of_strength")
    if areas is not None and sorted(areas) != sorted(decision.get("areas_of_strength") or []):
        problems.append("decision: the areas of strength differ from those decided")
    if (row["comment"] or "") != (decision.get("comment") or ""):
        problems.append("decision: its text differs from the one recorded")
    return problems


def _aggregation(dossier) -> list[str]:
    """Each round's means and weighted total follow from its counted reviews' scores."""
    problems = []
    for result in dossier.get("aggregation", []):
        values: dict[str, list[float]] = defaultdict(list)
        for review in dossier.get("reviews", []):
            if review.get("counted") and review["round"] == result["round"]:
                for s in review["scores"]:
                    if s["value"] is not None:
                        values[s["criterion"]].append(s["value"])
        for criterion, stated in result["criteria"].items():
            found = values.get(criterion) or []
            mean = sum(found) / len(found) if found else None
            if not _close(mean, stated["mean"]):
                problems.append(
                    f"aggregation, round {result['round']}: the mean of {criterion} does not "
                    "follow from the reviews' scores"
                )
        weights = result.get("weights") or {}
        if result.get("weighted_total") is not None:
            total = sum(w * (result["criteria"][c]["mean"] or 0) for c, w in weights.items())
            if not _close(total, result["weighted_total"]):
                problems.append(
                    f"aggregation, round {result['round']}: the weighted total does not follow "
                    "from the means and weights"
                )
    return problems


def _record(dossier, chains, head: str | None) -> list[str]:
    record = dossier.get("call_record")
    if record is None:
        return ["the call is not announced: no published head to check against"] if head else []
    problems = []
    for proven in record["objects"]:
        key = (proven["object_type"], proven["object_id"])
        hashes = [r["hash"] for r in chains.get(key, [])]
        if proven["head"] not in hashes:
            problems.append(
                f"{key[0]} {key[1]}: its history lacks the row its chain ended with when the "
                "call was announced"
            )
        reached = root_from_proof(leaf(key[0], key[1], proven["head"]), proven["proof"])
        if reached != record["head"]:
            problems.append(f"{key[0]} {key[1]}: its chain is not part of the call's record")
    if head is not None and head.strip().lower() != record["head"]:
        problems.append(
            f"the call's record head in the dossier ({record['head']}) is not the one given "
            f"({head.strip()})"
        )
    return problems


def main(argv: Iterable[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m recognition.audit.offline",
        description="Check a decision dossier (JSON, or the PDF carrying it) offline.",
    )
    parser.add_argument("dossier", type=Path)
    parser.add_argument("--head", help="the call's record head as published")
    args = parser.parse_args(list(argv) if argv is not None else None)
    try:
        dossier = load(args.dossier)
    except (OSError, ValueError) as exc:
        print(f"Cannot read the dossier: {exc}", file=sys.stderr)
        return 2
    problems = check(dossier, args.head)
    nomination = dossier.get("nomination", {})
    if problems:
        print(f"The dossier of nomination {nomination.get('id')} does NOT check:")
        for problem in problems:
            print(f"  - {problem}")
        return 1
    rows = len(dossier.get("history", []))
    record = dossier.get("call_record")
    print(
        f"The dossier of nomination {nomination.get('id')} checks: {rows} history rows linked, "
        "its submissions, reviews, aggregation and decision as the history recorded them."
    )
    if record:
        print(f"Its chains are part of the call's record, head {record['head']}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
