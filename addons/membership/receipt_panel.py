"""Tax receipts in the back office, doing what the API actions do (`receipt_actions`):
a donation's page shows its receipts with an "Issue receipt" button; a receipt's page the
messages that sent it, the "Email to the donor" button, and a form to void it with the
reason."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request
from flask_babel import gettext
from werkzeug.wrappers import Response

from core.db import db
from core.declarations import DetailPanel, QuickAction
from core.mail.models import MailMessage
from core.web.actions import commit_or_flash
from core.web.security import login_required, web_env

from addons.membership.models import Receipt
from addons.membership.receipt_mail import email_receipt
from addons.membership.receipts import gets_receipt, issue_receipt, valid_receipt_number, void_receipt

__all__ = ["blueprint", "receipt_panels"]

blueprint = Blueprint("membership_web", __name__)


def _sent(env: Any, receipt: Any) -> str:
    """The messages that sent the receipt, for who reads the mail log (officers may not:
    they still get the panel, and its button)."""
    if not env.records.policy.can("mail_messages", "read"):
        return render_template("membership/receipt_panel.html", messages=None)
    statement = env.records.select("mail_messages", [["related_model", "=", "receipts"], ["related_id", "=", receipt.id]])
    messages = db.session.scalars(statement.order_by(MailMessage.id.desc()).limit(20)).all()
    return render_template("membership/receipt_panel.html", messages=messages)


def _void_form(env: Any, receipt: Any) -> str:
    if receipt.status != "issued" or not env.records.allows("receipts", receipt.id, "update"):
        return ""
    return render_template("membership/receipt_void.html", receipt=receipt)


def _donation_receipts(env: Any, donation: Any) -> str:
    if not env.records.policy.can("receipts", "read"):
        return ""
    receipts = db.session.scalars(env.records.select("receipts", [["donation_id", "=", donation.id]])
                                  .order_by(Receipt.number.desc())).all()
    return render_template("membership/donation_receipts.html", receipts=receipts, eligible=gets_receipt(donation))


def _receiptable(donation: Any) -> bool:
    """A received, tax-deductible gift of a contact with no valid receipt yet."""
    return gets_receipt(donation) and valid_receipt_number(donation.id) is None


def receipt_panels() -> list[DetailPanel]:
    """A donation's receipts with "Issue receipt"; a receipt's sendings with "Email to the
    donor", and its void form."""
    send = QuickAction("Email to the donor", lambda receipt: receipt.status == "issued",
                       post="/membership/receipts/{id}/email", style="primary")
    void = QuickAction("Void", lambda receipt: receipt.status == "issued", focus="reason", style="danger")
    issue = QuickAction("Issue receipt", _receiptable, post="/membership/donations/{id}/receipt", style="primary",
                        allowed=lambda env, donation: env.records.policy.can("receipts", "update"))
    return [DetailPanel("membership.receipt_mail", "Sent to the donor", lambda resource: resource == "receipts",
                        _sent, quick_actions=(send,), position=30),
            DetailPanel("membership.receipt_void", "Void this receipt", lambda resource: resource == "receipts",
                        _void_form, quick_actions=(void,), position=40),
            DetailPanel("membership.donation_receipts", "Tax receipt", lambda resource: resource == "donations",
                        _donation_receipts, quick_actions=(issue,), position=30)]


@blueprint.post("/membership/donations/<int:donation_id>/receipt")
@login_required
def issue(donation_id: int) -> Response:
    """The "Issue receipt" button: the receipt's page, or the donation's with why not."""
    env = web_env()
    receipt = commit_or_flash(lambda: issue_receipt(env, donation_id))
    if receipt is None:
        return redirect(f"/m/donations/{donation_id}", code=303)
    flash(gettext("Receipt no. %(number)s issued.", number=receipt.number), "success")
    return redirect(f"/m/receipts/{receipt.id}", code=303)


@blueprint.post("/membership/receipts/<int:receipt_id>/void")
@login_required
def void(receipt_id: int) -> Response:
    """The void form: the receipt void with the reason given, its number kept."""
    env = web_env()
    if commit_or_flash(lambda: void_receipt(env, receipt_id, request.form.get("reason", ""))) is not None:
        flash(gettext("The receipt is void; its number is not used again."), "success")
    return redirect(f"/m/receipts/{receipt_id}", code=303)


@blueprint.post("/membership/receipts/<int:receipt_id>/email")
@login_required
def email(receipt_id: int) -> Response:
    """The "Email to the donor" button: the receipt's PDF mailed, or why it cannot be."""
    env = web_env()
    message = commit_or_flash(lambda: email_receipt(env, receipt_id))
    if message is not None and message.status == "suppressed":
        flash("Not sent: the donor does not accept email.", "error")
    elif message is not None:
        flash(f"Receipt mailed to {message.to_address}.", "success")
    return redirect(f"/m/receipts/{receipt_id}", code=303)
