"""Restore links: a signed link, valid RESTORE_DAYS days, that rebuilds the customer's cart
in the shop (`GET /shop/restore/<token>`), and says so on the contact's timeline."""
from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

from flask import Blueprint, Response, abort, redirect
from itsdangerous import BadSignature, SignatureExpired, TimestampSigner, URLSafeTimedSerializer
from sqlalchemy import select

from core.db import db
from core.env import Env
from core.mail.tokens import base_url
from core.platform import platform
from core.write_lock import will_write

from addons.cart_rescue.applying.timeline import log_on_timeline
from addons.cart_rescue.models import Cart, CartLine, Product, Shop

__all__ = ["restore_url", "cart_link", "blueprint", "RESTORE_DAYS"]

RESTORE_DAYS = 14
_SALT = "cart_rescue.restore"

#: The addon's templates (the cart page's Rescue panel) are found through this blueprint.
blueprint = Blueprint("cart_rescue_restore", __name__, url_prefix="/shop",
                      template_folder=str(Path(__file__).resolve().parents[1] / "templates"))


class _ClockSigner(TimestampSigner):
    """Signs and checks the link's age on the platform's clock (the tests' fixed one)."""

    def get_timestamp(self) -> int:
        return int(platform().clock.now().timestamp())


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(platform().settings["secret_key"], salt=_SALT, signer=_ClockSigner)


def restore_url(cart: Cart) -> str:
    """The cart's restore link, signed with the instance's secret key."""
    return f"{base_url()}/shop/restore/{_serializer().dumps(cart.id)}"


def cart_link(cart: Cart, shop: Shop) -> str | None:
    """Where the cart is rebuilt in the shop: a Shopify cart permalink of its lines
    (`/cart/<variant>:<quantity>,...`), else its checkout URL, else the shop's address."""
    if shop.platform == "shopify" and shop.url:
        rows = db.session.execute(select(Product.external_id, CartLine.quantity)
                                  .join(Product, Product.id == CartLine.product_id)
                                  .where(CartLine.cart_id == cart.id, CartLine.quantity > 0)
                                  .order_by(CartLine.id)).all()
        if rows:
            items = ",".join(f"{quote(str(variant), safe='')}:{quantity}" for variant, quantity in rows)
            return f"{shop.url.rstrip('/')}/cart/{items}"
    return cart.checkout_url or shop.url


_GONE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Link expired</title></head>
<body><main><h1>This link has expired</h1><p>Your cart can no longer be restored from this message.
Visit the shop to start a new one.</p></main></body></html>"""


@blueprint.get("/restore/<token>")
def restore(token: str) -> Response:
    """Rebuild the cart in the shop (302) and note it on the contact's timeline; 410 for a
    link past RESTORE_DAYS, 404 for one that was not made here."""
    try:
        cart_id = int(_serializer().loads(token, max_age=int(timedelta(days=RESTORE_DAYS).total_seconds())))
    except SignatureExpired:
        return Response(_GONE, status=410, mimetype="text/html")
    except (BadSignature, TypeError, ValueError):
        abort(404)
    will_write()
    cart = db.session.get(Cart, cart_id)
    shop = db.session.get(Shop, cart.shop_id) if cart is not None else None
    target = cart_link(cart, shop) if cart is not None and shop is not None else None
    if target is None:
        abort(404)
    if cart.contact_id is not None:
        env = Env.system()
        log_on_timeline(env, cart.contact_id, "Restore link opened", resource="carts", record_id=cart.id,
                        at=env.now())
        db.session.commit()
    return redirect(target, code=302)
