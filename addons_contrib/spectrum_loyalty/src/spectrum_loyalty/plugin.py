"""Hook implementations of the loyalty addon: everything it brings to the platform."""
from __future__ import annotations

from pathlib import Path

from core import hookimpl
from core.api.actions import ApiAction
from core.declarations import DataRecord, EventHandler, ImportMapping, MenuItem, View, access, role, rule
from core.models.base import Record
from core.signals import record_created

from spectrum_loyalty.models import LoyaltyCard
from spectrum_loyalty.points import RedeemBody, award_points, redeem

__all__ = [
    "register_models", "register_data", "register_demo_data", "register_views", "register_menus",
    "register_event_handlers", "register_api_actions", "register_import_mappings", "register_template_dirs",
]

MODEL = "loyalty_cards"


@hookimpl
def register_models() -> list[type[Record]]:
    """Loyalty cards."""
    return [LoyaltyCard]


@hookimpl
def register_data() -> list[DataRecord]:
    """Clerks (every card; change active ones), managers (everything), owners (own contacts' cards)."""
    return [
        role("spectrum_loyalty.clerk", "Loyalty: clerk", implies=["contacts.user"],
             description="Enrolls customers, reads every card and redeems points on active cards."),
        role("spectrum_loyalty.manager", "Loyalty: manager", implies=["spectrum_loyalty.clerk"],
             description="Also corrects balances and tiers, deactivates and deletes cards."),
        role("spectrum_loyalty.own", "Loyalty: own customers", implies=["contacts.own"],
             description="Reads the cards of the contacts they own."),
        access("spectrum_loyalty.access_cards_clerk", "spectrum_loyalty.clerk", MODEL, "rcu"),
        access("spectrum_loyalty.access_cards_manager", "spectrum_loyalty.manager", MODEL, "rcud"),
        access("spectrum_loyalty.access_cards_own", "spectrum_loyalty.own", MODEL, "r"),
        # Checked after the change too, so a clerk can neither touch an inactive card
        # nor deactivate one: that is a manager's decision.
        rule("spectrum_loyalty.rule_clerk_active_cards", "spectrum_loyalty.clerk", MODEL,
             [["active", "=", True]], "Clerks change active cards only", ops="u"),
        rule("spectrum_loyalty.rule_own_cards", "spectrum_loyalty.own", MODEL,
             [["contact.owner_id", "=", {"$user": "id"}]], "Cards of own contacts"),
    ]


@hookimpl
def register_demo_data(seed: int) -> list[DataRecord]:
    """Forty cards for demo contacts."""
    from spectrum_loyalty.demo import demo_cards

    return demo_cards(seed)


@hookimpl
def register_views() -> list[View]:
    """The card list, form and search filters."""
    return [
        View(MODEL, "list", ["number", "contact_id", "tier", "points", "enrolled_on", "active"]),
        View(MODEL, "form", ["contact_id", "number", "tier", "points", "enrolled_on", "active"]),
        View(MODEL, "search", options={"filters": {
            "Active": [["active", "=", True]],
            "Gold members": [["tier", "=", "gold"], ["active", "=", True]],
            "My customers": [["contact.owner_id", "=", {"$user": "id"}]],
        }, "group_by": ["tier", "active"]}),
    ]


@hookimpl
def register_menus() -> list[MenuItem]:
    """Loyalty cards, in the Customers menu of the contacts addon."""
    return [MenuItem("spectrum_loyalty.cards", "Loyalty cards", model=MODEL, parent="contacts.root")]


@hookimpl
def register_event_handlers() -> list[EventHandler]:
    """Points for every inbound meeting or email logged on a member's timeline."""
    return [EventHandler(record_created, award_points, sender="interactions")]


@hookimpl
def register_api_actions() -> list[ApiAction]:
    """`POST /api/v1/loyalty_cards/<id>/redeem`."""
    return [ApiAction(MODEL, "redeem", redeem, summary="Spend points of an active card", operation="update",
                      body=RedeemBody)]


@hookimpl
def register_import_mappings() -> list[ImportMapping]:
    """`spectrum import loyalty_cards cards.csv`: headers of common loyalty exports; upsert by number."""
    return [ImportMapping("loyalty_cards", MODEL, key="number", columns={
        "card": "number", "card number": "number", "card no": "number", "member number": "number",
        "contact": "contact_id", "contact id": "contact_id", "level": "tier", "status": "tier",
        "balance": "points", "point balance": "points", "member since": "enrolled_on", "joined": "enrolled_on",
    })]


@hookimpl
def register_template_dirs() -> list[str]:
    """templates/loyalty_cards/detail.html: the card page shows the tier and the points to
    the next one, by extending the kernel's detail page (templates override by name)."""
    return [str(Path(__file__).parent / "templates")]
