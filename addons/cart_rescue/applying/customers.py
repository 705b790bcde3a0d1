"""A shop's customer as a contact: the contact with their email, or a new one."""
from __future__ import annotations

from typing import Any, Mapping

from core.db import db, lock_until_commit
from core.env import Env

__all__ = ["contact_for", "customer_email"]


def customer_email(customer: Mapping[str, Any] | None, *others: str | None) -> str | None:
    """The first email known for the customer, in lower case as contacts keep them."""
    for email in ((customer or {}).get("email"), *others):
        if email:
            return str(email).strip().lower()
    return None


def contact_for(env: Env, email: str, customer: Mapping[str, Any] | None) -> int:
    """The id of the contact whose email is `email` (the oldest, when duplicates share it),
    or of a contact created for the customer with the source "shop". Two events of the
    same new customer applied at once make one contact: the second waits for the first's
    commit (contacts' emails are not unique, so the database alone would not stop it)."""
    lock_until_commit(db.session, "contacts.email", email)
    found = db.session.scalar(env.records.select("contacts", [["email", "=", email]]).order_by("id").limit(1))
    if found is not None:
        return found.id
    names = customer or {}
    contact = env.records.create("contacts", {
        "email": email, "first_name": names.get("first_name") or None,
        "last_name": names.get("last_name") or email.split("@", 1)[0], "source": "shop",
    })
    return contact.id
