"""Running an office for years: backup and restore, retention and erasure of personal data."""
