"""Fixtures shared by the kernel tests."""
from addon_fixtures import addon_site, kernel_db  # noqa: F401 - pytest finds fixtures by name here
