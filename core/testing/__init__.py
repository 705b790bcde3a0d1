"""Test support shipped with the kernel: a pytest plugin and a throwaway PostgreSQL cluster.

Any distribution's tests (the platform's, an addon's, a contrib addon's) get the
fixtures of `core.testing.plugin` automatically once spectrum-erm is installed.
"""
