"""Which open deals and other registrations are about the same customer as a registration.

The same customer is recognised by its domain (the registration's website or its
contact's email against accounts' websites and contacts' emails), by its company name
(equal or close once legal forms and punctuation are set aside) and by its contact's
email. Candidates are narrowed in SQL (a domain, an email, the name's longest word);
only the few found are compared by name similarity.
"""
from __future__ import annotations

import re
from difflib import SequenceMatcher
from typing import Any

from core.db import db
from core.env import Env

from addons.partners.models import DealRegistration
from addons.partners.models.registrations import domain_of
from addons.sales.models import Opportunity

__all__ = ["find_conflicts", "company_key", "similar_names", "SIMILARITY"]

#: How close two company keys must be (difflib ratio) to count as the same customer.
SIMILARITY = 0.85
#: Words that say a company's legal form, not which company it is.
_LEGAL_FORMS = frozenset({"inc", "ltd", "llc", "sa", "sas", "sarl", "gmbh", "ag", "bv", "nv", "corp", "corporation",
                          "company", "co", "group", "plc", "limited", "the", "srl", "spa"})
#: Registrations still in play: a rejected or expired one is no conflict.
_LIVE = ["submitted", "approved"]
_CANDIDATES = 200


def company_key(name: str | None) -> str:
    """"acme" for "ACME, Inc." and "The Acme Corporation": lower case, letters and digits,
    legal forms left out."""
    words = re.sub(r"[^0-9a-z]+", " ", (name or "").lower()).split()
    return " ".join(word for word in words if word not in _LEGAL_FORMS)


def similar_names(first: str | None, second: str | None) -> bool:
    """Whether two company names are the same company's, spelt alike or nearly."""
    a, b = company_key(first), company_key(second)
    return bool(a and b) and (a == b or SequenceMatcher(None, a, b).ratio() >= SIMILARITY)


def _longest_word(name: str) -> str | None:
    words = sorted(company_key(name).split(), key=len, reverse=True)
    return words[0] if words and len(words[0]) >= 3 else None


def _reasons(registration: DealRegistration, name: str | None, domains: set[str | None],
             emails: set[str | None]) -> list[str]:
    reasons = []
    own_domain = registration.customer_domain or domain_of(registration.contact_email)
    if own_domain and own_domain in domains:
        reasons.append(f"same domain {own_domain}")
    if similar_names(registration.customer_name, name):
        reasons.append(f"similar name {name}")
    if registration.contact_email and registration.contact_email in emails:
        reasons.append(f"same contact {registration.contact_email}")
    return reasons


def _registrations(env: Env, registration: DealRegistration) -> list[dict[str, Any]]:
    domain = registration.customer_domain or domain_of(registration.contact_email)
    word = _longest_word(registration.customer_name)
    near: list[Any] = [["customer_name", "ilike", f"%{word}%"]] if word else []
    if domain:
        near.append(["customer_domain", "=", domain])
    if registration.contact_email:
        near.append(["contact_email", "=", registration.contact_email])
    if not near:
        return []
    statement = env.records.select("deal_registrations", [["id", "!=", registration.id], ["status", "in", _LIVE],
                                                          {"or": near}]).order_by(DealRegistration.id)
    found = []
    for other in db.session.scalars(statement.limit(_CANDIDATES)):
        reasons = _reasons(registration, other.customer_name,
                           {other.customer_domain, domain_of(other.contact_email)}, {other.contact_email})
        if reasons:
            found.append({"kind": "registration", "id": other.id, "name": other.customer_name,
                          "partner": other.partner.name, "status": other.status, "reasons": reasons})
    return found


def _opportunities(env: Env, registration: DealRegistration) -> list[dict[str, Any]]:
    domain = registration.customer_domain or domain_of(registration.contact_email)
    word = _longest_word(registration.customer_name)
    near: list[Any] = [["account.name", "ilike", f"%{word}%"]] if word else []
    if domain:
        near += [["account.website", "ilike", f"%{domain}%"], ["contact.email", "ilike", f"%@{domain}"],
                 ["account.contacts.email", "ilike", f"%@{domain}"]]
    if registration.contact_email:
        near.append(["account.contacts.email", "=", registration.contact_email])
    if not near:
        return []
    statement = env.records.select("opportunities", [["status", "=", "open"], {"or": near}]).order_by(Opportunity.id)
    found = []
    for deal in db.session.scalars(statement.limit(_CANDIDATES)):
        account = deal.account
        emails = {contact.email.lower() for contact in account.contacts if contact.email}
        if deal.contact is not None and deal.contact.email:
            emails.add(deal.contact.email.lower())
        domains = {domain_of(account.website), *(domain_of(email) for email in emails)}
        reasons = _reasons(registration, account.name, domains, emails)
        if reasons:
            found.append({"kind": "opportunity", "id": deal.id, "name": deal.name,
                          "partner": deal.partner.name if deal.partner is not None else None, "reasons": reasons})
    return found


def find_conflicts(env: Env, registration: DealRegistration) -> list[dict[str, Any]]:
    """Open deals and live registrations about the registration's customer, each with the
    reasons it matched; read with system rights (a partner never reads them: the field
    holding them is for the channel's staff)."""
    platform = env.sudo()
    return _opportunities(platform, registration) + _registrations(platform, registration)
