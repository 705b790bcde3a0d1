"""Files attached to any record: kept through the storage interface (core.storage), listed,
downloaded and deleted with the rights the user has on the record they belong to."""
from core.attachments.service import attach, attachments_of, open_attachment, remove_attachment

__all__ = ["attach", "attachments_of", "open_attachment", "remove_attachment"]
