"""How a rescue's steps are named to people: a send step by its message's channel and
subject (or SMS text), its placeholders shown as an ellipsis ("Email: Your cart at … is
waiting"), another step by its position and kind ("2. wait")."""
from __future__ import annotations

import re
from typing import Any, Iterable

from sqlalchemy import select

from core.db import db
from core.env import Env

from addons.campaigns.models.choices import CHANNELS

__all__ = ["message_label", "step_labels"]

#: A template's placeholders, shown as an ellipsis in the message's label.
_TEMPLATED = re.compile(r"\{\{.*?\}\}|\{%.*?%\}")
_CHANNELS = {value: label.split(" (")[0] for value, label in CHANNELS}


def message_label(message: Any) -> str:
    """A campaign message's subject (an SMS: its text) without its template placeholders."""
    return _TEMPLATED.sub("…", message.subject or message.sms_text or "")


def _message_id(kind: str, config: Any) -> int | None:
    value = (config or {}).get("message_id") if kind == "send" else None
    return int(value) if value else None


def step_labels(env: Env, step_ids: Iterable[int]) -> dict[int, str]:
    """{step id: label} of the journey steps `env` may read, in the order of their
    journeys' positions; the messages are named only to those who may read them."""
    ids = list(step_ids)
    if not ids or not env.policy.can("journey_steps", "read"):
        return {}
    steps = db.session.execute(_steps(env, ids)).all()
    message_ids = {mid for _, _, kind, config in steps if (mid := _message_id(kind, config)) is not None}
    messages = {message.id: message for message in db.session.scalars(
        env.records.select("campaign_messages", [["id", "in", sorted(message_ids)]]))} \
        if message_ids and env.policy.can("campaign_messages", "read") else {}
    labels = {}
    for step_id, position, kind, config in steps:
        message = messages.get(_message_id(kind, config))
        labels[step_id] = (f"{_CHANNELS.get(message.channel, message.channel)}: {message_label(message)}"
                           if message is not None else f"{position}. {kind}")
    return labels


def _steps(env: Env, ids: list[int]) -> Any:
    steps = env.records.subquery("journey_steps", [["id", "in", ids]])
    return select(steps.c.id, steps.c.position, steps.c.kind, steps.c.config).order_by(steps.c.journey_id,
                                                                                        steps.c.position)
