"""Hook implementations of the partners addon (heavy modules are imported inside the hooks)."""
from __future__ import annotations

from core import hookimpl
from core.declarations import DataRecord, MenuItem, ModelExtension, View
from core.models.base import Record

__all__ = ["register_models", "extend_models", "register_data", "register_views", "register_menus"]


@hookimpl
def register_models() -> list[type[Record]]:
    """Tiers, partners, certifications, registrations, lead offers, commission plans,
    commissions and fund requests."""
    from addons.partners.models import MODELS

    return list(MODELS)


@hookimpl
def extend_models() -> list[ModelExtension]:
    """The partner of a user, of a deal and of a lead."""
    from addons.partners.extension import extensions

    return extensions()


@hookimpl
def register_data() -> list[DataRecord]:
    """Channel manager and partner manager roles, their access, and the partner users' rules."""
    from addons.partners.data import shipped_records

    return shipped_records()


@hookimpl
def register_views() -> list[View]:
    """Lists, forms, searches and record pages of the partners' records."""
    from addons.partners.views import partner_views

    return partner_views()


@hookimpl
def register_menus() -> list[MenuItem]:
    """The Partners menu."""
    from addons.partners.views import partner_menus

    return partner_menus()
