"""The secretariat's webhooks page: register an address for events (its secret shown once),
switch one off or on, and read each delivery's outcome; send a failed one again."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from ..extensions import db
from ..i18n import gettext as _
from ..timeutil import utcnow
from ..web import paginate
from ..workflow.security import require
from . import bp
from .forms import WebhookForm
from .models import Webhook, WebhookDelivery
from .operations import create_webhook, event_choices, send_again


@bp.route("/secretariat/webhooks", methods=["GET", "POST"])
@login_required
def webhooks():
    require("run_campaign")
    form = WebhookForm()
    made = None
    if form.validate_on_submit():
        made = create_webhook(form.url.data, form.events.data, form.description.data, current_user)
        db.session.commit()
        form = WebhookForm(formdata=None)
    counts = dict(
        db.session.execute(
            sa.select(WebhookDelivery.webhook_id, sa.func.count())
            .where(WebhookDelivery.status == "failed")
            .group_by(WebhookDelivery.webhook_id)
        ).all()
    )
    return render_template(
        "webhooks/index.html",
        form=form,
        made=made,
        webhooks=db.session.scalars(sa.select(Webhook).order_by(Webhook.id.desc())).all(),
        failed=counts,
        events=dict(event_choices()),
        retry_hours=current_app.config["RECOGNITION_MAIL_RETRY_HOURS"],
    )


@bp.get("/secretariat/webhooks/<int:webhook_id>")
@login_required
def deliveries(webhook_id: int):
    require("run_campaign")
    webhook = db.get_or_404(Webhook, webhook_id)
    page = paginate(
        sa.select(WebhookDelivery)
        .where(WebhookDelivery.webhook_id == webhook.id)
        .order_by(WebhookDelivery.id.desc())
    )
    return render_template(
        "webhooks/deliveries.html", webhook=webhook, page=page, events=dict(event_choices())
    )


@bp.post("/secretariat/webhooks/<int:webhook_id>/switch")
@login_required
def switch(webhook_id: int):
    require("run_campaign")
    webhook = db.get_or_404(Webhook, webhook_id)
    webhook.active = not webhook.active
    if webhook.active:  # what waited while it was off goes out now
        db.session.execute(
            sa.update(WebhookDelivery)
            .where(WebhookDelivery.webhook_id == webhook.id, WebhookDelivery.status == "queued")
            .values(next_attempt_at=utcnow())
        )
    db.session.commit()
    if webhook.active:
        flash(_("The webhook is on: it is told of its events from now on."), "success")
    else:
        flash(_("The webhook is off: it is told of nothing until switched on."), "info")
    return redirect(url_for("webhooks.webhooks"), 303)


@bp.post("/secretariat/webhooks/deliveries/<int:delivery_id>/again")
@login_required
def again(delivery_id: int):
    require("run_campaign")
    delivery = db.get_or_404(WebhookDelivery, delivery_id)
    if delivery.status != "failed":
        abort(409)
    send_again(delivery)
    db.session.commit()
    flash(_("The delivery is queued again."), "success")
    return redirect(url_for("webhooks.deliveries", webhook_id=delivery.webhook_id), 303)
