"""The user-template sandbox, attacked as a salesperson, a template editor and an admin
would: no template reads a value its author could not read through the API, none writes,
and none outgrows its size or time limits."""
from __future__ import annotations

import time
import tracemalloc
from typing import Any

import pytest
from sqlalchemy import select, text

from core.auth.models import ApiToken, User
from core.db import db
from core.env import Env
from core.mail.models import MailMessage
from core.testing.web import sign_in

pytestmark = pytest.mark.spectrum_addons("contacts", "sales")

#: Attribute walks tried from every field of the records a template sees.
WALKS = (
    "{{ F.__class__ }}", "{{ F.__class__.__mro__ }}", "{{ F.query }}", "{{ F.session }}", "{{ F.registry }}",
    "{{ F.metadata }}", "{{ F.bind }}", "{{ F._sa_instance_state }}", "{{ F.mapper }}", "{{ F[0].query }}",
    "{{ F[0].__class__.query.all() }}", "{{ F[0].registry.mappers }}", "{{ F[0].metadata.tables }}",
    "{{ F[0]._record }}", "{{ F[0]._env.records }}", "{{ F|attr('query') }}", "{{ (F|first)|attr('metadata') }}",
    "{{ (F|first)|attr('_record') }}", "{{ F|map(attribute='query')|list }}",
    "{{ F|map(attribute='__class__')|list }}", "{{ '{0.__class__.__init__.__globals__}'.format(F) }}",
    "{{ F.format }}", "{{ F.append(1) }}", "{{ F.update({'name': 'x'}) }}", "{{ F.of }}", "{{ F.__dict__ }}",
    "{{ F[0].query.update({'name': 'pwned'}) }}", "{{ F[0].__class__.query.session.commit() }}",
    "{{ F.real.__class__ }}", "{{ F.year.__class__.__base__ }}", "{{ F|string|attr('__class__') }}",
)
#: Walks that start from the template's globals and the context itself.
GLOBAL_WALKS = (
    "{{ ''.__class__.__mro__[1].__subclasses__() }}", "{{ range.__self__ }}", "{{ namespace.__init__.__globals__ }}",
    "{{ dict.mro() }}", "{{ self.__init__ }}", "{{ self._TemplateReference__context }}", "{{ lipsum.__globals__ }}",
    "{{ cycler.__init__.__globals__.os }}", "{{ record._env }}", "{{ record._record }}",
    "{{ record.of(none, 'users', 1) }}", "{{ recipient._record._record }}", "{{ recipient.__class__ }}",
    "{{ record.password_hash }}", "{{ record|attr('_record')|attr('password_hash') }}",
    "{% for key in record.__slots__ %}{{ key }}{% endfor %}", "{{ config }}", "{{ request }}", "{{ g }}",
    "{{ '%s' % record }}", "{{ record|pprint }}", "{{ record|tojson }}", "{{ record|safe }}",
)


def _attempts(env: Env, resource: str) -> list[str]:
    """Every walk from every field of `resource` that `env`'s user may read, plus the global ones."""
    names = [name for name in env.records.readable_fields(resource)]
    links = [name[:-3] for name in names if env.records.meta(resource).fields[name].kind == "many2one"]
    return [walk.replace("F", f"record.{name}") for name in [*names, *links, "display_name"] for walk in WALKS] \
        + list(GLOBAL_WALKS)


def _secrets() -> list[str]:
    """What no template may print: every password hash and token digest."""
    hashes = [h for h in db.session.scalars(select(User.password_hash)) if h]
    digests = list(db.session.scalars(select(ApiToken.digest)))
    return [*hashes, *[h[-16:] for h in hashes], *digests]


def _snapshot() -> tuple[Any, ...]:
    """The rows a template would change if it could write."""
    db.session.expire_all()
    users = db.session.execute(text("SELECT id, login, name, password_hash, active, version FROM users "
                                    "ORDER BY id")).all()
    roles = db.session.execute(text("SELECT id, name, full_access, version FROM roles ORDER BY id")).all()
    tokens = db.session.execute(text("SELECT id, digest, revoked FROM api_tokens ORDER BY id")).all()
    return users, roles, tokens


LEAKS = ("<class", "sqlalchemy", "Session", "Mapper", "object at 0x", "__globals__", "builtins")


def _assert_harmless(output: str, secrets: list[str], attempt: str) -> None:
    for secret in secrets:
        assert secret not in output, f"{attempt!r} printed a secret"
    for leak in LEAKS:
        assert leak not in output, f"{attempt!r} printed {leak!r}: {output[:200]}"


