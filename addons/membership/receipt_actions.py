"""Tax receipts in the API, for membership officers:

- `POST /api/v1/donations/<id>/receipt`: the donation's receipt, issued with the next number;
- `POST /api/v1/contacts/<id>/statement` with `{"year": 2026, "currency": "EUR"}`: the
  donor's year-end statement;
- `POST /api/v1/receipts/<id>/void` with `{"reason": "..."}`: void it, keeping its number;
- `POST /api/v1/receipts/<id>/email`: mail its PDF to the donor (`receipt_mail`).

Each answers the receipt's id, number and status; what cannot be issued is a 422 saying why.
"""
from __future__ import annotations

from typing import Any, Mapping

from marshmallow import Schema, fields, validate

from core.api.actions import ApiAction
from core.env import Env

from addons.membership.receipt_mail import email_receipt
from addons.membership.receipts import issue_receipt, issue_statement, void_receipt

__all__ = ["receipt_actions"]


class StatementBody(Schema):
    """The year (and currency) of a year-end statement."""

    year = fields.Integer(required=True, validate=validate.Range(min=1900, max=2200),
                          metadata={"description": "The calendar year of the gifts"})
    currency = fields.String(load_default="EUR", validate=validate.Regexp(r"^[A-Z]{3}$"),
                             metadata={"description": "The gifts' currency (default EUR)"})


class VoidBody(Schema):
    """Why a receipt is void."""

    reason = fields.String(required=True, validate=validate.Length(min=1, max=500))


def _answer(receipt: Any) -> Mapping[str, Any]:
    return {"receipt_id": receipt.id, "number": receipt.number, "status": receipt.status}


def _issue(env: Env, donation: Any, _payload: Mapping[str, Any]) -> Mapping[str, Any]:
    return _answer(issue_receipt(env, donation.id))


def _statement(env: Env, contact: Any, payload: Mapping[str, Any]) -> Mapping[str, Any]:
    return _answer(issue_statement(env, contact.id, payload["year"], payload["currency"]))


def _void(env: Env, receipt: Any, payload: Mapping[str, Any]) -> Mapping[str, Any]:
    return _answer(void_receipt(env, receipt.id, payload["reason"]))


def _email(env: Env, receipt: Any, _payload: Mapping[str, Any]) -> Mapping[str, Any]:
    message = email_receipt(env, receipt.id)
    return {"receipt_id": receipt.id, "message_id": message.id, "status": message.status}


def receipt_actions() -> list[ApiAction]:
    """Issue a donation's receipt or a donor's statement; void or email a receipt."""
    return [
        ApiAction("donations", "receipt", _issue, summary="Issue the donation's tax receipt", operation="read"),
        ApiAction("contacts", "statement", _statement, body=StatementBody, operation="read",
                  summary="Issue the donor's year-end statement of their tax-deductible gifts"),
        ApiAction("receipts", "void", _void, body=VoidBody, summary="Void the receipt, keeping its number"),
        ApiAction("receipts", "email", _email, summary="Email the receipt's PDF to its donor"),
    ]
