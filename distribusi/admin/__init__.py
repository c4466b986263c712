"""Office IT: users, courier partners and office settings."""
