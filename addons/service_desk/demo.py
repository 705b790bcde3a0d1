"""Demo data: a Paris office calendar, SLA policies, agents in teams, categories,
knowledge-base articles, canned responses, macros and tickets of the demo contacts.

The same seed gives the same records; times are relative to today so a new demo
database has work due now. Agents have no password: set one with `spectrum users`.
Agent replies carry a Message-ID, as imported history does, so loading the demo never
sends mail to the (invented) customers.
"""
from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone
from typing import Any

from core.declarations import DataRecord, Ref

__all__ = ["demo_records", "TICKETS"]

TICKETS = 60
_AGENTS = [("alice", "Alice Martin"), ("bruno", "Bruno Petit"), ("chloe", "Chloé Bernard"), ("david", "David Roux")]
_HOLIDAYS_2026 = [
    ("2026-01-01", "New Year's Day"), ("2026-04-06", "Easter Monday"), ("2026-05-01", "Labour Day"),
    ("2026-05-08", "Victory in Europe Day"), ("2026-05-14", "Ascension Day"), ("2026-05-25", "Whit Monday"),
    ("2026-07-14", "Bastille Day"), ("2026-08-15", "Assumption of Mary"), ("2026-11-01", "All Saints' Day"),
    ("2026-11-11", "Armistice Day"), ("2026-12-25", "Christmas Day"),
]
_ARTICLES = [
    ("reset-password", "How to reset your password", "Use the 'Forgot password' link on the sign-in page.",
     "Open the sign-in page, choose 'Forgot password', enter your email address and follow the link we send. "
     "The link works for one hour.", "account", "published"),
    ("invoice-copy", "Getting a copy of an invoice", "Invoices are in your account under Billing.",
     "Sign in, open Billing and download any invoice as PDF. Invoices older than ten years are archived: "
     "open a ticket to receive them.", "billing", "published"),
    ("printer-offline", "Printer shows as offline", "Restart the printer and check the network cable.",
     "A printer shown offline is usually disconnected from the network. Restart it, check the cable or the "
     "wifi settings, then remove and add the printer again.", "hardware", "published"),
    ("vpn-setup", "Setting up the VPN client", "Install the client and import the profile we send.",
     "Download the VPN client for your system, import the profile attached to your welcome email and sign in "
     "with your usual password.", "software", "published"),
    ("refund-policy", "Refunds", "Refunds within 30 days of purchase.",
     "We refund any purchase within 30 days. Refunds reach your account within five business days.",
     "billing", "published"),
    ("escalation-checklist", "Escalation checklist (agents)", "What to collect before escalating to Tier 2.",
     "Collect the customer's environment, the exact error, the time it happened and what was tried already.",
     "software", "internal"),
    ("known-issue-sync", "Known issue: calendar sync delays", "Sync may lag up to an hour; a fix is coming.",
     "Calendar sync can lag by up to one hour after the last update. Engineering tracks it; no action needed.",
     "software", "draft"),
]
_SUBJECTS = [
    ("Cannot reset my password", "account"), ("Invoice copy for March", "billing"), ("Printer offline again", "hardware"),
    ("VPN does not connect", "software"), ("Refund for a double charge", "billing"), ("Laptop screen flickers", "hardware"),
    ("App crashes on start", "software"), ("Change the billing address", "billing"), ("Add a user to our account", "account"),
    ("Calendar sync is slow", "software"),
]


