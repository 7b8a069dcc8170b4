"""Words for the audit journal's codes (R20, R35): what a person did, and on what right.

The journal keeps short codes (``view``, ``grant:AR000012``); the audit pages show these
English msgids, translated in the views. An unknown code shows as itself.
"""
from __future__ import annotations

from intranet.records.files.schema import N_

ACTIONS = {
    "view": N_("Opened the file"), "history": N_("Read the history"),
    "version": N_("Read an old version"), "diff": N_("Compared versions"),
    "document": N_("Opened a document"), "export": N_("Exported"), "edit": N_("Edited"),
    "restore": N_("Restored a version"), "reports": N_("Read contact reports"),
    "figures": N_("Read figures for the analyses"), "classify": N_("Classified or graded"),
    "import": N_("Imported"), "contact": N_("Recorded a contact"),
    "event": N_("Recorded an event"), "yearly": N_("Entered yearly figures"),
    "handover_told": N_("Told the customer of a hand-over"),
}
BASES = {
    "own": N_("Own file"), "department": N_("Own department's file"),
    "level": N_("Reads files of this level"), "grant": N_("Approved request"),
    "break-glass": N_("Emergency read"), "analysis": N_("Analysis role"),
    "administrator": N_("Administrator"), "none": N_("No right"), "import": N_("Import"),
}


def action_word(code: str) -> str:
    """Return the msgid for an action code, or the code itself."""
    return ACTIONS.get(code, code)


def basis_word(basis: str) -> tuple[str, str]:
    """Return (msgid, request id) for a basis: ``grant:AR000012`` names its request."""
    kind, _, request_id = basis.partition(":")
    return BASES.get(kind, kind), request_id
