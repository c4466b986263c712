"""Stage 2: pack registered documents into parcels and numbered recap lists."""

from distribusi.recap import guards  # noqa: E402,F401  (registers the freeze on every session)