def _setup() -> list[DataRecord]:
    records = [DataRecord("service_desk.demo_calendar", "business_calendars", {
        "name": "Office hours (Paris)", "timezone": "Europe/Paris",
        "description": "Monday to Friday, 09:00-12:30 and 13:30-18:00, French public holidays off."})]
    for number, day in enumerate(("mon", "tue", "wed", "thu", "fri")):
        for part, (start, end) in enumerate((("09:00", "12:30"), ("13:30", "18:00"))):
            records.append(DataRecord(f"service_desk.demo_frame_{number}_{part}", "calendar_time_frames", {
                "calendar_id": Ref("service_desk.demo_calendar"), "weekday": day, "start_time": start,
                "end_time": end}))
    records += [DataRecord(f"service_desk.demo_holiday_{day}", "calendar_holidays", {
        "calendar_id": Ref("service_desk.demo_calendar"), "day": day, "name": name}) for day, name in _HOLIDAYS_2026]
    for key in ("billing", "hardware", "software", "account", "french"):
        records.append(DataRecord(f"service_desk.demo_skill_{key}", "helpdesk_skills", {"name": key}))
    for login, name in _AGENTS:
        records.append(DataRecord(f"service_desk.demo_agent_{login}", "users", {
            "login": login, "name": name, "email": f"{login}@support.example.com", "kind": "internal",
            "roles": [Ref("service_desk.agent")]}))
    records += [
        DataRecord("service_desk.demo_team_tier1", "helpdesk_teams", {
            "name": "Tier 1", "email": "support@example.com", "assignment_method": "least_open",
            "leader_id": Ref("service_desk.demo_agent_alice")}),
        DataRecord("service_desk.demo_team_tier2", "helpdesk_teams", {
            "name": "Tier 2", "email": "tier2@example.com", "assignment_method": "round_robin",
            "leader_id": Ref("service_desk.demo_agent_chloe")}),
        DataRecord("service_desk.demo_team_billing", "helpdesk_teams", {
            "name": "Billing", "email": "billing@example.com", "assignment_method": "skill_match"}),
    ]
    members = [("tier1", "alice", ["account", "hardware"]), ("tier1", "bruno", ["hardware", "french"]),
               ("tier2", "chloe", ["software"]), ("tier2", "david", ["software", "hardware"]),
               ("billing", "bruno", ["billing"]), ("billing", "david", ["billing", "french"])]
    for team, login, skills in members:
        records.append(DataRecord(f"service_desk.demo_member_{team}_{login}", "team_members", {
            "team_id": Ref(f"service_desk.demo_team_{team}"), "user_id": Ref(f"service_desk.demo_agent_{login}"),
            "skills": [Ref(f"service_desk.demo_skill_{skill}") for skill in skills]}))
    for key, team in (("account", "tier1"), ("billing", "billing"), ("hardware", "tier1"), ("software", "tier1")):
        records.append(DataRecord(f"service_desk.demo_category_{key}", "ticket_categories", {
            "name": key.title(), "team_id": Ref(f"service_desk.demo_team_{team}"),
            "skill_id": Ref(f"service_desk.demo_skill_{key}")}))
    records += [
        DataRecord("service_desk.demo_policy_urgent", "sla_policies", {
            "name": "Urgent", "sequence": 1, "condition": [["priority", "=", "urgent"]],
            "calendar_id": Ref("service_desk.demo_calendar"), "first_response_minutes": 60,
            "next_update_minutes": 120, "resolution_minutes": 480, "warning_percent": 75}),
        DataRecord("service_desk.demo_policy_standard", "sla_policies", {
            "name": "Standard", "sequence": 10, "is_fallback": True, "calendar_id": Ref("service_desk.demo_calendar"),
            "first_response_minutes": 240, "next_update_minutes": 960, "resolution_minutes": 2400}),
        DataRecord("service_desk.demo_escalation_urgent", "sla_escalations", {
            "policy_id": Ref("service_desk.demo_policy_urgent"), "name": "Urgent breach to Tier 2",
            "on_event": "breach", "reassign_team_id": Ref("service_desk.demo_team_tier2"), "notify_leader": True}),
    ]
    return records


def _knowledge() -> list[DataRecord]:
    records = [DataRecord(f"service_desk.demo_kb_category_{key}", "kb_categories", {"name": key.title(), "sequence": n})
               for n, key in enumerate(("account", "billing", "hardware", "software"))]
    for key, title, summary, body, category, state in _ARTICLES:
        records.append(DataRecord(f"service_desk.demo_article_{key}", "kb_articles", {
            "title": title, "summary": summary, "body": body, "state": state,
            "category_id": Ref(f"service_desk.demo_kb_category_{category}"), "tags": [category]}))
    records += [
        DataRecord("service_desk.demo_canned_more_info", "canned_responses", {
            "name": "Ask for details", "body": "Hello {{ contact.first_name }},\n\nThank you for contacting us about "
            "{{ ticket.subject }}. Could you tell us when it happened and send a screenshot?\n\n{{ agent.name }}"}),
        DataRecord("service_desk.demo_canned_solved", "canned_responses", {
            "name": "Solved", "body": "Hello {{ contact.first_name }},\n\nWe believe {{ ticket.number }} is solved. "
            "Reply to this message if anything is still wrong.\n\n{{ agent.name }}"}),
        DataRecord("service_desk.demo_macro_more_info", "helpdesk_macros", {
            "name": "Ask for details and wait", "canned_response_id": Ref("service_desk.demo_canned_more_info"),
            "set_status": "pending_customer", "assign": "me"}),
        DataRecord("service_desk.demo_macro_solved", "helpdesk_macros", {
            "name": "Reply solved", "canned_response_id": Ref("service_desk.demo_canned_solved"), "set_status": "solved"}),
        DataRecord("service_desk.demo_macro_tier2", "helpdesk_macros", {
            "name": "Escalate to Tier 2", "set_team_id": Ref("service_desk.demo_team_tier2"), "assign": "team",
            "set_priority": "high", "add_tags": "escalated"}),
    ]
    return records


