"""The returns pages."""
from distribusi.returns import bp  # noqa: F401  (the factory registers it from here)
