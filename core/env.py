"""`Env`: who is acting, with which permissions, at what time."""
from __future__ import annotations

from datetime import datetime
from functools import cached_property
from typing import TYPE_CHECKING

from core.access.policy import AccessPolicy
from core.auth.models import User
from core.platform import Platform, platform

if TYPE_CHECKING:
    from core.records.service import RecordService

__all__ = ["Env"]


class Env:
    """The acting context every read and write of business records goes through.

    `Env.for_user(user)` acts with that user's permissions; `Env.system()` (jobs,
    installers) bypasses them but still stamps and audits like everyone else.
    """

    def __init__(self, platform_: Platform, user: User | None, *, system: bool = False) -> None:
        self.platform = platform_
        self.user = user
        self.system_mode = system

    @classmethod
    def for_user(cls, user: User) -> Env:
        """Act as `user` in the current app."""
        return cls(platform(), user)

    @classmethod
    def system(cls, user: User | None = None) -> Env:
        """Act as the platform itself (optionally stamping `user` as the author)."""
        return cls(platform(), user, system=True)

    def sudo(self) -> Env:
        """The same author, acting with system rights."""
        return Env(self.platform, self.user, system=True)

    def now(self) -> datetime:
        """The current time from the platform's clock."""
        return self.platform.clock.now()

    @property
    def fiscal_year_start_month(self) -> int:
        """The month (1-12) the company's fiscal years start in (`fiscal_year_start_month`)."""
        return int(self.platform.settings["fiscal_year_start_month"])

    @cached_property
    def policy(self) -> AccessPolicy:
        """The permission answers for this context."""
        return AccessPolicy(self.user, system=self.system_mode, now=self.now(),
                            fiscal_year_start_month=self.fiscal_year_start_month)

    @cached_property
    def records(self) -> RecordService:
        """The records service acting in this context."""
        from core.records.service import RecordService

        return RecordService(self)
