"""The recap pages."""
from distribusi.recap import bp  # noqa: F401  (the factory registers it from here)
