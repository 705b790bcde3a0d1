"""SMS in tests: the kernel's file transport (`sms_transport = "file"`), read back."""
from __future__ import annotations

import json
from typing import Any, Callable

import pytest

__all__ = ["sms_outbox", "SMS_BASE_URL", "SMS_TOKEN", "SMS_FROM"]

SMS_BASE_URL = "https://crm.example.com"
#: The provider's token the delivery-report webhooks are signed with.
SMS_TOKEN = "provider-token"
SMS_FROM = "+15005550006"


@pytest.fixture
def sms_outbox(app: Any, tmp_path: Any) -> Callable[[], list[dict[str, Any]]]:
    """The app writing its SMS to a file; returns a reader of the messages written so far
    (each a dict with `to`, `body` and the rest the transport records)."""
    path = tmp_path / "sms.jsonl"
    app.extensions["spectrum"].settings.update({"sms_transport": "file", "sms_file_path": str(path),
                                                "sms_from": SMS_FROM, "base_url": SMS_BASE_URL,
                                                "sms_token": SMS_TOKEN})
    return lambda: [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []
