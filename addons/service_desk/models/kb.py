"""Knowledge base: categories, articles (draft, internal, published) and their versions."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, relationship

from core import Record, field
from core.db import UtcDateTime
from core.models.tags import Tag, tag_table

__all__ = ["KbCategory", "KbArticle", "KbArticleVersion", "ARTICLE_STATES", "VERSIONED_FIELDS", "kb_article_tags"]

ARTICLE_STATES = [("draft", "Draft"), ("internal", "Internal (agents only)"), ("published", "Published")]
#: Fields whose change makes a new version of an article.
VERSIONED_FIELDS = ("title", "summary", "body")

kb_article_tags = tag_table("kb_article_tags", "kb_articles")


class KbCategory(Record):
    """A section of the knowledge base; categories nest."""

    __tablename__ = "kb_categories"
    __label__ = "KB category"
    __label_plural__ = "KB categories"
    __display_field__ = "name"
    __order__ = ["sequence", "name"]

    name: Mapped[str] = field(String(120), label="Name", required=True, searchable=True)
    parent_id: Mapped[int | None] = field(ForeignKey("kb_categories.id", ondelete="SET NULL"), label="Parent")
    sequence: Mapped[int] = field(Integer, label="Sequence", default=10, nullable=False)
    description: Mapped[str | None] = field(Text, label="Description")


class KbArticle(Record):
    """An answer written once and found by agents and customers."""

    __tablename__ = "kb_articles"
    __label__ = "Article"
    __display_field__ = "title"
    __order__ = ["title"]
    __table_args__ = (Index("ix_kb_articles_state_category", "state", "category_id"),)

    title: Mapped[str] = field(String(200), label="Title", required=True, searchable=True)
    summary: Mapped[str | None] = field(String(500), label="Summary", searchable=True)
    body: Mapped[str] = field(Text, label="Body", kind="longtext", required=True, searchable=True)
    category_id: Mapped[int | None] = field(ForeignKey("kb_categories.id", ondelete="SET NULL"), label="Category",
                                            index=True)
    state: Mapped[str] = field(String(10), label="State", choices=ARTICLE_STATES, default="draft", nullable=False,
                               help="Published articles reach the portal; internal ones only agents.")
    revision: Mapped[int] = field(Integer, label="Revision", default=1, nullable=False, readonly=True)
    published_at: Mapped[datetime | None] = field(UtcDateTime, label="Published", readonly=True)
    tags: Mapped[list[Tag]] = relationship(Tag, secondary=kb_article_tags, info={"label": "Tags"})

    category: Mapped[KbCategory | None] = relationship(KbCategory)

    def before_save(self, env: Any, changed: set[str]) -> None:
        """A change of text is a new revision (its version row is written after the save);
        publishing stamps the time."""
        if self.id is not None and changed & set(VERSIONED_FIELDS):
            self.revision = (self.revision or 1) + 1
        if "state" in changed and self.state == "published":
            self.published_at = env.now()


class KbArticleVersion(Record):
    """The text of an article at one revision."""

    __tablename__ = "kb_article_versions"
    __label__ = "Article version"
    __display_field__ = "title"
    __order__ = ["article_id", "-revision"]
    __table_args__ = (UniqueConstraint("article_id", "revision", name="uq_kb_article_versions_article_revision"),)

    article_id: Mapped[int] = field(ForeignKey("kb_articles.id", ondelete="CASCADE"), label="Article", required=True,
                                    index=True)
    revision: Mapped[int] = field(Integer, label="Revision", required=True)
    title: Mapped[str] = field(String(200), label="Title", required=True)
    summary: Mapped[str | None] = field(String(500), label="Summary")
    body: Mapped[str] = field(Text, label="Body", kind="longtext", required=True)

    article: Mapped[KbArticle] = relationship(KbArticle)
