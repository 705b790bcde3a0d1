"""Ticket attachment contents are kept through the platform's blob store (core.storage), as
the kernel's attachments are; the migration moves the contents a database kept in its
service_desk_blobs table into the store, and its downgrade brings them back."""
from __future__ import annotations

import hashlib

import pytest
from alembic import command
from sqlalchemy import inspect, text

from core.addons.installer import AddonManager
from core.addons.migrations import alembic_config
from core.db import db
from core.env import Env

from core.attachments import attach as attach_to_record, remove_attachment

from addons.service_desk.attachments import attach, blobs, read

pytestmark = pytest.mark.spectrum_addons("service_desk")

CONTENT = b"%PDF-1.4\nthe invoice\n%%EOF\n"


def test_ticket_files_are_kept_in_the_blob_store(app, desk):
    ticket = desk.ticket()
    attachment = attach(Env.system(), ticket.id, "invoice.pdf", CONTENT, "application/pdf")
    db.session.commit()
    store = blobs(app.extensions["spectrum"].settings)
    assert store.get(hashlib.sha256(CONTENT).hexdigest()) == CONTENT
    assert (attachment.size, read(Env.system(), attachment)) == (len(CONTENT), CONTENT)


def test_the_migration_moves_the_contents_of_the_table_into_the_store_and_back(app, desk):
    ticket = desk.ticket()
    attachment = attach(Env.system(), ticket.id, "invoice.pdf", CONTENT, "application/pdf")
    db.session.commit()
    settings = app.extensions["spectrum"].settings
    store, digest = blobs(settings), attachment.sha256
    manager = AddonManager(app)

    # To the revision before the one that moved the contents into the store (6a1f0c2b9d47).
    command.downgrade(alembic_config(manager.catalog, db.session.connection(), settings=settings), "39d58e60df1b")
    db.session.commit()
    kept = db.session.execute(text("SELECT sha256, size, content FROM service_desk_blobs")).all()
    assert [(row.sha256, row.size, bytes(row.content)) for row in kept] == [(digest, len(CONTENT), CONTENT)]
    store.delete(digest)  # as on a database that kept its files in the table only

    assert "service_desk" in manager.upgradable()
    manager.upgrade()
    assert not inspect(db.engine).has_table("service_desk_blobs")
    assert store.get(digest) == CONTENT
    assert read(Env.system(), desk.fresh("ticket_attachments", attachment.id)) == CONTENT


def test_removing_a_record_file_keeps_a_ticket_file_with_the_same_contents(app, desk):
    ticket = desk.ticket()
    contact = desk.create("contacts", last_name="Lovelace")
    on_ticket = attach(Env.system(), ticket.id, "invoice.pdf", CONTENT, "application/pdf")
    on_contact = attach_to_record(Env.system(), "contacts", contact.id, "invoice.pdf", CONTENT)
    db.session.commit()
    remove_attachment(Env.system(), on_contact.id)
    db.session.commit()
    assert read(Env.system(), desk.fresh("ticket_attachments", on_ticket.id)) == CONTENT
