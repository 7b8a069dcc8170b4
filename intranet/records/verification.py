"""Check a whole archive: git fsck and every file validated (``flask verify``, backups).

The same check runs on the live archive (``flask verify``), on a backup's trial restore and
on a restored archive, so "verified" means one thing everywhere. No Flask imports here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..archive.errors import CorruptRecord
from ..archive.repository import Archive
from .classes import CLASSES_PATH, load_classes
from .customers import PREFIX, check, id_from_path
from .rules import DEPARTMENTS_PATH, STAFF_PATH, load_rules


@dataclass(frozen=True)
class ArchiveCheck:
    """The outcome of checking an archive: git fsck, bad files, warnings, customer files."""

    fsck_ok: bool
    fsck_output: str
    bad: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    count: int = 0

    @property
    def ok(self) -> bool:
        """Tell whether git fsck passed and no file is bad."""
        return self.fsck_ok and not self.bad

    def first_problem(self) -> str:
        """Return the first problem in one line ("" when ok)."""
        if not self.fsck_ok:
            lines = self.fsck_output.splitlines()
            return "git fsck failed" + (f": {lines[0]}" if lines else "")
        return self.bad[0] if self.bad else ""


def check_archive(archive: Archive) -> ArchiveCheck:
    """Run git fsck and validate the policy, organisation and every customer file."""
    fsck_ok, output = archive.fsck()
    bad: list[str] = []
    warnings: list[str] = []
    count = 0
    snapshot = archive.snapshot()
    try:
        rules = load_rules(snapshot)
        # A damaged policy or org file: the office runs on its last valid version meanwhile.
        bad += [problem.describe() for problem in rules.problems]
    except CorruptRecord as exc:
        bad.append(f"{exc.path}: {exc.reason} (no valid version in its history)")
        rules = None
    for path in (STAFF_PATH, DEPARTMENTS_PATH):
        if snapshot.get(path) is None:
            bad.append(f"{path}: missing")
    classes = load_classes(snapshot)
    if classes.problem:
        bad.append(f"{CLASSES_PATH}: {classes.problem} (no lists in force: any value)")
    if rules is not None:
        for path, blob in sorted(archive.files(PREFIX).items()):
            if id_from_path(path) is None:
                bad.append(f"{path}: not a customer file name (customers/NNNN/CNNNNNN.yaml)")
                continue
            count += 1
            record, problem, _ = check(archive.read_object(blob)[1], path, rules)
            if problem:
                bad.append(f"{path}: {problem}")
            # R23: a value outside its list is flagged, not refused (old files still load).
            warnings += [f"{path}: {flag.path}: {flag.value} is not in the {flag.list} list"
                         for flag in (classes.flags(record) if record else [])]
    return ArchiveCheck(fsck_ok, output, bad, warnings, count)
