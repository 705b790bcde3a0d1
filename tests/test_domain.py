"""The filter language: every operator, combinations, relation paths, context values and errors."""
from __future__ import annotations

from types import SimpleNamespace

import pytest

from core.db import db
from core.domain import DomainContext, DomainError, compile_domain, parse_domain, validate_domain
from core.env import Env
from core.platform import platform


@pytest.fixture
def world(make_user):
    alice = make_user("alice", roles=["contacts.user"])
    records = Env.system().records
    acme = records.create("accounts", {"name": "Acme", "industry": "retail", "owner_id": alice.id})
    globex = records.create("accounts", {"name": "Globex", "industry": "media"})
    initech = records.create("accounts", {"name": "Initech"})
    people = [
        {"first_name": "Ann", "last_name": "Lee", "city": "Paris", "email": "ann@acme.example", "title": "CEO",
         "account_id": acme.id, "consent_email": True, "tags": ["vip"], "owner_id": alice.id,
         "birth_date": "1980-05-01"},
        {"first_name": "Bob", "last_name": "Stone", "city": "paris", "email": "bob@globex.example", "title": "Buyer",
         "account_id": globex.id, "tags": ["vip", "newsletter"], "birth_date": "1990-01-01"},
        {"first_name": "Cy", "last_name": "Young", "title": "cto"},
        {"first_name": "Di", "last_name": "LEE", "city": "Berlin", "email": "di@acme.example",
         "title": "Buyer 100%_x", "account_id": acme.id, "consent_email": True},
    ]
    contacts = [records.create("contacts", values) for values in people]
    times = ["2026-01-01T10:00:00Z", "2025-12-01T10:00:00Z", None]
    interactions = [records.create("interactions", {"channel": "email", "subject": f"Touch {i}", "occurred_at": when,
                                                    "contact_id": contacts[i].id})
                    for i, when in enumerate(times) if when]
    interactions.append(records.create("interactions", {"channel": "note", "subject": "Account note",
                                                        "occurred_at": "2026-01-05T08:00:00Z",
                                                        "account_id": initech.id}))
    db.session.commit()
    return SimpleNamespace(alice=alice, accounts=[acme, globex, initech], c=[c.id for c in contacts],
                           i=[i.id for i in interactions])


def ids(resource, domain, user=None):
    env = Env.for_user(user) if user is not None else Env.system()
    return sorted(r.id for r in env.records.search(resource, domain, order="id", limit=500).records)


def test_comparison_operators(world):
    c = world.c
    assert ids("contacts", [["city", "=", "Paris"]]) == [c[0]]
    assert ids("contacts", [["city", "!=", "Paris"]]) == [c[1], c[2], c[3]]
    assert ids("contacts", [["birth_date", "<", "1990-01-01"]]) == [c[0]]
    assert ids("contacts", [["birth_date", "<=", "1990-01-01"]]) == [c[0], c[1]]
    assert ids("contacts", [["birth_date", ">", "1980-05-01"]]) == [c[1]]
    assert ids("contacts", [["birth_date", ">=", "1980-05-01"]]) == [c[0], c[1]]
    assert ids("contacts", [["consent_email", "=", True]]) == [c[0], c[3]]
    assert ids("contacts", [["consent_email", "=", "false"]]) == [c[1], c[2]]
    assert ids("contacts", [["account_id", "=", str(world.accounts[0].id)]]) == [c[0], c[3]]
    assert ids("contacts", [["account_id", "=", None]]) == [c[2]]
    assert ids("contacts", [["account_id", "!=", None]]) == [c[0], c[1], c[3]]


def test_list_operators(world):
    c, i = world.c, world.i
    assert ids("contacts", [["city", "in", ["Paris", "Berlin"]]]) == [c[0], c[3]]
    assert ids("contacts", [["city", "not in", ["Paris", "Berlin"]]]) == [c[1], c[2]]
    assert ids("contacts", [["city", "in", []]]) == []
    assert ids("contacts", [["city", "not in", []]]) == c
    assert ids("interactions", [["occurred_at", "between", ["2025-12-01T10:00:00Z", "2026-01-01T10:00:00"]]]) == i[:2]