@pytest.fixture
def people(app, make_user, admin):
    """An admin, a salesperson, a salesperson who also edits mail templates, and a
    contact tagged and linked to an account, with an opportunity the salesperson owns."""
    seller = make_user("seller", roles=["sales.salesperson"])
    editor = make_user("editor", roles=["sales.salesperson", "base.mail_template_editor"])
    records = Env.system().records
    account = records.create("accounts", {"name": "Globex"})
    contact = records.create("contacts", {"first_name": "Ada", "last_name": "Lovelace", "email": "ada@example.com",
                                          "account_id": account.id, "tags": ["vip", "press"]})
    db.session.commit()
    return {"admin": admin, "seller": seller, "editor": editor, "contact": contact}


def test_previewing_or_sending_template_sources_is_refused_to_a_salesperson(app, people, api_as):
    api = api_as(people["seller"])
    target = {"model": "users", "id": people["admin"].id}
    preview = api.post("/api/v1/_admin/mail/preview", json={"subject": "x", "text": "{{ record.roles[0].name }}",
                                                            "record": target})
    assert preview.status_code == 403
    send = api.post("/api/v1/_admin/mail/send", json={"to": "x@example.com", "subject": "s", "text": "t"})
    assert send.status_code == 403
    assert db.session.scalar(select(MailMessage.id)) is None


@pytest.mark.parametrize("who", ["editor", "admin"])
def test_no_escape_through_the_preview_api(app, people, api_as, who):
    user = people[who]
    api = api_as(user)
    env = Env.for_user(user)
    secrets = _secrets()
    before = _snapshot()
    targets = [("users", people["admin"].id), ("contacts", people["contact"].id), ("roles", 1)]
    tried = 0
    for resource, record_id in targets:
        for attempt in _attempts(env, resource):
            response = api.post("/api/v1/_admin/mail/preview", json={
                "subject": "s", "text": attempt, "html": attempt, "record": {"model": resource, "id": record_id},
                "recipient": {"model": resource, "id": record_id}})
            assert response.status_code in (200, 422), (attempt, response.get_data(as_text=True))
            body = response.get_data(as_text=True)
            _assert_harmless(body, secrets, attempt)
            tried += 1
    assert tried > 300  # every field of three models, each with every walk
    assert _snapshot() == before


def test_the_views_give_plain_values_for_every_field_kind(app, people, api_as):
    api = api_as(people["editor"])
    contact = people["contact"]
    source = ("{{ record.tags|join(',') }}|{{ record.account.name }}|{{ record.account_id }}|"
              "{{ record.created_at.year }}|{{ record.email|upper }}|{{ record.display_name }}")
    response = api.post("/api/v1/_admin/mail/preview", json={
        "subject": "s", "text": source, "record": {"model": "contacts", "id": contact.id}})
    assert response.status_code == 200, response.json
    assert response.json["text"] == f"press,vip|Globex|{contact.account_id}|{contact.created_at.year}|" \
                                    "ADA@EXAMPLE.COM|Ada Lovelace"
    roles = api.post("/api/v1/_admin/mail/preview", json={
        "subject": "s", "text": "{% for r in record.roles %}{{ r.name }};{% endfor %}",
        "record": {"model": "users", "id": people["editor"].id}})
    assert roles.status_code == 200
    assert set(roles.json["text"].strip(";").split(";")) == {"Sales: salesperson", "Mail template editor"}


def test_a_template_shows_only_what_its_author_may_read(app, people, api_as, make_user):
    """A record rule hides another seller's opportunity: a template cannot reach it by a link."""
    other = make_user("other", roles=["sales.salesperson"])
    records = Env.system().records
    hidden = records.create("opportunities", {"name": "Secret deal", "owner_id": other.id,
                                              "account_id": people["contact"].account_id})
    db.session.commit()
    api = api_as(people["editor"])
    direct = api.post("/api/v1/_admin/mail/preview", json={
        "subject": "s", "text": "{{ record.name }}", "record": {"model": "opportunities", "id": hidden.id}})
    assert direct.status_code == 404
    assert api.get(f"/api/v1/opportunities/{hidden.id}").status_code == 404


def test_every_renderer_goes_through_the_sandbox(app, people, api_as, client, smtp_server):
    """The test send of the API stores what it rendered; the admin preview page renders a
    stored template: both refuse the walks and print no secret."""
    smtp_server.configure(app)
    admin = people["admin"]
    api = api_as(admin)
    secrets = _secrets()
    before = _snapshot()
    walks = ["{{ record.roles[0].query.all() }}", "{{ record.roles[0].__class__ }}",
             "{{ record.roles|map(attribute='registry')|list }}"]
    for walk in walks:
        send = api.post("/api/v1/_admin/mail/send", json={
            "to": "ops@example.com", "subject": "s", "text": walk, "record": {"model": "users", "id": admin.id}})
        assert send.status_code in (202, 422), send.json
        if send.status_code == 202:
            _assert_harmless(db.session.get(MailMessage, send.json["id"]).body_text, secrets, walk)
    assert db.session.scalar(select(MailMessage.id).where(MailMessage.body_text.contains("roles"))) is None
    records = Env.system().records
    template = records.create("mail_templates", {"name": "walk", "subject": "s", "model": "users",
                                                 "body_text": walks[0]})
    db.session.commit()
    sign_in(client, "admin")
    page = client.get(f"/admin/mail/templates/{template.id}/preview?model=users&record_id={admin.id}")
    assert page.status_code == 422
    _assert_harmless(page.get_data(as_text=True), secrets, walks[0])
    assert _snapshot() == before


