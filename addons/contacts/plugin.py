"""Hook implementations of the contacts addon."""
from __future__ import annotations

from core import hookimpl
from core.declarations import (
    DataRecord, ImportMapping, MenuItem, ModelExtension, Ref, View, access, role, rule,
)
from core.models.base import Record

from addons.contacts.models import Account, Contact, Interaction

__all__ = [
    "register_models", "extend_models", "register_data", "register_demo_data", "register_views",
    "register_menus", "register_import_mappings", "register_api_actions", "register_commands",
    "register_duplicate_checks",
]


@hookimpl
def register_models() -> list[type[Record]]:
    """Accounts, contacts and interactions."""
    return [Account, Contact, Interaction]


@hookimpl
def extend_models() -> list[ModelExtension]:
    """Portal users are linked to the contact they are (customer portal, record rules)."""
    from sqlalchemy import ForeignKey

    from core import field

    return [ModelExtension("users", fields={
        "contact_id": field(ForeignKey("contacts.id", ondelete="SET NULL"), label="Contact",
                            help="The customer contact a portal user signs in as."),
    })]


@hookimpl
def register_data() -> list[DataRecord]:
    """Roles: contacts users (all records), restricted users (own records) and managers;
    portal customers read their own contact record and exchanges."""
    data = [
        role("contacts.user", "Contacts: user", implies=["base.user"],
             description="Reads and edits every account, contact and interaction."),
        role("contacts.own", "Contacts: own records only", implies=["base.user"],
             description="Reads and edits only the accounts and contacts they own, and their interactions."),
        role("contacts.manager", "Contacts: manager", implies=["contacts.user"],
             description="Also deletes and merges records."),
    ]
    for model in ("accounts", "contacts", "interactions"):
        data += [
            access(f"contacts.access_{model}_user", "contacts.user", model, "rcu"),
            access(f"contacts.access_{model}_own", "contacts.own", model, "rcu"),
            access(f"contacts.access_{model}_manager", "contacts.manager", model, "rcud"),
        ]
    data += [
        rule("contacts.rule_own_accounts", "contacts.own", "accounts",
             [["owner_id", "=", {"$user": "id"}]], "Own accounts"),
        rule("contacts.rule_own_contacts", "contacts.own", "contacts",
             [["owner_id", "=", {"$user": "id"}]], "Own contacts"),
        rule("contacts.rule_own_interactions", "contacts.own", "interactions",
             {"or": [["contact.owner_id", "=", {"$user": "id"}], ["account.owner_id", "=", {"$user": "id"}]]},
             "Interactions of own contacts and accounts"),
        # A portal customer sees their own contact record and what was exchanged with
        # them; internal notes about them stay internal.
        access("contacts.access_contacts_portal", "base.portal", "contacts", "r"),
        access("contacts.access_interactions_portal", "base.portal", "interactions", "r"),
        rule("contacts.rule_portal_contacts", "base.portal", "contacts",
             [["id", "=", {"$user": "contact_id"}]], "Portal: own contact record"),
        rule("contacts.rule_portal_interactions", "base.portal", "interactions",
             {"and": [["contact_id", "=", {"$user": "contact_id"}], ["direction", "!=", "internal"]]},
             "Portal: own exchanges, never internal notes"),
        # The date of birth is personal data: only managers read and change it.
        DataRecord("contacts.field_birth_date_manager", "field_access", {
            "role_id": Ref("contacts.manager"), "model": "contacts", "field_name": "birth_date",
            "can_read": True, "can_write": True,
        }),
    ]
    return data


@hookimpl
def register_demo_data(seed: int) -> list[DataRecord]:
    """A few hundred accounts, contacts and interactions, the same for the same seed."""
    from addons.contacts.demo import demo_records

    return demo_records(seed)