def test_text_operators_mean_the_same_on_every_backend(world):
    c = world.c
    assert ids("contacts", [["last_name", "contains", "LEE"]]) == [c[0], c[3]]
    # A field of the search document is filtered on its own text, not the document's.
    assert ids("contacts", [["first_name", "contains", "lee"]]) == []
    assert ids("contacts", [["first_name", "contains", "ann lee"]]) == []
    assert ids("contacts", [["email", "contains", "ACME"]]) == [c[0], c[3]]
    assert ids("contacts", [["email", "not contains", "ACME"]]) == [c[1], c[2]]
    assert ids("contacts", [["email", "startswith", "ANN@"]]) == [c[0]]
    assert ids("contacts", [["title", "contains", "100%_"]]) == [c[3]]
    assert ids("contacts", [["title", "contains", "0%"]]) == [c[3]]
    assert ids("contacts", [["title", "like", "C%"]]) == [c[0]]
    assert ids("contacts", [["title", "like", "_EO"]]) == [c[0]]
    assert ids("contacts", [["title", "like", "Buyer 100%"]]) == [c[3]]
    assert ids("contacts", [["title", "like", "buyer%"]]) == []
    assert ids("contacts", [["title", "ilike", "c%"]]) == [c[0], c[2]]
    assert ids("contacts", [["city", "is null", None]]) == [c[2]]
    assert ids("contacts", [["city", "is not null", None]]) == [c[0], c[1], c[3]]


def test_and_or_not(world):
    c = world.c
    assert ids("contacts", {"and": [["city", "ilike", "paris"], ["consent_email", "=", True]]}) == [c[0]]
    assert ids("contacts", [["city", "ilike", "paris"], ["consent_email", "=", True]]) == [c[0]]
    assert ids("contacts", {"or": [["city", "=", "Berlin"], ["title", "=", "cto"]]}) == [c[2], c[3]]
    # "not" is the exact complement: records whose city is empty are not lost.
    assert ids("contacts", {"not": ["city", "=", "Paris"]}) == [c[1], c[2], c[3]]
    assert ids("contacts", {"not": {"or": [["city", "=", "Berlin"], ["title", "=", "cto"]]}}) == [c[0], c[1]]
    assert ids("contacts", {"or": []}) == []
    assert ids("contacts", {"and": []}) == c
    assert ids("contacts", []) == c


def test_relation_paths(world):
    c, i = world.c, world.i
    acme, globex, initech = world.accounts
    assert ids("contacts", [["account.industry", "=", "retail"]]) == [c[0], c[3]]
    assert ids("contacts", [["account_id.name", "startswith", "glo"]]) == [c[1]]
    assert ids("contacts", {"not": ["account.industry", "=", "retail"]}) == [c[1], c[2]]
    assert ids("contacts", [["tags.name", "=", "vip"]]) == [c[0], c[1]]
    assert ids("contacts", [["tags.name", "in", ["newsletter", "other"]]]) == [c[1]]
    assert ids("accounts", [["contacts.consent_email", "=", True]]) == [acme.id]
    assert ids("accounts", {"not": ["contacts.id", "is not null", None]}) == [initech.id]
    assert ids("interactions", [["contact.account.industry", "=", "retail"]]) == [i[0]]
    assert ids("interactions", [["account.name", "=", "Initech"]]) == [i[2]]
    # Interactions of a contact are filed on the contact's account as well.
    assert ids("interactions", [["account_id", "=", globex.id]]) == [i[1]]


def test_steps_to_the_records_that_link_back(world, make_user):
    """A step may name a model whose records link to this one by a many-to-one (contacts
    have no `interactions` relation of their own): matched when any linked record matches."""
    c = world.c
    acme, globex, initech = world.accounts
    assert ids("contacts", [["interactions.channel", "=", "email"]]) == [c[0], c[1]]
    assert ids("contacts", [["interactions:contact.channel", "=", "email"]]) == [c[0], c[1]]
    assert ids("contacts", [["interactions.occurred_at", ">=", {"$now": {"days": -30}}]]) == [c[0]]
    assert ids("contacts", {"not": ["interactions.id", "is not null", None]}) == [c[2], c[3]]
    assert ids("accounts", [["interactions.channel", "=", "note"]]) == [initech.id]
    assert ids("accounts", [["contacts.interactions.channel", "=", "email"]]) == [acme.id, globex.id]
    # The linked records a user may not read are as absent as missing ones.
    own = make_user("olga", roles=["contacts.own"])
    Env.system().records.update("contacts", c[1], {"owner_id": own.id})
    db.session.commit()
    assert ids("contacts", [["interactions.channel", "=", "email"]], own) == [c[1]]
    with pytest.raises(DomainError) as caught:
        Env.system().records.count("contacts", [["interactions:account.channel", "=", "email"]])
    assert str(caught.value) == "'interactions:account': 'interactions' has no relation 'account' to 'contacts'; " \
                                "it has contact"


