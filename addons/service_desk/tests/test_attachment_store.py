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
from core.storage import blob_store

from addons.service_desk.attachments import attach, read

pytestmark = pytest.mark.spectrum_addons("service_desk")

CONTENT = b"%PDF-1.4\nthe invoice\n%%EOF\n"


def test_ticket_files_are_kept_in_the_blob_store(app, desk):
    ticket = desk.ticket()
    attachment = attach(Env.system(), ticket.id, "invoice.pdf", CONTENT, "application/pdf")
    db.session.commit()
    store = blob_store(app.extensions["spectrum"].settings)
    assert store.get(hashlib.sha256(CONTENT).hexdigest()) == CONTENT
    assert (attachment.size, read(Env.system(), attachment)) == (len(CONTENT), CONTENT)


def test_the_migration_moves_the_contents_of_the_table_into_the_store_and_back(app, desk):
    ticket = desk.ticket()
    attachment = attach(Env.system(), ticket.id, "invoice.pdf", CONTENT, "application/pdf")
    db.session.commit()
    settings = app.extensions["spectrum"].settings
    store, digest = blob_store(settings), attachment.sha256
    manager = AddonManager(app)

    command.downgrade(alembic_config(manager.catalog, db.session.connection(), settings=settings), "service_desk@-1")
    db.session.commit()
    kept = db.session.execute(text("SELECT sha256, size, content FROM service_desk_blobs")).all()
    assert [(row.sha256, row.size, bytes(row.content)) for row in kept] == [(digest, len(CONTENT), CONTENT)]
    store.delete(digest)  # as on a database that kept its files in the table only

    assert "service_desk" in manager.upgradable()
    manager.upgrade()
    assert not inspect(db.engine).has_table("service_desk_blobs")
    assert store.get(digest) == CONTENT
    assert read(Env.system(), desk.fresh("ticket_attachments", attachment.id)) == CONTENT