@hookimpl
def register_views() -> list[View]:
    """Lists, forms and searches of accounts, contacts and interactions."""
    return [
        View("accounts", "list", ["name", "industry", "size", "city", "country", "owner_id"]),
        View("accounts", "search", options={"filters": {
            "My accounts": [["owner_id", "=", {"$user": "id"}]],
        }, "group_by": ["industry", "country", "owner_id"]}),
        View("contacts", "list", ["last_name", "first_name", "email", "phone", "account_id", "city", "owner_id"]),
        View("contacts", "search", options={"filters": {
            "My contacts": [["owner_id", "=", {"$user": "id"}]],
            "Email consent": [["consent_email", "=", True]],
        }, "group_by": ["account_id", "city", "preferred_channel"]}),
        View("contacts", "detail", options={
            "facts": ["account_id", "title", "owner_id", "email", "phone"],
            "groups": [("Identity", ["first_name", "last_name", "title", "account_id", "birth_date", "owner_id", "tags"]),
                       ("Communication", ["email", "phone", "mobile", "preferred_channel", "consent_email",
                                          "consent_email_at", "consent_phone", "consent_phone_at", "consent_sms",
                                          "consent_sms_at"]),
                       ("Address", ["street", "postcode", "city", "region", "country", "timezone"]),
                       ("Notes", ["notes"])]}),
        View("accounts", "detail", options={
            "facts": ["industry", "size", "owner_id", "phone", "website"],
            "groups": [("Company", ["name", "industry", "size", "website", "owner_id", "tags"]),
                       ("Communication", ["email", "phone"]),
                       ("Address", ["street", "postcode", "city", "region", "country"]),
                       ("Notes", ["notes"])]}),
        View("interactions", "list", ["occurred_at", "channel", "direction", "subject", "contact_id", "account_id"]),
        View("interactions", "search", options={"group_by": ["channel", "direction"]}),
    ]


@hookimpl
def register_menus() -> list[MenuItem]:
    """The Customers menu."""
    return [
        MenuItem("contacts.root", "Customers"),
        MenuItem("contacts.accounts", "Accounts", model="accounts", parent="contacts.root"),
        MenuItem("contacts.contacts", "Contacts", model="contacts", parent="contacts.root"),
        MenuItem("contacts.interactions", "Timeline", model="interactions", parent="contacts.root"),
    ]


@hookimpl
def register_import_mappings() -> list[ImportMapping]:
    """CSV mappings with common header spellings; contacts are upserted by email."""
    return [
        ImportMapping("contacts", "contacts", key="email", columns={
            "first name": "first_name", "firstname": "first_name", "given name": "first_name",
            "last name": "last_name", "lastname": "last_name", "surname": "last_name", "family name": "last_name",
            "e-mail": "email", "email address": "email", "mobile phone": "mobile", "job title": "title",
            "account": "account_id", "company id": "account_id", "zip": "postcode", "postal code": "postcode",
            # An account is given by its id or its name (see core.records.csv_columns).
            "company": "account_id", "organization": "account_id", "account name": "account_id",
            "phone number": "phone",
        }),
        ImportMapping("accounts", "accounts", columns={
            "company": "name", "account name": "name", "zip": "postcode", "postal code": "postcode",
            "web": "website", "url": "website",
        }),
    ]


@hookimpl
def register_duplicate_checks() -> list:
    """A contact with the same email, or a similar name at the same account; an account
    with a similar name: shown when one is created or renamed."""
    from core.declarations import DuplicateCheck

    from addons.contacts.duplicates import find_duplicates

    return [DuplicateCheck("contacts", ("email", "phone", "mobile", "country", "first_name", "last_name",
                                        "account_id"), find_duplicates),
            DuplicateCheck("accounts", ("name", "email", "phone", "country"), find_duplicates)]


@hookimpl
def register_api_actions() -> list:
    """`POST /api/v1/contacts/<id>/merge` and `/duplicates`, and the same for accounts."""
    from addons.contacts.duplicates import api_actions

    return api_actions()


@hookimpl
def register_commands() -> list:
    """`spectrum contacts duplicates`."""
    from addons.contacts.cli import contacts_group

    return [contacts_group]


@hookimpl
def register_detail_panels() -> list:
    """The customer timeline on contacts, accounts and every record concerning a customer;
    the possible duplicates of a contact or an account, to merge."""
    from addons.contacts.merge_panel import duplicates_panel
    from addons.contacts.timeline import timeline_panel

    return [timeline_panel(), duplicates_panel()]


@hookimpl
def register_dashboards() -> list:
    """The Customers dashboard."""
    from addons.contacts.dashboard import customers_dashboard

    return [customers_dashboard()]


@hookimpl
def register_blueprints() -> list:
    """The timeline's logging endpoint and the merge of duplicates."""
    from addons.contacts import merge_panel  # noqa: F401 - its route joins the blueprint
    from addons.contacts.timeline import blueprint

    return [blueprint]


@hookimpl
def register_event_handlers() -> list:
    """Mail sent to a contact, opened, clicked, bounced or unsubscribed lands on its timeline."""
    from addons.contacts.mail_timeline import mail_handlers

    return mail_handlers()
