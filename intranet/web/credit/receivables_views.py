"""Bring in open receivables from the accounting package's sheet: upload, preview, import."""
