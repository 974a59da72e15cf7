"""Webhooks: registered by the secretariat, and an event queued for each webhook that asked
for it, in the transaction of the transition it reports (the engine's signal): a transition
rolled back queues nothing, one committed queues exactly one delivery per webhook."""

from __future__ import annotations

import secrets
import uuid
from typing import Any

import sqlalchemy as sa

from ..extensions import db
from ..i18n import gettext as _
from ..notifications.operations import absolute_url
from ..timeutil import utcnow
from ..workflow.registry import binding_for, bound_models, registry
from ..workflow.security import remembered
from .models import Webhook, WebhookDelivery


def event_choices() -> list[tuple[str, str]]:
    """Every event a webhook may ask for: each transition of each workflow bound to a
    model, as ``<workflow>.<transition>`` with its titles in the reader's language; not one
    into a state under embargo (a decision before its announcement)."""
    choices = []
    for definition in registry().definitions.values():
        if definition.id not in bound_models():
            continue
        for transition in definition.transitions.values():
            if definition.states[transition.dest].embargo is not None:
                continue  # a decision kept from those it concerns: told at its announcement
            label = _(
                "%(workflow)s: %(transition)s",
                workflow=_(definition.title),
                transition=_(transition.title),
            )
            choices.append((f"{definition.id}.{transition.id}", label))
    return choices


def create_webhook(url: str, events: list[str], description: str, actor: Any) -> Webhook:
    webhook = Webhook(
        url=url.strip(),
        events=sorted(set(events)),
        description=description.strip(),
        secret=secrets.token_hex(32),
        created_by_id=getattr(actor, "id", None),
    )
    db.session.add(webhook)
    db.session.flush()
    return webhook


def _listening() -> list[tuple[int, frozenset[str]]]:
    """The active webhooks and their events, read once per request (or bulk action)."""
    rows = db.session.execute(sa.select(Webhook.id, Webhook.events).where(Webhook.active))
    return [(webhook_id, frozenset(events or ())) for webhook_id, events in rows]


def on_transition(obj, definition, transition, event, actor) -> None:
    """Queue the event for every active webhook that asked for it (engine signal)."""
    name = f"{definition.id}.{transition.id}"
    if definition.states[transition.dest].embargo is not None:
        return
    listening = [w for w, events in remembered(("webhooks",), _listening) if name in events]
    if not listening:
        return
    binding = binding_for(obj)
    payload = {
        "event": name,
        "occurred_at": (event.at or utcnow()).isoformat() + "Z",
        "object": {
            "workflow": definition.id,
            "id": obj.id,
            "state": transition.dest,
            "url": absolute_url(binding.endpoint, **{binding.arg: obj.id}),
        },
        "transition": {
            "id": transition.id,
            "from": event.from_state,
            "to": event.to_state,
        },
    }
    for webhook_id in listening:
        delivery = str(uuid.uuid4())
        db.session.add(
            WebhookDelivery(
                webhook_id=webhook_id,
                event_id=event.id,
                event=name,
                delivery_id=delivery,
                payload={**payload, "delivery": delivery},
                created_at=utcnow(),
            )
        )


def send_again(delivery: WebhookDelivery) -> None:
    """Queue a failed delivery again, for a fresh round of attempts (same delivery id)."""
    delivery.status = "queued"
    delivery.attempts = 0
    delivery.next_attempt_at = utcnow()
    delivery.lease_until = None
    delivery.lease_owner = None
