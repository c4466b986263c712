"""The letters pages."""
from distribusi.letters import bp  # noqa: F401  (the factory registers it from here)
