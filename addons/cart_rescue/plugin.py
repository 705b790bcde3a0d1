"""Hook implementations of the cart rescue addon."""
from __future__ import annotations

from typing import Any

from core import hookimpl
from core.declarations import (ApiPath, DataRecord, EventHandler, GroupedImport, Job, MenuItem, ModelExtension,
                               View)
from core.models.base import Record

__all__ = ["register_models", "extend_models", "register_data", "register_demo_data", "register_views",
           "register_menus", "register_blueprints", "register_jobs", "register_event_handlers",
           "register_grouped_imports", "register_api_paths"]


@hookimpl
def register_models() -> list[type[Record]]:
    """Shops and products, carts and orders with their lines, and the events shops post."""
    from addons.cart_rescue.models import MODELS

    return list(MODELS)


@hookimpl
def extend_models() -> list[ModelExtension]:
    """A contact's source, lifetime order value and order count."""
    from addons.cart_rescue.extension import contact_extension

    return [contact_extension()]


@hookimpl
def register_data() -> list[DataRecord]:
    """Access of the contacts and marketing roles to shops, carts and orders."""
    from addons.cart_rescue.data import shipped_records

    return shipped_records()


@hookimpl
def register_demo_data(seed: int) -> list[DataRecord]:
    """A shop with its products, and three months of carts and orders of demo contacts."""
    from addons.cart_rescue.demo import demo_records

    return demo_records(seed)


@hookimpl
def register_views() -> list[View]:
    """Lists, forms, searches and record pages of shops, products, carts and orders."""
    from addons.cart_rescue.views import shop_views

    return shop_views()


@hookimpl
def register_menus() -> list[MenuItem]:
    """The Shops menu."""
    from addons.cart_rescue.views import shop_menus

    return shop_menus()


@hookimpl
def register_blueprints() -> list[Any]:
    """The shops' webhook endpoint, `POST /api/v1/shops/<shop>/events`."""
    from addons.cart_rescue.webhooks.endpoint import blueprint

    return [blueprint]


@hookimpl
def register_jobs() -> list[Job]:
    """Applying each event a shop posted."""
    from addons.cart_rescue.applying.job import event_jobs

    return event_jobs()


@hookimpl
def register_event_handlers() -> list[EventHandler]:
    """A contact's lifetime order value and count kept as their orders change."""
    from addons.cart_rescue.applying.lifetime import lifetime_handlers

    return lifetime_handlers()


@hookimpl
def register_grouped_imports() -> list[GroupedImport]:
    """A shop's orders re-synced from its CSV export (`spectrum import cart_rescue.orders`)."""
    from addons.cart_rescue.resync.orders import order_import

    return [order_import()]


@hookimpl
def register_api_paths() -> list[ApiPath]:
    """The shops' webhook endpoint in the OpenAPI document."""
    from addons.cart_rescue.webhooks.openapi import webhook_path

    return [webhook_path()]
