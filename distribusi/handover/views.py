"""The handover pages."""
from distribusi.handover import bp  # noqa: F401  (the factory registers it from here)
