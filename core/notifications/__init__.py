"""Notifications: an in-app inbox per user (the bell in the page header) and, by each user's
choice per kind, an email. The kernel declares the `assignment` and `mention` kinds and
raises them from record events; addons declare theirs (`register_notification_kinds`) and
raise them with `notify`. A user is told only of records they may read."""
from core.notifications.service import notify, notification_kinds

__all__ = ["notify", "notification_kinds"]