def test_one_related_record_meeting_a_whole_filter(world, clock):
    """`any` asks one related record to meet every condition, where two conditions on the
    relation's fields may be met by two records; `not any` asks that none does."""
    c = world.c
    records = Env.system().records
    records.create("interactions", {"channel": "phone", "direction": "inbound", "subject": "Call",
                                    "occurred_at": "2026-01-04T10:00:00Z", "contact_id": c[1]})
    db.session.commit()
    recent_inbound_email = [["channel", "=", "email"], ["direction", "=", "inbound"],
                            ["occurred_at", ">=", {"$now": {"days": -30}}]]
    apart = [["interactions.channel", "=", "email"], ["interactions.direction", "=", "inbound"],
             ["interactions.occurred_at", ">=", {"$now": {"days": -30}}]]
    # Bob's old email, his recent inbound call: each condition met, by different touches.
    assert ids("contacts", apart) == [c[1]]
    assert ids("contacts", [["interactions", "any", recent_inbound_email]]) == []
    assert ids("contacts", [["interactions", "any", [["channel", "=", "email"]]]]) == [c[0], c[1]]
    assert ids("contacts", [["interactions", "not any", [["channel", "=", "phone"]]]]) == [c[0], c[2], c[3]]
    assert ids("accounts", [["contacts.interactions", "any", {"or": [["channel", "=", "phone"]]}]]) == \
        [world.accounts[1].id]
    assert ids("contacts", [["tags", "any", [["name", "=", "vip"]]]]) == [c[0], c[1]]
    assert ids("contacts", [["account", "not any", [["industry", "=", "retail"]]]]) == [c[1], c[2]]


def test_context_values(world, clock):
    i, c = world.i, world.c
    assert ids("contacts", [["owner_id", "=", {"$user": "id"}]], world.alice) == [c[0]]
    assert ids("interactions", [["occurred_at", ">=", {"$now": {"days": -2}}]]) == [i[2]]
    assert ids("interactions", [["occurred_at", ">=", {"$today": {"days": -4}}]]) == [i[0], i[2]]
    assert ids("interactions", [["occurred_at", "<", {"$today": {}}]]) == [i[0], i[1]]
    assert ids("interactions", [["occurred_at", ">", {"$now": {"weeks": -6, "hours": 1}}]]) == i
    # A user attribute that is empty matches nothing (never "records where it is empty too").
    assert ids("contacts", [["id", "=", {"$user": "contact_id"}]], world.alice) == []
    assert ids("contacts", [["id", "in", [{"$user": "contact_id"}, c[1]]]], world.alice) == [c[1]]


