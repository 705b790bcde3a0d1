"""The OpenAPI document is valid OpenAPI 3.1, checked by openapi-spec-validator, for the
demo database of every shipped addon: decimal bounds are numbers, not strings."""
from __future__ import annotations

import json
import re

import pytest
from openapi_spec_validator import OpenAPIV31SpecValidator


@pytest.mark.spectrum_addons("contacts", "sales", "service_desk", demo=True)
def test_the_document_is_valid_openapi_3_1(client):
    document = json.loads(client.get("/api/openapi.json").get_data(as_text=True))
    errors = [f"{'/'.join(map(str, error.absolute_path))}: {error.message}"
              for error in OpenAPIV31SpecValidator(document).iter_errors()]
    assert errors == []
    rate = document["components"]["schemas"]["ExchangeRates"]["properties"]["rate"]
    bounds = {key: value for key, value in rate.items() if "imum" in key}
    assert bounds and all(isinstance(value, (int, float)) for value in bounds.values()), rate
    expected = document["components"]["schemas"]["LeadsCreate"]["properties"]["expected_amount"]
    assert expected["type"] == ["string", "number", "null"], "an optional amount may be null"


SAMPLES = ("Acme", "  Acme  ", "   ", "", "Acme\nBcc: x", "Acme\u2028", "Acme\x00", "Acme\n", "Ünïcode ☃")


def test_a_texts_documented_pattern_takes_what_the_api_takes(client, api_as, admin):
    """A client generated from the document sends what the API accepts: the pattern of a
    required single-line text (an account's name) and of an optional long text (its notes)
    accept exactly the values the API accepts, line breaks, NUL and blanks included."""
    document = json.loads(client.get("/api/openapi.json").get_data(as_text=True))
    properties = document["components"]["schemas"]["AccountsCreate"]["properties"]
    api = api_as(admin)
    for field, other in (("name", {}), ("notes", {"name": "Notes Corp"})):
        pattern = re.compile(properties[field]["pattern"])
        for number, sample in enumerate(SAMPLES):
            body = {**other, field: sample, "website": None} if field == "notes" else {field: sample}
            if field == "notes":
                body["name"] = f"Notes Corp {number}"
            answer = api.post("/api/v1/accounts?allow_duplicates=1", json=body)
            assert answer.status_code in (201, 422), answer.json
            assert (answer.status_code == 201) == bool(pattern.search(sample)), (field, sample, answer.json)
    website = re.compile(properties["website"]["pattern"])
    assert website.search("https://acme.example.com/about") and not website.search("ftp://acme.example.com")


def test_models_only_the_platform_writes_have_no_create_operation(client, api_as, admin):
    document = json.loads(client.get("/api/openapi.json").get_data(as_text=True))
    assert "post" in document["paths"]["/api/v1/accounts"]
    assert "post" not in document["paths"]["/api/v1/job_runs"] and "get" in document["paths"]["/api/v1/job_runs"]
    refused = api_as(admin).post("/api/v1/job_runs", json={})
    assert refused.status_code == 403 and "created by the platform" in refused.json["detail"]


def test_the_attachment_operations_are_documented_as_they_answer(client, api_as, admin):
    """Listing, attaching (multipart), downloading and removing files are in the document,
    for the models that take attachments; an upload answers what the document says."""
    import io

    document = json.loads(client.get("/api/openapi.json").get_data(as_text=True))
    on_record = document["paths"]["/api/v1/{resource}/{record_id}/attachments"]
    resources = next(p for p in on_record["get"]["parameters"] if p["name"] == "resource")["schema"]["enum"]
    assert "contacts" in resources and "saved_filters" not in resources and "attachments" not in resources
    upload = on_record["post"]["requestBody"]["content"]["multipart/form-data"]["schema"]
    assert upload["properties"]["file"]["items"]["format"] == "binary"
    assert set(on_record["post"]["responses"]) >= {"201", "403", "404", "413", "422"}
    assert "get" in document["paths"]["/api/v1/attachments/{attachment_id}/content"]
    removal = document["paths"]["/api/v1/attachments/{record_id}"]["delete"]
    assert "attached the file" in removal["summary"] and [p["name"] for p in removal["parameters"]] == ["record_id"]
    schema = document["components"]["schemas"]["AttachmentFile"]
    api = api_as(admin)
    contact = api.post("/api/v1/contacts", json={"last_name": "Files"}).json
    made = api.post(f"/api/v1/contacts/{contact['id']}/attachments", content_type="multipart/form-data",
                    data={"file": (io.BytesIO(b"%PDF-1.4\n%%EOF\n"), "a.pdf", "application/pdf")})
    assert made.status_code == 201
    [file] = made.json["data"]
    assert set(schema["required"]) <= set(file) and set(file) <= set(schema["properties"])
