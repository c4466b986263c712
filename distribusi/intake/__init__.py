"""Stage 1: register finished documents, one by one or from the day's export."""
