"""`RecordService.first_per_value`: a board's columns (the first records of each value of
a field, and whether there are more) in two queries, under the user's record rules."""
from __future__ import annotations

from core.db import db
from core.env import Env
from core.testing.sql import selects, sent_statements


def test_the_first_records_of_each_value_in_the_models_order_with_more_flags(make_user):
    alice = make_user("alice", roles=["contacts.own"])
    records = Env.system().records
    for index, city in enumerate(["Lyon", "Paris", "Lyon", "Lyon", "Paris", "Nice"]):
        records.create("contacts", {"last_name": f"N{index}", "city": city, "owner_id": alice.id if index != 3 else None})
    db.session.commit()
    with sent_statements() as statements:
        columns = Env.system().records.first_per_value("contacts", "city", ["Lyon", "Paris", "Oslo"], limit=2)
    named = {city: ([c.last_name for c in shown], more) for city, (shown, more) in columns.items()}
    # The model's order: by last name.
    assert named == {"Lyon": (["N0", "N2"], True), "Paris": (["N1", "N4"], False)}
    assert len(selects(statements)) <= 3  # ids, records, tags
    mine = Env.for_user(alice).records.first_per_value("contacts", "city", ["Lyon"], limit=5)
    assert mine == {"Lyon": (mine["Lyon"][0], False)}
    assert [c.last_name for c in mine["Lyon"][0]] == ["N0", "N2"], "N3 is not hers"
