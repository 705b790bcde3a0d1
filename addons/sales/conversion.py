"""Converting a lead: link or create the account and contact (duplicate detection from
contacts), create the opportunity with the lead's data, and keep links to all three."""
from __future__ import annotations

from datetime import timedelta
from typing import Any, Mapping

from core.env import Env
from core.events import emit
from core.records.errors import RecordError, ValidationFailed

from addons.contacts.duplicates import find_duplicates
from addons.contacts.models import Account, Contact
from addons.sales import signals
from addons.sales.models import Lead

__all__ = ["convert_lead", "conversion_preview", "AlreadyConverted", "DEFAULT_CLOSE_DAYS"]

#: Expected close of a new opportunity when the converter does not give one.
DEFAULT_CLOSE_DAYS = 30
_ADDRESS = ("street", "city", "postcode", "region", "country")


class AlreadyConverted(RecordError):
    """A lead is converted once; converting it again is refused (409)."""

    status = 409

    def __init__(self, lead: Lead) -> None:
        when = f" on {lead.converted_at:%Y-%m-%d}" if lead.converted_at else ""
        super().__init__(
            f"lead #{lead.id} was already converted{when} into opportunity #{lead.opportunity_id} "
            f"(account #{lead.account_id}, contact #{lead.contact_id}): work on that opportunity instead")


def _candidate_account(lead: Lead) -> Account:
    return Account(name=lead.company_name or lead.person or lead.email, industry=lead.industry,
                   website=lead.website, phone=lead.phone, **{name: getattr(lead, name) for name in _ADDRESS})


def _candidate_contact(lead: Lead, account_id: int | None) -> Contact:
    last = lead.last_name or lead.first_name or (lead.email or "").split("@")[0] or lead.title
    return Contact(first_name=lead.first_name if lead.last_name else None, last_name=last, email=lead.email,
                   phone=lead.phone, title=lead.job_title, account_id=account_id,
                   **{name: getattr(lead, name) for name in _ADDRESS})


def _account(env: Env, lead: Lead, options: Mapping[str, Any]) -> tuple[Any, str]:
    """(account, how it was found): chosen, the lead's contact's, a duplicate, or new."""
    if options.get("account_id"):
        return env.records.get("accounts", int(options["account_id"])), "chosen"
    if lead.contact_id and not lead.company_name:
        contact = env.records.get("contacts", lead.contact_id)
        if contact.account_id:
            return env.records.get("accounts", contact.account_id), "account of the lead's contact"
    candidate = _candidate_account(lead)
    if lead.company_name:
        found = find_duplicates(env, candidate)
        if found:
            return found[0][0], found[0][1]
    values = {column: getattr(candidate, column) for column in ("name", "industry", "website", "phone", *_ADDRESS)}
    values = {key: value for key, value in values.items() if value not in (None, "")}
    return env.records.create("accounts", {**values, "owner_id": lead.owner_id or _me(env)}), "created"


def _contact(env: Env, lead: Lead, account: Any, options: Mapping[str, Any]) -> tuple[Any, str]:
    """(contact, how it was found): chosen, the lead's own, a duplicate, or new."""
    if options.get("contact_id"):
        return env.records.get("contacts", int(options["contact_id"])), "chosen"
    if lead.contact_id:
        contact = env.records.get("contacts", lead.contact_id)
        if contact.account_id is None:
            env.records.update("contacts", contact.id, {"account_id": account.id})
        return contact, "the lead's contact"
    candidate = _candidate_contact(lead, account.id)
    found = find_duplicates(env, candidate)
    if found:
        return found[0][0], found[0][1]
    values = {column: getattr(candidate, column) for column in
              ("first_name", "last_name", "email", "phone", "title", "account_id", *_ADDRESS)}
    values = {key: value for key, value in values.items() if value not in (None, "")}
    return env.records.create("contacts", {**values, "owner_id": lead.owner_id or _me(env)}), "created"


