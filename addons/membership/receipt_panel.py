"""A receipt's page in the back office: the messages that sent it, and the "Email to the
donor" button (the same sending as `POST /api/v1/receipts/<id>/email`)."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template
from werkzeug.wrappers import Response

from core.db import db
from core.declarations import DetailPanel, QuickAction
from core.mail.models import MailMessage
from core.records.errors import RecordError
from core.web.security import login_required, web_env

from addons.membership.receipt_mail import email_receipt

__all__ = ["blueprint", "receipt_panels"]

blueprint = Blueprint("membership_web", __name__)


def _sent(env: Any, receipt: Any) -> str:
    statement = env.records.select("mail_messages", [["related_model", "=", "receipts"], ["related_id", "=", receipt.id]])
    messages = db.session.scalars(statement.order_by(MailMessage.id.desc()).limit(20)).all()
    return render_template("membership/receipt_panel.html", messages=messages)


def receipt_panels() -> list[DetailPanel]:
    """The receipt's sendings, with the button mailing it to its donor."""
    send = QuickAction("Email to the donor", lambda receipt: receipt.status == "issued",
                       post="/membership/receipts/{id}/email", style="primary")
    return [DetailPanel("membership.receipt_mail", "Sent to the donor", lambda resource: resource == "receipts",
                        _sent, quick_actions=(send,), position=30)]


@blueprint.post("/membership/receipts/<int:receipt_id>/email")
@login_required
def email(receipt_id: int) -> Response:
    """The "Email to the donor" button: the receipt's PDF mailed, or why it cannot be."""
    env = web_env()
    try:
        message = email_receipt(env, receipt_id)
        db.session.commit()
        if message.status == "suppressed":
            flash("Not sent: the donor does not accept email.", "error")
        else:
            flash(f"Receipt mailed to {message.to_address}.", "success")
    except RecordError as error:
        db.session.rollback()
        flash(error.reason, "error")
    return redirect(f"/m/receipts/{receipt_id}", code=303)
