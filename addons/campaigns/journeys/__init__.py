"""Journeys: contacts enter from a segment or on an event and go through steps (send,
wait, branch, update, activity, notify, exit), each step run once per member.

`entry` admits members; `engine` is the `journeys.advance` job that moves them on;
`steps` what each step kind does; `waits` when a wait ends on the contact's clock;
`page` the journey's flow on its record page and its Activate / Pause actions; `retry`
puts a member whose step failed back at that step, which `member_page` offers on the
member's page and in members lists.
"""
from __future__ import annotations

from core.declarations import EventHandler, Job

__all__ = ["journey_jobs", "journey_handlers"]


def journey_jobs() -> list[Job]:
    """The `journeys.advance` job."""
    from addons.campaigns.journeys.engine import advance_jobs

    return advance_jobs()


def journey_handlers() -> list[EventHandler]:
    """Segment refreshes admitting members, journeys activated or closed, and the demo
    journey's members written once the addon is installed with demo data."""
    from addons.campaigns.journeys.demo import demo_journey_handlers
    from addons.campaigns.journeys.engine import lifecycle_handlers
    from addons.campaigns.journeys.entry import entry_handlers

    return [*entry_handlers(), *lifecycle_handlers(), *demo_journey_handlers()]
