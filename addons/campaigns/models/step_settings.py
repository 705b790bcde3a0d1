"""The inputs of a journey step's settings, by its kind: what the record form shows in place
of the step's JSON `config` (core.models.subforms). A branch's condition, stored as
"opened", "clicked", {"segment_id": n} or {"filter": [...]}, is edited as a choice of test
plus the segment or the filter it needs (with the filter builder's rows); a send step's
message is picked among those of the journey's campaign."""
from __future__ import annotations

from typing import Any

from core.models.subforms import SubField, SubForm
from core.records.errors import ValidationFailed

from addons.campaigns.journeys.waits import parse_until

__all__ = ["STEP_SETTINGS", "BRANCH_TESTS", "settings_errors"]

BRANCH_TESTS = [("opened", "Opened the last email"), ("clicked", "Clicked in the last email"),
                ("segment", "Is in a segment"), ("filter", "Matches a filter")]
#: A condition of the branch's test, and the input giving its value: {"segment_id": n}.
_CONDITION_KEYS = {"segment": "segment_id", "filter": "filter"}


def _pack(kind: str, flat: dict[str, Any]) -> Any:
    """A step's config from its inputs: a branch's test and its segment or filter make its condition."""
    if kind != "branch" or "condition" not in flat:
        return flat
    test = flat["condition"]
    key = _CONDITION_KEYS.get(test)
    return {"condition": {key: flat.get(key)} if key else test}


def _unpack(kind: str, config: Any) -> dict[str, Any]:
    """A step's inputs from its config."""
    if not isinstance(config, dict):
        return {}
    condition = config.get("condition")
    if kind != "branch" or not isinstance(condition, dict) or len(condition) != 1:
        return dict(config)
    (key, value), = condition.items()
    test = next((test for test, name in _CONDITION_KEYS.items() if name == key), None)
    if test is None:  # {"opened": true}, {"clicked": true}
        return {"condition": key} if value is True else {}
    return {"condition": test, key: value}


STEP_SETTINGS = SubForm(
    discriminator="kind",
    parts={
        "send": (SubField("message_id", label="Message", kind="many2one", relation="campaign_messages",
                          narrow_by=("campaign_id", "journey_id.campaign_id"),
                          help="The campaign message the contact receives."),),
        "wait": (SubField("days", label="Days", kind="decimal"),
                 SubField("hours", label="Hours", kind="decimal"),
                 SubField("minutes", label="Minutes", kind="decimal"),
                 SubField("until", label="Or until", help="A time on the contact's clock: 09:00, or monday 09:00.")),
        "branch": (SubField("condition", label="Test", choices=tuple(BRANCH_TESTS)),
                   SubField("segment_id", label="Segment", kind="many2one", relation="segments",
                            help="For the test “Is in a segment”."),
                   SubField("filter", label="Filter", kind="filter", relation="contacts",
                            help="For the test “Matches a filter”: the conditions the contact meets, all "
                                 "of them. Empty a row's field to remove it.")),
        "update": (SubField("field", label="Contact field", help="The field to set, or tags."),
                   SubField("value", label="Value"),
                   SubField("add", label="Tag to add", help="When the field is tags."),
                   SubField("remove", label="Tag to remove", help="When the field is tags.")),
        "activity": (SubField("summary", label="Summary"),
                     SubField("due_days", label="Due in days", kind="decimal")),
        "notify": (SubField("text", label="Text", kind="longtext"),
                   SubField("user_id", label="Whom", kind="many2one", relation="users",
                            help="Empty: the journey's owner.")),
        "exit": (),
    },
    pack=_pack,
    unpack=_unpack,
)


def _number(config: dict[str, Any], key: str, errors: dict[str, list[str]]) -> None:
    value = config.get(key)
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        errors[key] = ["Give a number of zero or more."]


def settings_errors(kind: str, config: Any) -> dict[str, list[str]]:
    """What is wrong with a step's settings for its kind, by setting ("" for the whole):
    each kind's required settings, a wait's numbers and time, a branch's condition."""
    if config is None:
        config = {}
    if not isinstance(config, dict):
        return {"": ["Give the settings as an object, such as {\"hours\": 24}."]}
    errors: dict[str, list[str]] = {}
    if kind == "send" and not config.get("message_id"):
        errors["message_id"] = ["Choose the message to send."]
    elif kind == "wait":
        for unit in ("days", "hours", "minutes"):
            _number(config, unit, errors)
        if config.get("until"):
            try:
                parse_until(str(config["until"]))
            except ValidationFailed:
                errors["until"] = ["Give a time such as 09:00 or monday 09:00."]
        if not errors and all(config.get(key) in (None, "") for key in ("days", "hours", "minutes", "until")):
            errors["days"] = ["A wait step needs days, hours, minutes or a time to wait until."]
    elif kind == "branch":
        errors.update(_condition_errors(config.get("condition")))
    elif kind == "update":
        if not str(config.get("field") or "").strip():
            errors["field"] = ["Name the contact field to set, or tags."]
        elif config["field"] == "tags" and not (config.get("add") or config.get("remove")):
            errors["add"] = ["Give a tag to add or to remove."]
    elif kind == "activity":
        if not str(config.get("summary") or "").strip():
            errors["summary"] = ["Say what the owner should do."]
        _number(config, "due_days", errors)
    elif kind == "notify" and not str(config.get("text") or "").strip():
        errors["text"] = ["Write what the notification says."]
    return errors


def _condition_errors(condition: Any) -> dict[str, list[str]]:
    """A branch's condition: "opened", "clicked", {"segment_id": n} or {"filter": [...]}."""
    if condition in (None, ""):
        return {"condition": ["Choose what the branch tests."]}
    if isinstance(condition, str):
        condition = {condition: True}
    if not isinstance(condition, dict) or len(condition) != 1 or \
            next(iter(condition)) not in ("opened", "clicked", "segment_id", "filter"):
        return {"condition": ["A branch tests \"opened\", \"clicked\", {\"segment_id\": n} or {\"filter\": [...]}."]}
    if "segment_id" in condition and not isinstance(condition["segment_id"], int):
        return {"segment_id": ["Choose the segment."]}
    if "filter" in condition and not (isinstance(condition["filter"], list) and condition["filter"]):
        return {"filter": ["Add at least one condition the contact must meet, such as Country = FR "
                           "(in the API, a list of conditions: [[\"country\", \"=\", \"FR\"]])."]}
    return {}
