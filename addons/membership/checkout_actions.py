"""What an officer does with a member's online payment: settle it when the money arrived
by another way than a processor's notification (a bank transfer, a notification lost),
or cancel it; as API actions and as buttons on the payment's page.

- `POST /api/v1/membership_checkouts/<id>/settle` with `{"paid_on": "YYYY-MM-DD",
  "bank_reference": "..."}` (both optional: today, none) records the membership's
  payment of the checkout's amount;
- `POST /api/v1/membership_checkouts/<id>/cancel` cancels an open one.
"""
from __future__ import annotations

from typing import Any, Mapping

from flask import Blueprint, flash, redirect, render_template
from flask_babel import gettext
from marshmallow import Schema, fields, validate
from werkzeug.wrappers import Response

from core.api.actions import ApiAction
from core.declarations import DetailPanel, QuickAction
from core.env import Env
from core.web.actions import commit_or_flash
from core.web.security import login_required, web_env

from addons.membership.checkout import Settlement, cancel_checkout, settle_checkout

__all__ = ["settle_by_officer", "checkout_actions", "checkout_panels", "blueprint"]

blueprint = Blueprint("membership_checkouts_web", __name__)


class SettleBody(Schema):
    """What an officer says of the money received (both optional)."""

    paid_on = fields.Date(metadata={"description": "The day the money arrived (default: today)"})
    bank_reference = fields.String(validate=validate.Length(min=1, max=120),
                                   metadata={"description": "The bank's or processor's reference of the payment"})


def settle_by_officer(env: Env, checkout_id: int, payload: Mapping[str, Any]) -> Any:
    """Settle an online payment the user may update, for its whole amount (the caller
    commits); returns the membership's payment."""
    checkout = env.records.get("membership_checkouts", checkout_id, operation="update")
    settlement = Settlement(checkout.reference, checkout.amount, checkout.currency, payload.get("bank_reference"))
    return settle_checkout(env, settlement, checkout.processor, paid_on=payload.get("paid_on"))


def _settle(env: Env, checkout: Any, payload: Mapping[str, Any]) -> Mapping[str, Any]:
    payment = settle_by_officer(env, checkout.id, payload)
    return {"checkout_id": checkout.id, "status": "paid", "payment_id": payment.id,
            "period_end": payment.period_end.isoformat()}


def _cancel(env: Env, checkout: Any, payload: Mapping[str, Any]) -> Mapping[str, Any]:
    return {"checkout_id": checkout.id, "status": cancel_checkout(env, checkout.id).status}


def checkout_actions() -> list[ApiAction]:
    """Settle or cancel an online payment."""
    return [ApiAction("membership_checkouts", "settle", _settle, body=SettleBody,
                      summary="Record the payment of an online payment whose money arrived"),
            ApiAction("membership_checkouts", "cancel", _cancel, summary="Cancel an online payment still awaited")]


def _render(env: Env, checkout: Any) -> str:
    return render_template("membership/checkout_panel.html", checkout=checkout,
                           instructions=str(env.platform.settings["membership_transfer_instructions"]).strip())


def checkout_panels() -> list[DetailPanel]:
    """What became of the payment; its "Money received" and "Cancel" buttons while it is awaited."""
    awaited = (lambda checkout: checkout.status in ("open", "expired"))
    buttons = (QuickAction("Money received", awaited, post="/membership/checkouts/{id}/settle", style="primary"),
               QuickAction("Cancel", lambda checkout: checkout.status == "open",
                           post="/membership/checkouts/{id}/cancel"))
    return [DetailPanel("membership.checkout_actions", "Payment", lambda resource: resource == "membership_checkouts",
                        _render, quick_actions=buttons, position=10)]


def _done(checkout_id: int, act: Any, success: str) -> Response:
    env = web_env()
    if commit_or_flash(lambda: act(env)) is not None:
        flash(success, "success")
    return redirect(f"/m/membership_checkouts/{checkout_id}", code=303)


@blueprint.post("/membership/checkouts/<int:checkout_id>/settle")
@login_required
def settle(checkout_id: int) -> Response:
    """The "Money received" button: the payment recorded today, the membership renewed."""
    return _done(checkout_id, lambda env: settle_by_officer(env, checkout_id, {}),
                 gettext("Payment recorded: the membership is renewed."))


@blueprint.post("/membership/checkouts/<int:checkout_id>/cancel")
@login_required
def cancel(checkout_id: int) -> Response:
    """The "Cancel" button."""
    return _done(checkout_id, lambda env: cancel_checkout(env, checkout_id),
                 gettext("The online payment is cancelled."))
