"""SPECTRUM ERM kernel: records, permissions, hooks, events, UI/API generation and CLI.

Addons use this public surface::

    from core import Addon, Record, field, hookimpl
"""
from __future__ import annotations

from core.addons.manifest import Addon
from core.models.base import Record
from core.models.fields import field
from core.plugins import hookimpl

__all__ = ["Addon", "Record", "field", "hookimpl", "__version__"]

__version__ = "0.1.0"
