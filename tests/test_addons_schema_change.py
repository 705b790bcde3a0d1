"""Installing an addon whose migration rebuilds a table (SQLite rebuilds a table to add a
column in some cases: copy, drop the old one, rename) keeps the rows of other tables that
point at it: the drop must not fire ON DELETE CASCADE or SET NULL on them."""
from __future__ import annotations

import pytest
from sqlalchemy import text

from core.addons.installer import AddonManager
from core.db import db
from core.env import Env

pytestmark = pytest.mark.spectrum_addons("contacts")


def test_installing_an_addon_that_extends_contacts_keeps_their_timeline_and_links(app):
    records = Env.system().records
    account = records.create("accounts", {"name": "Analytical Engines"})
    ada = records.create("contacts", {"first_name": "Ada", "last_name": "Lovelace", "account_id": account.id})
    for subject in ("Discovery call", "Quote sent"):
        records.create("interactions", {"channel": "phone", "subject": subject, "contact_id": ada.id,
                                        "occurred_at": "2026-01-02T10:00:00+00:00"})
    db.session.commit()

    AddonManager(app).install(["service_desk"])  # adds portal_admin to contacts

    rows = db.session.execute(text("SELECT subject, contact_id, account_id FROM interactions ORDER BY subject")).all()
    assert [tuple(row) for row in rows] == [("Discovery call", ada.id, account.id), ("Quote sent", ada.id, account.id)]
    assert db.session.execute(text("SELECT account_id FROM contacts")).scalar_one() == account.id
    if db.engine.dialect.name == "sqlite":
        assert db.session.execute(text("PRAGMA foreign_keys")).scalar_one() == 1, "keys are enforced again after"
