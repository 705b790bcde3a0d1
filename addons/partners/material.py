"""Marketing material for partners, gathered through the `partner_material` hook.

The partners addon answers the hook itself from the knowledge base when one is installed
(the service desk's `kb_articles`, read through the records service if the resource
exists, never by importing the addon that declares it): the published articles of a
category whose name starts with "Partner". Other addons add their own material.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, current_app

from core.db import db
from core.env import Env
from core.plugins import collect
from core.platform import platform

__all__ = ["Material", "gather", "knowledge_base_material", "publish_hooks", "PARTNER_CATEGORY"]

#: Knowledge base categories whose name starts so hold the partners' material.
PARTNER_CATEGORY = "Partner"


@dataclass(frozen=True)
class Material:
    """A piece of marketing material: its key, title, summary and text."""

    key: str
    title: str
    summary: str | None
    body: str


def publish_hooks(app: Flask) -> None:
    """Add the partners hooks to the plugin manager (once per app)."""
    from addons.partners import hookspecs

    loaded = platform(app)
    published = getattr(loaded.plugins.hook, "partner_material", None)
    if published is None or published.spec is None:
        loaded.plugins.add_hookspecs(hookspecs)


def gather(env: Env) -> list[Material]:
    """Every addon's material for the acting partner user, by title."""
    loaded = platform(current_app)
    found = [item for _addon, item in collect(loaded.plugins, "partner_material", loaded.loaded, env=env)]
    return sorted(found, key=lambda item: (item.title.lower(), item.key))


def knowledge_base_material(env: Env) -> list[Material]:
    """The published articles of the partner categories of the knowledge base, if any is
    installed, read with system rights: partner users have no access to the knowledge base
    itself, only to what is published for them here."""
    models = env.platform.models
    if "kb_articles" not in models or "kb_categories" not in models:
        return []
    records = env.sudo().records
    categories = records.select("kb_categories", [["name", "ilike", f"{PARTNER_CATEGORY}%"]])
    ids = list(db.session.scalars(categories.with_only_columns(models.get("kb_categories").id)))
    if not ids:
        return []
    articles = records.select("kb_articles", [["category_id", "in", ids], ["state", "=", "published"]])
    return [Material(f"kb:{article.id}", article.title, article.summary, article.body)
            for article in db.session.scalars(articles.limit(200))]
