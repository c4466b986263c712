"""Stage 6: parcels coming back to the office, reconciliation and the undelivered list."""
