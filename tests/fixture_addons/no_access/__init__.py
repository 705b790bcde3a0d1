"""A model without any access rule: installing warns, naming the model."""
from core import Addon

manifest = Addon(
    name="no_access",
    version="1.0.0",
    summary="Ships a model and forgets to grant anyone access to it",
    category="Testing",
)
