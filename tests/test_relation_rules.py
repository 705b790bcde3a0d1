"""Record rules hold on every path through a relation, checked from the metadata: for every
relation of every model of the shipped addons' demo database and every role (a user with
that one role), a filter through the relation gives the rows, order, count and totals of
the same filter on the system's view where the related records the role may not read do
not exist; through a model the role may not read at all, it is refused."""
from __future__ import annotations

from typing import Any

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import select

from core.addons.state import ExternalId
from core.auth.models import Role, User, user_roles
from core.db import db
from core.domain import DomainError
from core.env import Env
from core.records.errors import AccessDenied
from core.records.grouping import group_by
from core.testing.web import sign_in

SHIPPED = ("contacts", "sales", "service_desk", "campaigns", "cart_rescue", "partners", "membership", "analytics")
#: More than any demo model has records: one page holds every row.
ALL = 10_000


def _one_role_users(make_user: Any) -> dict[str, Any]:
    """A user per role with that role alone: a demo user where one has it, else a new one
    (a portal customer with tickets and exchanges, a partner, an owner of a third of the
    accounts and contacts for "own records only")."""
    system = Env.system().records
    users: dict[str, Any] = {}
    for role in db.session.scalars(select(Role).order_by(Role.id)):
        found = next((user for user in db.session.scalars(select(User).order_by(User.id))
                      if [r.id for r in user.roles] == [role.id]), None)
        users[role.name] = found or _new_user(make_user, system, role)
    return users


def _new_user(make_user: Any, system: Any, role: Role) -> Any:
    external = db.session.scalar(select(ExternalId).where(ExternalId.model == "roles", ExternalId.record_id == role.id))
    xid = f"{external.addon}.{external.key}"
    login = xid.replace(".", "_")
    if xid == "base.portal":
        ticket = system.search("tickets", [["contact.account_id", "is not null", None]], limit=1).records[0]
        return make_user(login, roles=[xid], kind="portal", contact_id=ticket.contact_id, password=None)
    user = make_user(login, roles=[xid], kind="partner" if xid == "base.partner" else "internal", password=None)
    if xid == "contacts.own":
        for resource in ("accounts", "contacts"):
            for record in system.search(resource, limit=ALL, order="id").records[::3]:
                record.owner_id = user.id
        db.session.commit()
    return user


def _ids(records: Any, resource: str, domain: Any) -> list[int]:
    """Ids of the matching records, in the model's order, read as the API reads a page."""
    return [row["id"] for row in records.search_dumped(resource, domain, limit=ALL, fields=["id"]).rows]


def _groups(records: Any, resource: str, domain: Any) -> list[tuple[Any, ...]]:
    """Counts and sums per group of each of the model's totals (none for most models)."""
    return [(group.value, group.count, tuple(group.sums.values()))
            for totals in records.env.platform.summaries_of(resource)
            for group in group_by(records, resource, totals.summary.group_by[0], domain, sums=totals.summary.sums)]


