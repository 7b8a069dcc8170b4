"""The read-audit trail (R35, R38): journal, sealing, reports, verification."""
