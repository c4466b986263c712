"""Stage 3: the cover letter (Surat Pengantar), its signature and public verification."""
