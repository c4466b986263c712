"""Printed papers: labels, recap list, cover letter, handover record and undelivered list (PDF), lists (XLSX).

Renderers take plain data (and a layout, for labels) and write to a binary stream; services.py turns models into
that data for the API and the staff pages, which send the bytes.
"""
from reportlab import rl_config

# Compressed page streams stay binary: ASCII85 on top of zlib makes files a quarter larger and, without reportlab's
# optional C accelerator, costs as much time as drawing the labels.
rl_config.useA85 = 0
