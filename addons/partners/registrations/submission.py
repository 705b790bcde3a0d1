"""A partner user registers a deal for their organisation.

Partner users only read registrations (record rules choose whose); this checks who they
are, then writes with system rights exactly the fields a partner gives, for their own
organisation: a partner cannot register for another partner, nor set a status.
"""
from __future__ import annotations

from typing import Any, Mapping

from core.env import Env
from core.records.errors import AccessDenied

from addons.partners.models import DealRegistration

__all__ = ["register_deal", "partner_of", "PARTNER_FIELDS"]

#: What a partner says about the deal it registers.
PARTNER_FIELDS = ("customer_name", "customer_domain", "contact_name", "contact_email", "product_interest", "amount",
                  "expected_close")


def partner_of(env: Env) -> int:
    """The partner organisation the signed-in partner user works for, or AccessDenied."""
    user = env.user
    partner_id = getattr(user, "partner_id", None) if user is not None else None
    if user is None or user.kind != "partner" or partner_id is None:
        raise AccessDenied("only partner users linked to a partner organisation register deals; ask your "
                           "channel manager to link your account")
    return int(partner_id)


def register_deal(env: Env, values: Mapping[str, Any]) -> DealRegistration:
    """The partner user's registration (its conflicts found as it is written); values
    other than `PARTNER_FIELDS` are ignored, bad ones a ValidationFailed naming the field."""
    partner_id = partner_of(env)
    given = {name: values[name] for name in PARTNER_FIELDS if values.get(name) not in (None, "")}
    return env.sudo().records.create("deal_registrations", {**given, "partner_id": partner_id})
