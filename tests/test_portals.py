"""Two addons that do not depend on each other give customers a portal each (the service
desk's and the members'): one is their home, and each portal's menu links to the other."""
from __future__ import annotations

import pytest

from core.env import Env
from core.platform import platform
from core.testing.web import sign_in

pytestmark = pytest.mark.spectrum_addons("service_desk", "membership")


def test_the_home_is_one_portal_and_each_links_to_the_other(app, client, make_user):
    contact = Env.system().records.create("contacts", {"first_name": "Ada", "last_name": "Both",
                                                      "email": "ada@example.com"})
    make_user("ada", roles=["base.portal"], kind="portal", contact_id=contact.id)
    assert [portal.home for portal in platform().all_portals] == ["/members/", "/portal/"]
    sign_in(client, "ada")
    home = client.get("/m/contacts")
    assert home.status_code == 303 and home.headers["Location"] == "/members/"
    members = client.get("/members/").get_data(as_text=True)
    assert '<a href="/portal/">Support portal</a>' in members
    assert '<a href="/members/">Members&#39; portal</a>' not in members
    support = client.get("/portal/").get_data(as_text=True)
    assert '<a href="/members/">Members&#39; portal</a>' in support
    assert '<a href="/portal/">Support portal</a>' not in support


def test_a_dependants_portal_is_the_home_over_its_dependencys():
    from core.addons.discovery import Catalog
    from core.addons.loader import _portal_homes
    from core.addons.manifest import Addon
    from core.declarations import Portal

    catalog = Catalog(addons={"desk": Addon(name="desk", version="1.0.0", summary="An addon", depends=("contacts",)),
                              "shop": Addon(name="shop", version="1.0.0", summary="An addon", depends=("desk",)),
                              "club": Addon(name="club", version="1.0.0", summary="An addon", depends=("contacts",)),
                              "contacts": Addon(name="contacts", version="1.0.0", summary="An addon")},
                      broken={}, distributions={})
    desk, shop, club = Portal("portal", "/desk/"), Portal("portal", "/shop/"), Portal("portal", "/club/")
    assert _portal_homes([("desk", desk), ("club", club)], catalog) == {"portal": desk}
    assert _portal_homes([("desk", desk), ("club", club), ("shop", shop)], catalog) == {"portal": shop}
