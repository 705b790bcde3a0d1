"""Column types shared by kernel and addon models."""
from __future__ import annotations

from sqlalchemy import JSON
from sqlalchemy.dialects.postgresql import JSONB

__all__ = ["JsonType"]

#: JSON everywhere, JSONB (indexable, compact) on PostgreSQL.
JsonType = JSON().with_variant(JSONB(), "postgresql")
