"""The courier pages."""
from distribusi.courier import bp  # noqa: F401  (the factory registers it from here)
