"""A link to another record is checked as the user may see it (core.records.service's
`sees`): a record that does not exist, was deleted or is hidden by the rules is refused by
field; where no rule applies, a record the session holds is found without a query."""
from __future__ import annotations

import pytest

from core.db import db
from core.env import Env
from core.records.errors import ValidationFailed
from core.testing.sql import sent_statements


def test_a_link_to_a_record_just_created_asks_the_database_nothing_about_it(app):
    records = Env.system().records
    account = records.create("accounts", {"name": "Acme"})
    with sent_statements() as sent:
        contact = records.create("contacts", {"last_name": "Lee", "account_id": account.id})
    assert contact.account_id == account.id
    assert not [sql for sql in sent if "FROM accounts" in sql], sent


def test_a_link_to_a_missing_or_deleted_record_is_refused_by_field(app):
    records = Env.system().records
    account = records.create("accounts", {"name": "Gone Ltd"})
    records.delete("accounts", account.id)
    for missing in (account.id, account.id + 1000):
        with pytest.raises(ValidationFailed) as refused:
            records.create("contacts", {"last_name": "Lee", "account_id": missing})
        assert refused.value.errors == {"account_id": [f"No accounts record #{missing} that you can see."]}


def test_a_link_to_a_record_the_rules_hide_is_refused(app, make_user):
    alice = make_user("alice", roles=["contacts.own"])
    others = Env.system().records.create("accounts", {"name": "Not Alice's"})
    own = Env.for_user(alice).records.create("accounts", {"name": "Alice's", "owner_id": alice.id})
    db.session.commit()
    records = Env.for_user(alice).records
    assert records.create("contacts", {"last_name": "Mine", "account_id": own.id, "owner_id": alice.id}).id
    with pytest.raises(ValidationFailed) as refused:
        records.create("contacts", {"last_name": "Theirs", "account_id": others.id, "owner_id": alice.id})
    assert refused.value.errors == {"account_id": [f"No accounts record #{others.id} that you can see."]}
