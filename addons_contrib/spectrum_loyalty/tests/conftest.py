"""Shared fixtures of the loyalty tests; `app`, `make_user`, `api_as`... come from the kernel's
pytest plugin, which pytest loads by itself once spectrum-erm is installed."""
from __future__ import annotations

from typing import Any, Callable

import pytest

from core.db import db
from core.env import Env


@pytest.fixture
def make_contact(app: Any) -> Callable[..., Any]:
    """make_contact("Durand", owner_id=...) -> a committed contact."""

    def make(last_name: str, **values: Any) -> Any:
        contact = Env.system().records.create("contacts", {"last_name": last_name, **values})
        db.session.commit()
        return contact

    return make


@pytest.fixture
def make_card(app: Any) -> Callable[..., Any]:
    """make_card(contact, "LOY-1", points=100, active=True) -> a committed card."""

    def make(contact: Any, number: str, **values: Any) -> Any:
        card = Env.system().records.create("loyalty_cards", {"contact_id": contact.id, "number": number, **values})
        db.session.commit()
        return card

    return make


@pytest.fixture
def clerk(make_user: Callable[..., Any]) -> Any:
    """A front-desk user: every card, changes to active cards only."""
    return make_user("clara", roles=["spectrum_loyalty.clerk"])


@pytest.fixture
def manager(make_user: Callable[..., Any]) -> Any:
    """A loyalty manager: everything on cards."""
    return make_user("manon", roles=["spectrum_loyalty.manager"])