@pytest.mark.spectrum_addons(*SHIPPED, demo=True)
def test_a_filter_through_any_relation_ignores_the_related_records_a_role_may_not_read(app, make_user):
    system = Env.system().records
    models = app.extensions["spectrum"].models
    readable: dict[tuple[str, str], set[int]] = {}

    def visible(role: str, records: Any, resource: str) -> set[int]:
        if (role, resource) not in readable:
            model = models.get(resource)
            readable[role, resource] = set(db.session.scalars(records.select(resource).with_only_columns(model.id)))
        return readable[role, resource]

    refused, hidden = set(), set()
    for role, user in _one_role_users(make_user).items():
        records = Env.for_user(user).records
        for resource, model in models.items():
            if not records.policy.can(resource, "read"):
                with pytest.raises(AccessDenied):
                    records.search(resource, [])
                continue
            sources = visible(role, records, resource)
            for relation in model.__mapper__.relationships:
                target = relation.mapper.class_.resource_name()
                path = f"{relation.key}.id"
                if not records.policy.can(target, "read"):
                    with pytest.raises(DomainError, match=f"to {target!r}, which you may not read"):
                        records.search(resource, [[path, "is not null", None]])
                    refused.add((role, resource, relation.key))
                    continue
                reachable = visible(role, records, target)
                unreadable = set(db.session.scalars(select(relation.mapper.class_.id))) - reachable
                if not unreadable:
                    continue  # nothing to hide: any answer is the system's
                hidden.add((role, resource, relation.key))
                for domain, matching in _cases(system, relation, records.readable_fields(target), unreadable):
                    allowed = sorted(matching & reachable)
                    oracle = [["id", "in", sorted(sources)], domain(allowed)]
                    asked = domain(None)
                    case = f"{role}: {resource} {asked}"
                    assert _ids(records, resource, asked) == _ids(system, resource, oracle), case
                    assert records.count(resource, asked).value == system.count(resource, oracle).value, case
                    assert _groups(records, resource, asked) == _groups(system, resource, oracle), case
    # Among them, the paths of the issue: a salesperson's leads through another's
    # opportunity, a customer's ticket messages through tickets, own contacts through
    # another's account; and a customer's tickets through their account, which they may not read.
    assert {("Sales: salesperson", "leads", "opportunity"), ("Portal user", "ticket_messages", "ticket"),
            ("Contacts: own records only", "contacts", "account")} <= hidden, sorted(hidden)
    assert ("Portal user", "tickets", "account") in refused, sorted(refused)


def _cases(system: Any, relation: Any, readable_fields: tuple[str, ...], unreadable: set[int]) -> list[Any]:
    """(domain builder, ids of the related records its condition matches): the builder
    gives the asked domain with None, and with a list of related ids the same condition
    on the system's view, where only those related records exist."""
    key = relation.key
    every = set(db.session.scalars(select(relation.mapper.class_.id)))
    cases = [
        (lambda ids: [f"{key}.id", "is not null", None] if ids is None else [f"{key}.id", "in", ids], every),
        (lambda ids: {"not": [f"{key}.id", "is not null", None] if ids is None else [f"{key}.id", "in", ids]},
         every),
    ]
    # A value only a record the role may not read has: what a probing filter would ask for.
    target = relation.mapper.class_
    for name in readable_fields:
        column = target.__table__.c.get(name)
        if name == "id" or column is None or not unreadable:
            continue
        value = db.session.scalar(select(column).where(target.id.in_(sorted(unreadable)), column.is_not(None))
                                  .order_by(target.id).limit(1))
        if value is None or isinstance(value, (dict, list)):
            continue
        condition = [f"{key}.{name}", "=", _domain_value(value)]
        matching = set(db.session.scalars(select(target.id).where(column == value)))
        cases.append((lambda ids, condition=condition: condition if ids is None else [f"{key}.id", "in", ids],
                      matching))
        break
    return cases


def _domain_value(value: Any) -> Any:
    """A stored value as a filter gives it (dates and times as ISO 8601 text, decimals as text)."""
    if isinstance(value, (int, float, bool, str)):
        return value
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def test_a_path_through_a_model_the_user_may_not_read_is_refused_everywhere(make_user, client, api_as):
    system = Env.system().records
    readers = system.create("roles", {"name": "Contact readers"})
    system.create("model_access", {"role_id": readers.id, "model": "contacts", "can_read": True})
    db.session.commit()
    rita = make_user("rita", roles=["base.user"])
    db.session.execute(user_roles.insert().values(user_id=rita.id, role_id=readers.id))
    db.session.commit()
    refused = "'account.name' goes through 'account' to 'accounts', which you may not read"
    domain = '[["account.name", "=", "Acme"]]'
    answer = api_as(rita).get("/api/v1/contacts", query_string={"filter": domain})
    assert (answer.status_code, answer.get_json()["errors"]) == (400, {"filter": [refused]})
    sign_in(client, "rita")
    for path in ("/m/contacts", "/m/contacts/export.csv"):
        page = client.get(path, query_string={"filter": domain})
        text = BeautifulSoup(page.get_data(as_text=True), "html.parser").text
        assert (page.status_code, "goes through 'account' to 'accounts', which you may not read" in text) == \
            (400, True)
