"""Kernel events (blinker). Addons declare their own in their `signals.py`.

Every record signal is sent with the model's resource name as sender and keyword
arguments `record` and `env` (the acting environment); `record_updated` adds
`changes` ({field: (old, new)}). `records_created` is sent with `ids` and `env` for a
batch of new records (core.records.csv_staging). Use `core.events.emit` to send: it isolates handlers
that are not part of the transaction.
"""
from __future__ import annotations

from blinker import Namespace

__all__ = [
    "record_created", "records_created", "record_updated", "record_deleted",
    "addon_installed", "addon_uninstalled", "records_merged",
]

_signals = Namespace()

record_created = _signals.signal("record-created", doc="A record was created (sender: model resource name).")
records_created = _signals.signal(
    "records-created", doc="Records were created in one batch (sender: model resource name; `ids`: their ids). "
                           "Sent instead of record_created, only when every receiver of that has a batch form "
                           "(core.declarations.EventHandler.batch).")
record_updated = _signals.signal("record-updated", doc="A record was updated; `changes` maps field -> (old, new).")
record_deleted = _signals.signal("record-deleted", doc="A record was deleted (sent before the row goes).")
records_merged = _signals.signal(
    "records-merged", doc="Duplicates were merged: `survivor` kept, `merged_ids` removed (sender: model)."
)
addon_installed = _signals.signal("addon-installed", doc="An addon was installed (sender: addon name).")
addon_uninstalled = _signals.signal("addon-uninstalled", doc="An addon was uninstalled (sender: addon name).")
