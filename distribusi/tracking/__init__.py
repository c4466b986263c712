"""Stage 7: what a citizen may see of a parcel, and staff lookups over the custody log."""
