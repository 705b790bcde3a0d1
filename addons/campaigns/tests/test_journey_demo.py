"""The demo's running journey: members spread over its positions, with step runs and sent
mail consistent with where each one stands, shown as a flow on its page."""
from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from sqlalchemy import func, select

from core.db import db
from core.jobs import enqueue, execute
from core.mail.models import MailMessage
from core.testing.web import sign_in

from addons.campaigns.models import Journey, JourneyMember, JourneyStep, JourneyStepRun

pytestmark = [pytest.mark.slow, pytest.mark.spectrum_addons("contacts", "campaigns", demo=True)]


def test_the_welcome_series_runs_with_members_at_every_position(app: Any, admin: Any, client: Any) -> None:
    journey = db.session.scalar(select(Journey).where(Journey.status == "active"))
    assert journey is not None and journey.name == "Welcome series"
    position = dict(db.session.execute(select(JourneyStep.id, JourneyStep.position)
                                       .where(JourneyStep.journey_id == journey.id)).all())
    members = db.session.scalars(select(JourneyMember).where(JourneyMember.journey_id == journey.id)).all()
    where = Counter((member.status, position.get(member.current_step_id)) for member in members)
    assert where[("waiting", 3)] > 0 and where[("done", None)] > 0 and sum(where.values()) == len(members) > 10
    paths = Counter()
    for member in members:
        runs = db.session.execute(select(JourneyStepRun.step_id, JourneyStepRun.mail_id).where(
            JourneyStepRun.member_id == member.id).order_by(JourneyStepRun.ran_at, JourneyStepRun.id)).all()
        path = tuple(position[step_id] for step_id, _mail in runs)
        mails = [db.session.get(MailMessage, mail_id) for _step, mail_id in runs if mail_id]
        assert all(mail.status == "sent" and mail.recipient_id == member.contact_id for mail in mails)
        if member.status == "waiting":
            assert path == (1, 2) and len(mails) == 1
        elif path == (1, 2, 3, 4, 5):
            assert mails[0].opened_at is not None and len(mails) == 2
        else:
            assert path == (1, 2, 3, 6, 7) and mails[0].opened_at is None and len(mails) == 2
        paths[path] += 1
    assert paths[(1, 2, 3, 4, 5)] > 0 and paths[(1, 2, 3, 6, 7)] > 0

    queued = db.session.scalar(select(func.count()).select_from(MailMessage).where(MailMessage.status == "queued"))
    execute(enqueue("journeys.advance").id)  # nobody is due: nothing more is sent
    assert db.session.scalar(select(func.count()).select_from(MailMessage)
                             .where(MailMessage.status == "queued")) == queued == 0

    sign_in(client, "admin")
    page = client.get(f"/m/journeys/{journey.id}").get_data(as_text=True)
    assert "Opened the last email?" in page and f"{where[('waiting', 3)]} here now" in page
    assert "/campaigns/journeys/%d/pause" % journey.id in page
