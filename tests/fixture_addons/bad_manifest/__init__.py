"""A manifest with an invalid version: discovery lists the addon as broken."""
from core import Addon

manifest = Addon(name="bad_manifest", version="one point oh", summary="Has no usable version")
