"""The demo data loads, gives tickets SLA due times, and sends no mail."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from core.clock import FixedClock
from core.testing.databases import TEST_START


@pytest.fixture
def demo_app(database_factory):
    from core.app import create_app
    from core.db import db

    url = database_factory.clone(("contacts", "service_desk"), demo=True)
    application = create_app({"database_url": url, "secret_key": "test"}, clock=FixedClock(TEST_START))
    with application.app_context():
        yield application
        db.session.remove()
        db.engine.dispose()
    database_factory.drop(url)


def test_demo_data_is_complete_and_quiet(demo_app):
    from core.db import db
    from core.env import Env
    from core.mail.models import MailMessage

    from addons.service_desk.demo import TICKETS

    records = Env.system().records
    assert records.count("tickets").value == TICKETS
    assert records.count("tickets", [["sla_policy_id", "is null", None]]).value == 0
    assert records.count("tickets", [["resolution_due_at", "is not null", None]]).value > 0
    assert records.count("kb_articles", [["state", "=", "published"]]).value == 5
    assert records.count("kb_article_versions").value == 7
    assert records.count("team_members").value == 6
    assert records.count("calendar_holidays").value == 11
    assert db.session.scalar(select(func.count()).select_from(MailMessage)) == 0
    urgent = records.search("sla_policies", [["name", "=", "Urgent"]]).records[0]
    assert records.count("tickets", [["priority", "=", "urgent"], ["sla_policy_id", "!=", urgent.id]]).value == 0