def _tickets(rng: random.Random, times: random.Random, now: datetime) -> list[DataRecord]:
    """Tickets over the past year, each lived through at its own times (`DataRecord.at`):
    opened by the customer's message, answered some hours later, then solved or closed
    (every older one is); so SLA figures, charts and histories read as a real desk's."""
    records = []
    for n in range(1, TICKETS + 1):
        subject, category = rng.choice(_SUBJECTS)
        recent = times.random() < 0.6
        opened = now - timedelta(hours=times.randint(1, 24 * (40 if recent else 365)))
        contact = Ref(f"contacts.demo_contact_{rng.randint(1, 60)}_1")
        status = rng.choice(["new", "open", "open", "pending_customer", "on_hold", "solved", "closed"])
        if not recent:
            status = "closed" if status in ("new", "open", "closed") else "solved"
        ticket = f"service_desk.demo_ticket_{n}"
        values: dict[str, Any] = {
            "subject": subject, "contact_id": contact, "opened_at": opened.isoformat(),
            "channel": rng.choice(["email", "email", "portal", "phone", "chat", "web_form"]),
            "priority": rng.choice(["low", "normal", "normal", "high", "urgent"]),
            "category_id": Ref(f"service_desk.demo_category_{category}"),
        }
        records.append(DataRecord(ticket, "tickets", values, at=opened))
        records.append(DataRecord(f"service_desk.demo_message_{n}_1", "ticket_messages", {
            "ticket_id": Ref(ticket), "direction": "inbound", "author_contact_id": contact,
            "body": f"Hello, {subject.lower()}. Can you help?"}, at=opened))
        answered = min(opened + timedelta(minutes=times.randint(20, 60 * 30)), now - timedelta(minutes=5))
        if status != "new":
            records.append(DataRecord(f"service_desk.demo_message_{n}_2", "ticket_messages", {
                "ticket_id": Ref(ticket), "direction": "outbound",
                "email_message_id": f"<demo-{n}-2@support.example.com>",
                "body": "Thank you, we are looking into it and will update you soon."}, at=answered))
        if rng.random() < 0.3:
            records.append(DataRecord(f"service_desk.demo_note_{n}", "ticket_messages", {
                "ticket_id": Ref(ticket), "internal": True,
                "body": "Internal: checked the logs, nothing unusual yet."}, at=answered))
        if status != "new":
            settled = min(answered + timedelta(minutes=times.randint(30, 60 * 72)), now - timedelta(minutes=1))
            final: dict[str, Any] = {"status": status}
            if status in ("solved", "closed") and rng.random() < 0.7:
                final.update(csat_rating=rng.choice([2, 3, 4, 4, 5, 5]), csat_comment=rng.choice([None, "Quick, thanks."]))
            records.append(DataRecord(ticket, "tickets", final, at=settled))
    return records


def demo_records(seed: int) -> list[DataRecord]:
    """Every demo record, the same for the same seed on the same day (of the platform's clock)."""
    from core.platform import platform

    rng = random.Random(seed)
    times = random.Random(seed + 1)  # when things happened, apart: the same seed keeps its tickets
    today = platform().clock.now().date()
    now = datetime(today.year, today.month, today.day, tzinfo=timezone.utc)
    return [*_setup(), *_knowledge(), *_tickets(rng, times, now)]
