"""Knowledge-base search and suggestions, ranked in SQL over the articles a user may read.

A customer's record rule shows published articles only, so the same search serves the
portal and the back office. Words of the query are matched in the title (weight 3),
the summary (2) and the body (1); articles matching more, and more important, words
come first.
"""
from __future__ import annotations

import re
from typing import Any

from sqlalchemy import case, literal

from core.db import db

__all__ = ["search_articles", "suggest_for_ticket", "words_of", "restore_version"]

_STOP_WORDS = frozenset("""
a an and are as at be but by can cannot could do does for from has have how i if in into is it its me my
no not of on or our please so that the their then there this to too was we what when where which who why
will with you your hello hi thanks thank regards dear help problem issue
""".split())
MAX_WORDS = 8


def words_of(text: str) -> list[str]:
    """The significant words of `text`, lower case, at most MAX_WORDS, in order."""
    words = [w for w in re.findall(r"[^\W_]{3,}", (text or "").lower()) if w not in _STOP_WORDS]
    return list(dict.fromkeys(words))[:MAX_WORDS]


def search_articles(env: Any, text: str, *, limit: int = 10, domain: Any = None) -> list[Any]:
    """Articles `env`'s user may read that match words of `text`, best first."""
    from addons.service_desk.models.kb import KbArticle

    words = words_of(text)
    if not words:
        return []
    score: Any = literal(0)
    for word in words:
        score = score + case((KbArticle.title.icontains(word, autoescape=True), 3), else_=0) \
            + case((KbArticle.summary.icontains(word, autoescape=True), 2), else_=0) \
            + case((KbArticle.body.icontains(word, autoescape=True), 1), else_=0)
    statement = env.records.select("kb_articles", domain).where(score > 0) \
        .order_by(score.desc(), KbArticle.title, KbArticle.id).limit(limit)
    return list(db.session.scalars(statement))


def suggest_for_ticket(env: Any, ticket: Any, *, limit: int = 5) -> list[Any]:
    """Articles that may answer `ticket`: from its subject, description and first message;
    drafts are left out (agents see internal and published ones)."""
    from addons.service_desk.lookup import all_records
    from addons.service_desk.models.tickets import TicketMessage

    first = all_records(env.sudo(), "ticket_messages", [["ticket_id", "=", ticket.id], ["internal", "=", False]],
                        [TicketMessage.sent_at, TicketMessage.id])[:1]
    text = " ".join(part for part in (ticket.subject, ticket.description, first[0].body if first else "") if part)
    return search_articles(env, text, limit=limit, domain=[["state", "!=", "draft"]])


def restore_version(env: Any, article: Any, revision: int) -> Any:
    """Make an earlier revision's text current again (as a new revision)."""
    from addons.service_desk.lookup import all_records

    found = all_records(env, "kb_article_versions", [["article_id", "=", article.id], ["revision", "=", revision]])
    if not found:
        from core.records.errors import ValidationFailed

        raise ValidationFailed({"revision": [f"Article #{article.id} has no revision {revision}."]})
    version = found[0]
    return env.records.update("kb_articles", article.id, {"title": version.title, "summary": version.summary,
                                                          "body": version.body})
