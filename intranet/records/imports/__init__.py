"""Bringing customers and receivables in from spreadsheets (R4, R28)."""
