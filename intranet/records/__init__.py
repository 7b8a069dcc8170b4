"""Records and rules, no Flask: one sub-package per part of the domain.

- ``files``: A customer file: its schema, checks, canonical YAML, entries, documents, diffs.
- ``rights``: Who may read or change a file (R33, R36), and access requests (R34, R35).
- ``conduct``: Keeping files current and staffed (R18–R21, R30–R32): discipline, hand-overs.
- ``rulebook``: The company's rules as data (R2, R3, R23): policy, staff directory, zone.
- ``trail``: The read-audit trail (R35, R38): journal, sealing, reports, verification.
- ``imports``: Bringing customers and receivables in from spreadsheets (R4, R28).
- ``sales``: Sales, grades and credit (R16, R24–R29): analysis, grading, credit.
"""