def _me(env: Env) -> int | None:
    return env.user.id if env.user is not None else None


def _opportunity_values(env: Env, lead: Lead, account: Any, contact: Any, options: Mapping[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {
        "name": options.get("name") or lead.title, "account_id": account.id, "contact_id": contact.id,
        "amount": options.get("amount") if options.get("amount") is not None else (lead.expected_amount or 0),
        "currency": lead.currency, "source": lead.source, "utm_campaign": lead.utm_campaign,
        "utm_medium": lead.utm_medium, "utm_source": lead.utm_source, "owner_id": lead.owner_id or _me(env),
        "team_id": lead.team_id, "notes": lead.notes, "tags": [tag.name for tag in lead.tags],
        "close_date": options.get("close_date") or (env.now().date() + timedelta(days=DEFAULT_CLOSE_DAYS)).isoformat(),
        **{name: getattr(lead, name) for name in _ADDRESS},
    }
    if options.get("stage_id"):
        values["stage_id"] = options["stage_id"]
    return {key: value for key, value in values.items() if value is not None}


def convert_lead(env: Env, lead: Lead, options: Mapping[str, Any]) -> dict[str, Any]:
    """Convert `lead` as the acting user; returns what was linked or created, and why.

    :param options: optional `account_id`, `contact_id` (link these instead of looking
        for duplicates), `name`, `amount`, `close_date`, `stage_id` of the opportunity,
        `role` of the contact in it.
    :raises AlreadyConverted: the lead was converted before (nothing is changed).
    """
    # Hold the lead while converting: a second conversion at the same moment waits here,
    # then finds it converted, rather than failing on the lead's version at the end.
    lead = env.records.get("leads", lead.id, lock=True)
    if lead.status == "converted" or lead.opportunity_id is not None:
        raise AlreadyConverted(lead)
    role = options.get("role")
    if role is not None and not isinstance(role, str):
        raise ValidationFailed({"role": ["Give a buying role such as decision_maker."]})
    account, account_how = _account(env, lead, options)
    contact, contact_how = _contact(env, lead, account, options)
    opportunity = env.records.create("opportunities", _opportunity_values(env, lead, account, contact, options))
    env.records.create("opportunity_contacts", {"opportunity_id": opportunity.id, "contact_id": contact.id,
                                                "role": role})
    platform = env.sudo()
    platform.records.update("leads", lead.id, {
        "status": "converted", "converted_at": env.now().isoformat(), "account_id": account.id,
        "contact_id": contact.id, "opportunity_id": opportunity.id,
    })
    platform.records.create("interactions", {
        "channel": "note", "direction": "internal", "subject": f"Lead converted: {opportunity.name}",
        "body": f"Account {account.name} ({account_how}), contact {contact.full_name} ({contact_how}).",
        "occurred_at": env.now().isoformat(), "contact_id": contact.id, "account_id": account.id,
        "related_model": "opportunities", "related_id": opportunity.id, "user_id": _me(env),
    })
    emit(signals.lead_converted, "leads", lead=lead, env=env, account=account, contact=contact,
         opportunity=opportunity)
    return {
        "lead": {"id": lead.id, "status": lead.status},
        "account": {"id": account.id, "name": account.name, "how": account_how},
        "contact": {"id": contact.id, "name": contact.full_name, "how": contact_how},
        "opportunity": {"id": opportunity.id, "name": opportunity.name},
    }


def conversion_preview(env: Env, lead: Lead) -> dict[str, Any]:
    """What converting would link (existing account and contact) without writing anything."""
    account = None
    if lead.company_name:
        found = find_duplicates(env, _candidate_account(lead))
        account = found[0] if found else None
    contact = None
    if lead.contact_id is None:
        found = find_duplicates(env, _candidate_contact(lead, account[0].id if account else None))
        contact = found[0] if found else None
    return {"account": account, "contact": contact}
