"""Tiny addons the kernel tests install, upgrade and uninstall.

They are announced only for the test that needs them: `tests/addon_fixtures.py` writes
a `<dist>.dist-info` folder with a `spectrum.addons` entry point into a temporary folder
on `sys.path`, the way `pip install` would. Each package holds only its manifest in
`__init__.py`, so discovering it imports nothing else.
"""
