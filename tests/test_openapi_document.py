"""The OpenAPI document is valid OpenAPI 3.1, checked by openapi-spec-validator, for the
demo database of every shipped addon: decimal bounds are numbers, not strings."""
from __future__ import annotations

import json

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
