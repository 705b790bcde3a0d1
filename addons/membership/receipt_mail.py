"""A tax receipt emailed to its donor, its PDF attached.

The PDF is kept as a file of the receipt (core.attachments: the back office shows it
beside the receipt) and the message carries that file. The kernel's mail logs the
message as suppressed, and never sends it, when the donor withdrew email consent.
"""
from __future__ import annotations

from core.attachments import attach
from core.env import Env
from core.mail.models import MailMessage
from core.mail.outbound import send_mail
from core.records.errors import ValidationFailed

from addons.membership.receipts import receipt_pdf

__all__ = ["email_receipt"]

_SUBJECT = "Your tax receipt no. {{ values.number }}"
_TEXT = ("Dear {{ values.name }},\n\nthank you for your support. Your tax receipt no. {{ values.number }} "
         "({{ values.amount }} {{ values.currency }}) is attached.\n")


def email_receipt(env: Env, receipt_id: int) -> MailMessage:
    """Mail an issued receipt the user may update to its donor, its PDF attached (the
    caller commits). A void receipt, or a donor without an email, is refused."""
    receipt = env.records.get("receipts", receipt_id, operation="update")
    if receipt.status != "issued":
        raise ValidationFailed({"status": [f"Receipt {receipt.number} is void: issue another one to send."]})
    donor = env.records.get("contacts", receipt.contact_id)
    if not donor.email:
        raise ValidationFailed({"contact_id": ["The donor has no email address: add one to send the receipt."]})
    name = " ".join(part for part in (donor.first_name, donor.last_name) if part)
    system = env.sudo()  # the platform files its own document on the receipt
    pdf = attach(system, "receipts", receipt.id, f"receipt-{receipt.number}.pdf", receipt_pdf(env, receipt))
    return send_mail(system, donor.email, subject=_SUBJECT, text=_TEXT, to_name=name, track=False,
                     record=("receipts", receipt.id), recipient=("contacts", donor.id), attachments=[pdf.id],
                     values={"name": name, "number": str(receipt.number), "amount": f"{receipt.amount:,.2f}",
                             "currency": receipt.currency})
