"""Stage 5: the courier's scans (accept, out for delivery, delivered, failed, return) and proof of delivery."""
