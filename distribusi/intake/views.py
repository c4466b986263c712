"""The intake pages."""
from distribusi.intake import bp  # noqa: F401  (the factory registers it from here)
