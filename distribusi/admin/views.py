"""The admin pages."""
from distribusi.admin import bp  # noqa: F401  (the factory registers it from here)
