"""Hook implementations of the cart rescue addon."""
from __future__ import annotations

from typing import Any

from core import hookimpl
from core.declarations import (ApiPath, Dashboard, DataRecord, DetailPanel, EventHandler, GroupedImport, Job, MenuItem,
                               ModelExtension, NotificationKind, View)
from core.models.base import Record

__all__ = ["register_models", "extend_models", "register_data", "register_demo_data", "register_views",
           "register_menus", "register_blueprints", "register_jobs", "register_event_handlers", "register_notification_kinds",
           "register_detail_panels", "register_dashboards", "register_grouped_imports", "register_api_paths",
           "journey_subject_values", "journey_subject_gone", "campaign_conversion_events",
           "analytics_transaction_sources"]


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
    """The shops' webhook endpoint, `POST /api/v1/shops/<shop>/events`, the carts'
    restore links, `GET /shop/restore/<token>`, and a cart's rescue by hand, `POST
    /shop/carts/<id>/rescue`."""
    from addons.cart_rescue.rescue.by_hand import blueprint as by_hand
    from addons.cart_rescue.rescue.restore import blueprint as restore
    from addons.cart_rescue.webhooks.endpoint import blueprint as webhooks

    return [webhooks, restore, by_hand]


@hookimpl
def register_jobs() -> list[Job]:
    """Applying each event a shop posted; finding abandoned and lost carts."""
    from addons.cart_rescue.applying.job import event_jobs
    from addons.cart_rescue.detection.sweep import detection_jobs

    return event_jobs() + detection_jobs()


@hookimpl
def register_event_handlers() -> list[EventHandler]:
    """A contact's lifetime order value and count kept as their orders change."""
    from addons.cart_rescue.applying.lifetime import lifetime_handlers
    from addons.cart_rescue.rescue.demo import rescue_demo_handlers
    from addons.cart_rescue.rescue.entry import rescue_handlers

    return lifetime_handlers() + rescue_handlers() + rescue_demo_handlers()


@hookimpl
def register_detail_panels() -> list[DetailPanel]:
    """A cart's rescue on its page: each step, sent or skipped and why, its coupons, the
    order that recovered it."""
    from addons.cart_rescue.rescue.panel import rescue_panels

    return rescue_panels()


@hookimpl
def register_dashboards() -> list[Dashboard]:
    """The cart rescue dashboard: abandonment, recovery and recovered revenue."""
    from addons.cart_rescue.dashboard import rescue_dashboard

    return [rescue_dashboard()]


@hookimpl
def register_notification_kinds() -> list[NotificationKind]:
    """A high-value cart abandoned, told to its shop's owner when no addon plans activities."""
    from addons.cart_rescue.rescue.entry import NOTIFY_KIND

    return [NotificationKind(NOTIFY_KIND, "A high-value cart of my shop was abandoned", in_app=True, email=True)]


@hookimpl(optionalhook=True)
def journey_subject_values(subject: str, contact_id: int, step_id: int, now: Any) -> dict[str, Any] | None:
    """A rescue message about a cart shows `cart`, `restore_url` and `coupon`."""
    from addons.cart_rescue.rescue.subjects import cart_values

    return cart_values(subject, step_id, now)


@hookimpl(optionalhook=True)
def journey_subject_gone(subject: str, now: Any) -> str | None:
    """A cart's rescue stops once the cart is bought or emptied."""
    from addons.cart_rescue.rescue.subjects import why_gone

    return why_gone(subject, now)


@hookimpl(optionalhook=True)
def campaign_conversion_events() -> list[Any]:
    """An order placed converts its buyer for the campaigns that touched them."""
    from addons.cart_rescue.rescue.conversions import order_conversion

    return [order_conversion()]


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


@hookimpl(optionalhook=True)
def analytics_transaction_sources() -> list[Any]:
    """Shop orders as purchases and what was refunded of them as refunds, in the company
    currency (analytics' hook: called only where analytics is installed)."""
    from addons.cart_rescue.transactions import transaction_sources

    return transaction_sources()
