"""Mermaid state diagrams of definitions, drawn by transitions' GraphMachine."""

from __future__ import annotations

from collections.abc import Callable

from transitions.extensions import GraphMachine

from .definition import WorkflowDefinition


class _Diagram:
    """A stand-in model for drawing: GraphMachine needs one; database rows are never used."""


def mermaid(definition: WorkflowDefinition, translate: Callable[[str], str] = str) -> str:
    """Return the definition as a Mermaid ``stateDiagram-v2`` with translated titles."""
    machine = GraphMachine(
        model=_Diagram(),
        states=[{"name": s.id, "final": s.final} for s in definition.states.values()],
        transitions=[
            {"trigger": t.id, "source": list(t.sources), "dest": t.dest}
            for t in definition.transitions.values()
        ],
        initial=definition.initial,
        auto_transitions=False,
        graph_engine="mermaid",
        title=_quote(translate(definition.title)),
        show_state_attributes=False,
    )
    text = machine.get_graph().draw(None)
    lines = []
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("Class ") or stripped.startswith("classDef "):
            continue  # highlight colours of a "current state" mean nothing here
        if stripped.startswith('state "'):
            # state "draft" as draft  ->  state "Draft" as draft
            state_id = stripped.rsplit(" as ", 1)[1]
            if state_id in definition.states:
                title = _quote(translate(definition.states[state_id].title))
                line = f'  state "{title}" as {state_id}'
        elif "-->" in stripped and ":" in stripped:
            head, trigger = stripped.rsplit(":", 1)
            tr = definition.transitions.get(trigger.strip())
            if tr is not None:
                line = f"  {head.strip()}: {_quote(translate(tr.title))}"
        lines.append(line)
    return "\n".join(lines)


def _quote(text: str) -> str:
    return text.replace('"', "'").replace(":", " ").replace("\n", " ")
