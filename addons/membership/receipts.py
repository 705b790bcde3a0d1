"""Issuing, voiding and rendering tax receipts.

A number comes from the series' counter row, read FOR UPDATE in the issuing transaction:
a second issuer waits for the first to commit and takes the next number, so numbers are
gapless and unique on PostgreSQL (SQLite lets one writer at a time). A void marks the
receipt and keeps its number; the counter never goes back, so no number is reused.
"""
from __future__ import annotations

from datetime import date
from functools import cache
from decimal import Decimal
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from sqlalchemy import func, select

from core.db import db
from core.env import Env
from core.records.errors import AccessDenied, ValidationFailed

from addons.membership.days import today
from addons.membership.models import Donation
from addons.membership.models.receipts import Receipt

__all__ = ["gets_receipt", "valid_receipt_number", "issue_receipt", "issue_statement", "statement_donors",
           "void_receipt", "receipt_text", "receipt_pdf"]


def _require_issuer(env: Env) -> None:
    """Receipts are issued by who may update them (membership officers): their numbers come
    from the counter, never from a plain create."""
    if not env.records.policy.can("receipts", "update"):
        raise AccessDenied("issuing tax receipts is for membership officers")


def gets_receipt(donation: Donation) -> bool:
    """Whether a donation is one a receipt is issued for: received, tax-deductible, of a contact."""
    return donation.status == "received" and donation.tax_deductible and donation.contact_id is not None


def valid_receipt_number(donation_id: int) -> int | None:
    """The number of the donation's receipt that is not void, if it has one."""
    return db.session.scalar(select(Receipt.number).where(Receipt.donation_id == donation_id,
                                                          Receipt.status == "issued").limit(1))


def issue_receipt(env: Env, donation_id: int) -> Receipt:
    """A receipt for a received, tax-deductible donation of a contact (the caller commits);
    a donation with a receipt still valid is refused."""
    _require_issuer(env)
    donation = env.records.get("donations", donation_id)
    if not gets_receipt(donation):
        raise ValidationFailed({"donation_id": [
            "Only a received, tax-deductible donation of a contact gets a receipt."]})
    valid = valid_receipt_number(donation_id)
    if valid is not None:
        raise ValidationFailed({"donation_id": [f"Receipt {valid} covers this donation; void it to reissue."]})
    return env.sudo().records.create("receipts", {
        "kind": "donation", "contact_id": donation.contact_id,
        "donation_id": donation.id, "year": donation.received_on.year, "amount": donation.amount,
        "currency": donation.currency, "issued_on": today(env)})


def _deductible(year: int, currency: str) -> list[Any]:
    """Received tax-deductible gifts of calendar year `year` in `currency`."""
    return [["status", "=", "received"], ["tax_deductible", "=", True], ["currency", "=", currency],
            ["received_on", ">=", date(year, 1, 1)], ["received_on", "<=", date(year, 12, 31)]]


def issue_statement(env: Env, contact_id: int, year: int, currency: str = "EUR") -> Receipt:
    """A year-end statement: the contact's received tax-deductible gifts of `year` (the
    caller commits); a donor whose statement of that year is still valid is refused."""
    _require_issuer(env)
    env.records.get("contacts", contact_id)
    valid = db.session.scalar(select(Receipt.number).where(
        Receipt.contact_id == contact_id, Receipt.kind == "statement", Receipt.year == year,
        Receipt.currency == currency, Receipt.status == "issued"))
    if valid is not None:
        raise ValidationFailed({"year": [f"Statement {valid} covers {year}; void it to reissue."]})
    total = db.session.scalar(env.records.select("donations", [["contact_id", "=", contact_id],
                                                               *_deductible(year, currency)])
                              .with_only_columns(func.coalesce(func.sum(Donation.amount), 0)))
    if not total:
        raise ValidationFailed({"year": [f"No tax-deductible gifts in {currency} in {year}."]})
    return env.sudo().records.create("receipts", {
        "kind": "statement", "contact_id": contact_id, "year": year,
        "amount": Decimal(total), "currency": currency, "issued_on": today(env)})


def statement_donors(env: Env, year: int, currency: str = "EUR") -> list[int]:
    """The contacts (ids, in order) with tax-deductible gifts of `year` in `currency` and no
    valid statement of that year yet: who a year-end run issues statements to. One query."""
    gifts = env.records.subquery("donations", [["contact_id", "!=", None], *_deductible(year, currency)])
    covered = select(Receipt.contact_id).where(Receipt.kind == "statement", Receipt.year == year,
                                               Receipt.currency == currency, Receipt.status == "issued")
    return list(db.session.scalars(select(gifts.c.contact_id).where(gifts.c.contact_id.not_in(covered))
                                   .group_by(gifts.c.contact_id).order_by(gifts.c.contact_id)))


def void_receipt(env: Env, receipt_id: int, reason: str) -> Receipt:
    """Void a receipt, keeping its number (the caller commits)."""
    receipt = env.records.get("receipts", receipt_id, operation="update")
    if receipt.status == "void":
        raise ValidationFailed({"status": [f"Receipt {receipt.number} is void already."]})
    if not reason.strip():
        raise ValidationFailed({"void_reason": ["Say why the receipt is void."]})
    return env.sudo().records.update("receipts", receipt.id, {"status": "void", "voided_at": env.now(),
                                                              "void_reason": reason.strip()})


@cache
def _templates() -> Environment:
    """The addon's plain-text templates (a PDF is not HTML: nothing to escape)."""
    return Environment(loader=PackageLoader("addons.membership"), autoescape=False, undefined=StrictUndefined,
                       keep_trailing_newline=True)


def receipt_text(env: Env, receipt: Receipt) -> str:
    """The receipt's text: the `membership/receipt.txt` template with its donor and gifts."""
    donor = env.records.get("contacts", receipt.contact_id)
    gifts: list[Any] = []
    if receipt.kind == "statement":
        gifts = list(db.session.scalars(env.records.select("donations", [
            ["contact_id", "=", receipt.contact_id], *_deductible(receipt.year, receipt.currency)])
            .order_by(Donation.received_on)))
    elif receipt.donation_id is not None:
        gifts = [env.records.get("donations", receipt.donation_id)]
    return _templates().get_template("membership/receipt.txt").render(receipt=receipt, donor=donor, gifts=gifts)


def receipt_pdf(env: Env, receipt: Receipt) -> bytes:
    """The receipt as a PDF: the lines of its text on an A4 page."""
    from fpdf import FPDF  # imported when a PDF is asked for: it would add 0.2 s to every start

    text = receipt_text(env, receipt)
    document = FPDF(format="A4")
    document.add_page()
    document.set_font("Helvetica", size=11)
    for line in text.splitlines():
        document.multi_cell(0, 6, line.encode("latin-1", "replace").decode("latin-1") or " ",
                            new_x="LMARGIN", new_y="NEXT")
    return bytes(document.output())
