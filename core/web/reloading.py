"""A WSGI app that rebuilds itself when the database's installed addons change.

Installing an addon from the admin page (or the CLI, or another worker) changes the
`installed_addons` table; every worker notices within a second and loads the new set,
so stateless workers never serve a stale set of addons.
"""
from __future__ import annotations

import threading
import time
from typing import Any, Callable, Iterable

from flask import Flask
from sqlalchemy import func, select

from core.addons.state import InstalledAddon
from core.db import db

__all__ = ["ReloadingApp"]


class ReloadingApp:
    """Calls `factory()` again when the installed addons differ from the loaded ones."""

    def __init__(self, factory: Callable[[], Flask], interval: float = 1.0) -> None:
        self.factory = factory
        self.interval = interval
        self.app = factory()
        self.signature = self._signature(self.app)
        self._checked = time.monotonic()
        self._lock = threading.Lock()

    @staticmethod
    def _signature(app: Flask) -> tuple[Any, ...]:
        with app.app_context():
            try:
                row = db.session.execute(select(func.count(), func.max(InstalledAddon.updated_at))).one()
            finally:
                db.session.remove()
        return tuple(row)

    def _refresh(self) -> None:
        with self._lock:
            if time.monotonic() - self._checked < self.interval:
                return
            self._checked = time.monotonic()
            signature = self._signature(self.app)
            if signature != self.signature:
                self.app, self.signature = self.factory(), signature

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if time.monotonic() - self._checked >= self.interval:
            self._refresh()
        return self.app(environ, start_response)
