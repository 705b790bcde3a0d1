"""A manifest with an invalid name: discovery lists the entry point as broken."""
from core import Addon

manifest = Addon(name="Bad Name!", version="1.0.0", summary="Has no usable name")
