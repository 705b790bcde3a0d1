"""Administration of webhooks: the subscriptions with their state, one subscription with its
delivery log (response codes, errors), and re-enabling one that repeated failures turned off."""
from __future__ import annotations

from flask import flash, redirect, request
from werkzeug.wrappers import Response

from core.db import db
from core.records.errors import Conflict
from core.webhooks.models import DELIVERY_STATUSES
from core.web.blueprint import render_page, web
from core.web.rendering import user_zone
from core.web.security import login_required, require_admin

__all__ = ["webhooks_page", "webhook_page", "enable_webhook"]

PAGE = 50


@web.get("/admin/webhooks")
@login_required
def webhooks_page() -> tuple[str, int]:
    """Every subscription: where it posts, what it wants, whether it is on, its last response."""
    env = require_admin()
    subscriptions = env.records.search("webhook_subscriptions", limit=500).records
    return render_page("admin/webhooks.html", subscriptions=subscriptions, zone=user_zone(env))


@web.get("/admin/webhooks/<int:subscription_id>")
@login_required
def webhook_page(subscription_id: int) -> tuple[str, int]:
    """One subscription and its deliveries, newest first, optionally of one status."""
    env = require_admin()
    subscription = env.records.get("webhook_subscriptions", subscription_id)
    status = request.args.get("status") if request.args.get("status") in dict(DELIVERY_STATUSES) else None
    domain: list = [["subscription_id", "=", subscription_id]] + ([["status", "=", status]] if status else [])
    page = env.records.search("webhook_deliveries", domain, limit=PAGE, cursor=request.args.get("cursor") or None)
    return render_page("admin/webhook.html", subscription=subscription, deliveries=page.records,
                       next_cursor=page.next_cursor, statuses=DELIVERY_STATUSES, status=status, zone=user_zone(env))


@web.post("/admin/webhooks/<int:subscription_id>/enable")
@login_required
def enable_webhook(subscription_id: int) -> Response:
    """Turn a disabled subscription back on; its failure count starts again from zero."""
    env = require_admin()
    try:
        subscription = env.records.update("webhook_subscriptions", subscription_id, {"active": True},
                                          version=request.form.get("version", type=int))
    except Conflict as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(f"/admin/webhooks/{subscription_id}", code=303)
    db.session.commit()
    flash(f"Webhook {subscription.name} is active again; new events will be delivered.", "success")
    return redirect(f"/admin/webhooks/{subscription_id}", code=303)
