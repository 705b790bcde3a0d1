"""The audit trail keeps who acted: deleting a user leaves their id on their entries
(core.records.audit), where a foreign key used to set it to none, which the trail showed
as the system."""
from __future__ import annotations

from sqlalchemy import select

from core.db import db
from core.env import Env
from core.records.audit import AuditEntry


def _actors(model: str, record_id: int) -> list[int | None]:
    return list(db.session.scalars(select(AuditEntry.user_id).where(
        AuditEntry.model == model, AuditEntry.record_id == record_id).order_by(AuditEntry.id)))


def test_a_deleted_users_entries_still_name_them(make_user, admin, client):
    from core.testing.web import sign_in

    leaver = make_user("leaver", roles=["contacts.manager"])
    leaver_id = leaver.id
    tag = Env.for_user(leaver).records.create("tags", {"name": "left-behind"})
    db.session.commit()
    assert _actors("tags", tag.id) == [leaver_id]

    Env.system().records.delete("users", leaver_id)
    db.session.commit()
    db.session.expire_all()
    assert _actors("tags", tag.id) == [leaver_id]
    assert _actors("users", leaver_id)[-1] is None  # the system deleted the user

    sign_in(client, "admin")
    page = client.get("/admin/audit", query_string={"model": "tags", "record_id": tag.id}).get_data(as_text=True)
    assert f"<td>{leaver_id}</td>" in page and "<td>system</td>" not in page
