"""Stage 2: pack registered documents into parcels and numbered recap lists."""