@pytest.mark.parametrize(("domain", "message"), [
    ([["citty", "=", "Paris"]], "model 'contacts' has no field 'citty'; did you mean city?"),
    ([["city", "equals", "Paris"]], "unknown operator 'equals' on 'city'; use one of !=, <, <=, =, >, >=, any, "
                                    "between, contains, ilike, in, is not null, is null, like, not any, not contains, "
                                    "not in, startswith"),
    ([["interactions", "any", "email"]], "'any' on 'interactions' takes a filter over its records, such as "
                                         "[[\"channel\", \"=\", \"email\"]]"),
    ([["interactions", "any", [["chanel", "=", "email"]]]], "model 'interactions' has no field 'chanel'; did you mean "
                                                            "channel?"),
    ([["account_id", "=", "abc"]], "'abc' is not a valid integer for 'account_id'"),
    ([["account_id", "=", True]], "True is not a valid integer for 'account_id'"),
    ([["consent_email", "=", "maybe"]], "'maybe' is not a valid boolean (true or false) for 'consent_email'"),
    ([["birth_date", ">", "yesterday"]], "'yesterday' is not a valid date for 'birth_date'"),
    ([["created_at", ">", 5]], "5 is not a valid date and time (ISO 8601) for 'created_at'"),
    ([["city", "=", ["Paris"]]], "['Paris'] is not a valid text value for 'city'"),
    ([["city", "in", "Paris"]], "'in' on 'city' takes a list of values"),
    ([["id", "between", [1, 2, 3]]], "'between' on 'id' takes [low, high]"),
    ([["id", "contains", "1"]], "'contains' applies to text fields; 'id' is not one"),
    ([["city", "contains", 5]], "'contains' on 'city' takes a non-empty text"),
    ([["city", ">", None]], "'>' on 'city' needs a value, not null"),
    ([["preferred_channel", "=", "fax"]], "'fax' is not a choice of 'preferred_channel'; use one of email, phone, "
                                          "sms, mail, none"),
    ({"xor": []}, "unknown combination 'xor'; use and, or, not"),
    ({"and": [], "or": []}, "a combination has exactly one key (and, or, not), got ['and', 'or']"),
    ({"and": ["city"]}, "cannot read 'city' as a filter: expected [field, operator, value] or {and|or|not: ...}"),
    ([["city.name", "=", "x"]], "'city.name': 'city' is not a relation of 'contacts', nor a model whose records "
                                "link to it"),
    ([["account", "=", 1]], "'account' is a relation: filter on one of its fields, like 'account.id'"),
    ([["account.nme", "=", 1]], "model 'accounts' has no field 'nme'; did you mean name?"),
    ([["created_at", ">", {"$now": {"dayz": 1}}]], "$now on 'created_at' takes an offset such as {\"days\": -7} "
                                                   "(units: days, hours, minutes, seconds, weeks, whole months; "
                                                   "\"start\": day, week, month, year, fiscal_year)"),
    ([["owner_id", "=", {"$me": "id"}]], "unknown context value '$me' on 'owner_id'; use $user, $now or $today"),
    ([["owner_id", "=", {"$user": "password_hash.x"}]], "$user has no attribute 'password_hash.x'"),
])
def test_clear_errors(world, admin, domain, message):
    with pytest.raises(DomainError) as caught:
        Env.for_user(admin).records.count("contacts", domain)
    assert str(caught.value) == message


def test_errors_through_the_api_are_400(world, api_as):
    api = api_as(world.alice)
    response = api.get('/api/v1/contacts?filter=[["citty","=","x"]]')
    assert response.status_code == 400
    assert response.json["errors"] == {"filter": ["model 'contacts' has no field 'citty'; did you mean city?"]}
    response = api.get("/api/v1/contacts?filter=[[")
    assert response.status_code == 400
    assert response.json["detail"].startswith("filter is not valid JSON: ")
    response = api.get('/api/v1/contacts?filter=[["id","contains","1"]]')
    assert response.status_code == 400


def test_validate_domain_checks_form_without_a_user(world):
    contacts = platform().models.get("contacts")
    validate_domain(contacts, {"or": [["owner_id", "=", {"$user": "id"}], ["created_at", ">", {"$now": {"days": -1}}],
                                      ["id", "in", [{"$user": "contact_id"}]]]})
    for bad in ([["owner", "=", 1]], [["created_at", ">", {"$now": "yesterday"}]], [["city", "~", "x"]]):
        with pytest.raises(DomainError):
            validate_domain(contacts, bad)
    with pytest.raises(DomainError) as caught:
        compile_domain(contacts, [["owner_id", "=", {"$user": "id"}]], DomainContext())
    assert str(caught.value) == "'owner_id' uses $user but no user is acting"
    assert parse_domain("  ") == [] and parse_domain('[["id", "=", 1]]') == [["id", "=", 1]]


