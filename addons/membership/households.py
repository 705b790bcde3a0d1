"""A household's giving: its members' received donations summed in SQL, read through the
records service (so only the donations and contacts the user may read count)."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Sequence

from flask import render_template
from sqlalchemy import func, select

from core.db import db
from core.declarations import DetailPanel
from core.env import Env

__all__ = ["HouseholdGiving", "household_giving", "household_panels"]


@dataclass(frozen=True)
class HouseholdGiving:
    """One household's giving in one currency: the total, the number of gifts and of
    members who gave."""

    household_id: int
    currency: str
    total: Decimal
    gifts: int
    donors: int


def household_giving(env: Env, household_ids: Sequence[int] | None = None) -> list[HouseholdGiving]:
    """The received donations of each household's members (all households, or those of
    `household_ids`), per currency, in one grouped query."""
    contacts = env.records.subquery("contacts", [["household_id", "!=", None]])
    donations = env.records.subquery("donations", [["status", "=", "received"], ["contact_id", "!=", None]])
    query = (select(contacts.c.household_id, donations.c.currency, func.sum(donations.c.amount), func.count(),
                    func.count(func.distinct(donations.c.contact_id)))
             .select_from(donations).join(contacts, contacts.c.id == donations.c.contact_id)
             .group_by(contacts.c.household_id, donations.c.currency)
             .order_by(contacts.c.household_id, donations.c.currency))
    if household_ids is not None:
        query = query.where(contacts.c.household_id.in_(list(household_ids)))
    return [HouseholdGiving(household, currency, Decimal(total), int(gifts), int(donors))
            for household, currency, total, gifts, donors in db.session.execute(query)]


def _render(env: Env, household: Any) -> str:
    return render_template("membership/household_panel.html", giving=household_giving(env, [household.id]))


def household_panels() -> list[DetailPanel]:
    """A household's giving, on its page (its members are listed there as its related contacts)."""
    return [DetailPanel("membership.household_giving", "Giving", lambda resource: resource == "households",
                        _render, position=20)]
