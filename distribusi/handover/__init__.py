"""Stage 4: handing a signed recap over to the courier partner (Berita Acara Serah Terima)."""