def test_saved_filters_are_validated_and_owned_by_their_author(world, make_user):
    records = Env.for_user(world.alice).records
    saved = records.create("saved_filters", {"name": "Paris", "model": "contacts", "domain": [["city", "=", "Paris"]]})
    assert (saved.owner_id, saved.shared) == (world.alice.id, False)
    from core.records.errors import AccessDenied, ValidationFailed

    with pytest.raises(ValidationFailed) as caught:
        records.create("saved_filters", {"name": "Typo", "model": "contacts", "domain": [["citty", "=", "x"]]})
    assert caught.value.errors == {"domain": ["model 'contacts' has no field 'citty'; did you mean city?"]}
    with pytest.raises(ValidationFailed) as caught:
        records.create("saved_filters", {"name": "Typo", "model": "contactz", "domain": []})
    assert caught.value.errors == {"model": ["no installed addon provides the model 'contactz'; did you mean contacts?"]}
    with pytest.raises(ValidationFailed) as caught:
        records.update("saved_filters", saved.id, {"domain": {"or": [["city", "~", "x"]]}})
    assert list(caught.value.errors) == ["domain"]
    bob = make_user("bob", roles=["contacts.user"])
    with pytest.raises(AccessDenied):
        records.create("saved_filters", {"name": "For Bob", "model": "contacts", "domain": [], "owner_id": bob.id})


def test_saved_filters_are_private_unless_shared(world, make_user):
    from core.records.errors import AccessDenied, NotFound

    bob = make_user("bob", roles=["contacts.user"])
    alice = Env.for_user(world.alice).records
    private = alice.create("saved_filters", {"name": "Mine", "model": "contacts", "domain": []})
    shared = alice.create("saved_filters", {"name": "Team", "model": "contacts", "domain": [], "shared": True})
    db.session.commit()
    bobs = Env.for_user(bob).records
    assert [f.name for f in bobs.search("saved_filters").records] == ["Team"]
    with pytest.raises(NotFound):
        bobs.get("saved_filters", private.id)
    with pytest.raises(AccessDenied):
        bobs.update("saved_filters", shared.id, {"name": "Hijacked"})
    with pytest.raises(AccessDenied):
        bobs.delete("saved_filters", shared.id)
    assert sorted(f.name for f in alice.search("saved_filters").records) == ["Mine", "Team"]


def test_the_api_lists_through_a_saved_filter(world, make_user, api_as):
    c = world.c
    alice = Env.for_user(world.alice).records
    paris = alice.create("saved_filters", {"name": "Paris", "model": "contacts",
                                           "domain": [["city", "ilike", "paris"]]})
    other = alice.create("saved_filters", {"name": "Notes", "model": "interactions", "domain": []})
    db.session.commit()
    api = api_as(world.alice)
    assert [r["id"] for r in api.get(f"/api/v1/contacts?saved={paris.id}&sort=id").json["data"]] == [c[0], c[1]]
    combined = api.get(f'/api/v1/contacts?saved={paris.id}&filter=[["consent_email","=",true]]&total=true').json
    assert ([r["id"] for r in combined["data"]], combined["total"]["value"]) == ([c[0]], 1)
    wrong = api.get(f"/api/v1/contacts?saved={other.id}")
    assert (wrong.status_code, wrong.json["detail"]) == (400, f"saved filter #{other.id} ('Notes') lists "
                                                               "interactions, not contacts")
    assert api.get("/api/v1/contacts?saved=abc").status_code == 422
    bob = make_user("bob", roles=["contacts.user"])
    assert api_as(bob).get(f"/api/v1/contacts?saved={paris.id}").status_code == 404


def test_not_keeps_records_whose_field_is_empty_and_leaves_an_exists_visible_to_the_planner(app):
    """`not` is the exact complement (an empty field is not "DE", so it is in "not DE"),
    and the NOT of a condition that is never NULL is written without coalesce, which
    would hide an EXISTS from PostgreSQL's anti-join."""
    from sqlalchemy import exists, select

    from core.domain.negation import complement, never_null
    from addons.contacts.models import Account

    records = Env.system().records
    german = records.create("accounts", {"name": "Berlin GmbH", "country": "DE"})
    nowhere = records.create("accounts", {"name": "Nowhere Ltd"})
    found = {account.id for account in records.search("accounts", {"not": [["country", "=", "DE"]]}).records}
    assert nowhere.id in found and german.id not in found
    anything = exists(select(Account.id).where(Account.country == "DE"))
    assert never_null(anything) and never_null(~anything)
    assert "coalesce" not in str(complement(anything)).lower()
    assert "coalesce" in str(complement(Account.country == "DE")).lower()