BOMBS = {
    "repeat": "{{ ('x' * 50000000)|length }}",
    "nested loops": "{% for a in range(100000) %}{% for b in range(100000) %}{% endfor %}{% endfor %}",
    "loops over text": "{% for a in 'x' * 90000 %}{% for b in 'x' * 90000 %}{% endfor %}{% endfor %}",
    "filtered loops": "{% for a in range(100000) %}{% for b in range(100000) if false %}{% endfor %}{% endfor %}",
    "power": "{{ 9 ** (9 ** 9) }}",
    "doubling": "{% set ns = namespace(s='x') %}{% for i in range(64) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}",
    "macro output": "{% macro d(s) %}{{s}}{{s}}{{s}}{{s}}{{s}}{{s}}{{s}}{{s}}{% endmacro %}"
                    "{{ d(d(d(d(d(d(d(d(d(d('xxxxxxxxxx')))))))))) }}",
    "exponential calls": "{% macro f(n) %}{% if n %}{{ f(n - 1) }}{{ f(n - 1) }}{% endif %}{% endmacro %}{{ f(60) }}",
    "replace": "{{ ('x' * 100000)|replace('x', 'y' * 100000) }}",
    "join": "{{ range(100000)|map('string')|join('x' * 1000) }}",
    "format width": "{{ '{0:>999999999}'.format(1) }}",
    "printf width": "{{ '%0999999999d' % 1 }}",
    "center": "{{ 'x'|center(999999999) }}",
    "sum of lists": "{{ [[0] * 10000] * 10000|sum(start=[]) }}",
    "recursion": "{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}",
    "big number": "{{ (2 ** 4000) * (2 ** 4000) }}",
}


def test_template_bombs_are_refused_quickly_and_in_bounded_memory(app, people, api_as):
    app.extensions["spectrum"].settings.update({"template_max_milliseconds": 500, "template_max_size": 200_000})
    api = api_as(people["admin"])
    for name, bomb in BOMBS.items():
        tracemalloc.start()
        started = time.monotonic()
        response = api.post("/api/v1/_admin/mail/preview", json={"subject": "s", "text": bomb})
        elapsed = time.monotonic() - started
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        assert response.status_code == 422, (name, response.get_data(as_text=True)[:300])
        assert response.json["errors"]["body_text"], name
        assert elapsed < 5, (name, elapsed)
        assert peak < 64 * 2**20, (name, peak)


def test_a_template_that_does_not_parse_is_refused_beside_its_field(app, people, api_as):
    api = api_as(people["admin"])
    response = api.post("/api/v1/mail_templates", json={"name": "broken", "subject": "Hi {{ name",
                                                         "body_text": "ok\n{% for x in y %}"})
    assert response.status_code == 422
    assert response.json["errors"]["subject"] == ["Line 1: unexpected end of template, expected 'end of print "
                                                  "statement'."]
    assert response.json["errors"]["body_text"][0].startswith("Line 2:")


def test_views_of_a_batch_read_each_link_once_and_hide_what_the_user_may_not_read(app, make_user):
    """`RecordView.many` gives the same values as one view per record, reads the accounts of
    the whole batch in one query, and a hidden account is None there as it is alone."""
    from core.testing.sql import selects, sent_statements
    from core.templating import RecordView

    owner = make_user("owner", roles=["contacts.own"])
    records = Env.system().records
    mine = records.create("accounts", {"name": "Mine Ltd", "owner_id": owner.id})
    theirs = records.create("accounts", {"name": "Theirs plc"})
    contacts = [records.create("contacts", {"last_name": f"Batch{n}", "owner_id": owner.id,
                                            "account_id": (mine if n % 2 else theirs).id}) for n in range(6)]
    db.session.commit()
    env = Env.for_user(owner)
    with sent_statements() as sent:
        views = RecordView.many(env, "contacts", contacts, follow=("account",))
        names = [view.account.name if view.account else None for view in views]
    assert names == [None, "Mine Ltd"] * 3
    assert len([s for s in selects(sent) if "FROM accounts" in s]) == 1
    alone = [RecordView(env, "contacts", contact) for contact in contacts]
    assert [view.account.name if view.account else None for view in alone] == names
    assert [view.last_name for view in views] == [view.last_name for view in alone]
