"""ticket attachment contents move from the service_desk_blobs table to the platform's blob
store (core.storage: a folder, or an S3-compatible bucket, as the settings say)

Revision ID: 6a1f0c2b9d47
Revises: 39d58e60df1b
Create Date: 2026-12-04 05:30:00
"""
from __future__ import annotations

from datetime import datetime, timezone

import sqlalchemy as sa
from alembic import context, op

import core.db
from core.storage import BlobMissing, BlobStore

from addons.service_desk.attachments import blobs

revision = '6a1f0c2b9d47'
down_revision = '39d58e60df1b'
branch_labels = None
depends_on = None

#: Contents read from the table per query (each may be as large as attachment_max_bytes).
_BATCH = 20

_blobs = sa.table("service_desk_blobs", sa.column("sha256", sa.String(64)), sa.column("size", sa.Integer()),
                  sa.column("content", sa.LargeBinary()), sa.column("created_at", core.db.UtcDateTime(timezone=True)))


def _store() -> BlobStore:
    settings = context.config.attributes.get("settings")
    if settings is None:
        raise RuntimeError("this migration moves files: run it through `spectrum addons upgrade`, "
                           "which passes the settings that say where files are kept")
    return blobs(settings)


def upgrade() -> None:
    store, bind, last = _store(), op.get_bind(), ""
    while True:
        batch = bind.execute(sa.select(_blobs.c.sha256, _blobs.c.content).where(_blobs.c.sha256 > last)
                             .order_by(_blobs.c.sha256).limit(_BATCH)).all()
        if not batch:
            break
        for digest, content in batch:
            store.put(digest, bytes(content))
        last = batch[-1].sha256
    op.drop_table('service_desk_blobs')


def downgrade() -> None:
    op.create_table('service_desk_blobs',
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', core.db.UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('sha256', name=op.f('pk_service_desk_blobs'))
    )
    store, bind, now = _store(), op.get_bind(), datetime.now(timezone.utc)
    attachments = sa.table("ticket_attachments", sa.column("sha256", sa.String(64)))
    for digest in bind.execute(sa.select(attachments.c.sha256).distinct()).scalars().all():
        try:
            content = store.get(digest)
        except (BlobMissing, ValueError):  # never stored, or not a SHA-256: nothing to bring back
            continue
        bind.execute(sa.insert(_blobs).values(sha256=digest, size=len(content), content=content, created_at=now))
