"""Mail to a partner about its records (decisions on its registrations)."""
from __future__ import annotations

from core.auth.models import User
from core.db import db
from core.env import Env
from core.mail.outbound import send_mail

from addons.partners.models import Partner

__all__ = ["partner_addresses", "mail_partner"]


def partner_addresses(env: Env, partner: Partner) -> list[str]:
    """The partner's own address, else those of its active partner users."""
    if partner.email:
        return [partner.email]
    users = env.sudo().records.select("users", [["partner_id", "=", partner.id], ["active", "=", True],
                                                ["email", "is not null", None]])
    return list(db.session.scalars(users.with_only_columns(User.email).order_by(User.id)))


def mail_partner(env: Env, partner: Partner, subject: str, text: str, record: tuple[str, int]) -> int:
    """Queue `text` to every address of the partner, about `record`; how many were queued.
    `subject` and `text` are given as values, never as template source."""
    addresses = partner_addresses(env, partner)
    for address in addresses:
        send_mail(env, address, subject="{{ values.subject }}", text="{{ values.text }}", record=record,
                  to_name=partner.name, track=False, values={"subject": subject, "text": text})
    return len(addresses)
