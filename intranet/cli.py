"""Operators' commands: ``flask --app app init | create-user | set-password | reindex | verify |
audit-verify | audit-seal``."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click
from flask import Flask
from flask.cli import with_appcontext

from . import services
from .accounts import WeakPassword
from .archive.errors import ArchiveError, CorruptRecord
from .records.audit import AuditError, compare_prefix, read_lines, verify_file, verify_sealed
from .records.classes import CLASSES_PATH, load_classes
from .records.customers import PREFIX, check, id_from_path
from .records.organisation import DirectoryError, initialise, save_member
from .records.rules import DEPARTMENTS_PATH, STAFF_PATH, load_rules
from .records.staff import ROLES


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


def _set_password(username: str, password: str) -> None:
    try:
        services.get().credentials.set(username, password)
    except WeakPassword as exc:
        raise click.ClickException(str(exc)) from exc


@click.command("init")
@with_appcontext
def init_command() -> None:
    """Create the archive with its policy and organisation files (safe to repeat)."""
    svc = services.get()
    commit = initialise(svc.archive, svc.system)
    click.echo(f"Archive ready at {svc.archive.path} (head {commit[:10] if commit else '-'})")


@click.command("create-user")
@with_appcontext
@click.argument("username")
@click.option("--name", required=True, help="Full name, as commits will show it.")
@click.option("--role", required=True, type=click.Choice(sorted(ROLES)))
@click.option("--department", default="", help="Department id (created if new).")
@click.option("--email", default="", help="E-mail address (default USERNAME@localhost).")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def create_user_command(username: str, name: str, role: str, department: str, email: str,
                        password_stdin: bool) -> None:
    """Add a member of staff to org/staff.yaml and give them a password."""
    svc = services.get()
    password = _read_password(password_stdin)
    domain = svc.system.email.partition("@")[2]
    member = {"username": username, "name": name, "role": role, "department": department,
              "email": email or f"{username}@{domain}", "active": True, "left_on": ""}
    try:
        svc.credentials.set(username, password)
    except WeakPassword as exc:
        raise click.ClickException(str(exc)) from exc
    try:
        commit = save_member(svc.archive, member, svc.system, new=True)
    except DirectoryError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Created {username} ({role}) in commit {commit[:10]}")


@click.command("set-password")
@with_appcontext
@click.argument("username")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def set_password_command(username: str, password_stdin: bool) -> None:
    """Set a member of staff's password."""
    svc = services.get()
    if load_rules(svc.archive.snapshot()).directory.member(username) is None:
        raise click.ClickException(f"{username} is not a member of staff")
    _set_password(username, _read_password(password_stdin))
    click.echo(f"Password changed for {username}")


@click.command("reindex")
@with_appcontext
def reindex_command() -> None:
    """Rebuild the derived index from the archive."""
    svc = services.get()
    started = time.perf_counter()
    head = svc.index.rebuild()
    total = svc.index.db.connect().execute("SELECT count(*) FROM customers").fetchone()[0]
    elapsed = time.perf_counter() - started
    click.echo(f"Indexed {total} customer files at {head or '-'} in {elapsed:.2f} s")


@click.command("verify")
@with_appcontext
def verify_command() -> None:
    """Check the repository with git fsck and validate every file; exit 1 naming bad ones."""
    svc = services.get()
    ok, output = svc.archive.fsck()
    bad: list[str] = []
    if not ok:
        click.echo(f"git fsck failed:\n{output}", err=True)
    snapshot = svc.archive.snapshot()
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
    count = 0
    warnings: list[str] = []
    classes = load_classes(snapshot)
    if classes.problem:
        bad.append(f"{CLASSES_PATH}: {classes.problem} (no lists in force: any value)")
    if rules is not None:
        for path, blob in sorted(svc.archive.files(PREFIX).items()):
            if id_from_path(path) is None:
                bad.append(f"{path}: not a customer file name (customers/NNNN/CNNNNNN.yaml)")
                continue
            count += 1
            record, problem, _ = check(svc.archive.read_object(blob)[1], path, rules)
            if problem:
                bad.append(f"{path}: {problem}")
            # R23: a value outside its list is flagged, not refused (old files still load).
            warnings += [f"{path}: {flag.path}: {flag.value} is not in the {flag.list} list"
                         for flag in (classes.flags(record) if record else [])]
    for line in warnings:
        click.echo(f"WARN {line}", err=True)
    for line in bad:
        click.echo(f"BAD {line}", err=True)
    if not ok or bad:
        raise SystemExit(1)
    click.echo(f"OK: git fsck clean, {count} customer files and the organisation files valid"
               + (f"; {len(warnings)} values outside the classification lists" if warnings
                  else ""))


@click.command("audit-verify")
@with_appcontext
def audit_verify_command() -> None:
    """Check the audit journal and the sealed audit/ files; exit 1 naming the first break."""
    svc = services.get()
    bad: list[str] = []
    journal = verify_file(svc.journal.path)
    if not journal.ok:
        bad.append(f"journal {svc.journal.path}: {journal.describe()}")
    sealed, sealed_lines = verify_sealed(svc.archive.snapshot())
    if not sealed.ok:
        bad.append(f"sealed: {sealed.describe()}")
    elif journal.ok:
        # The sealed files are a copy of the journal's beginning; any difference is tampering.
        problem = compare_prefix(sealed_lines, read_lines(svc.journal.path))
        if problem:
            bad.append(f"journal against sealed: {problem}")
    for line in bad:
        click.echo(f"BAD {line}", err=True)
    if bad:
        raise SystemExit(1)
    click.echo(f"OK: audit journal {journal.count} entries, {sealed.count} sealed, chain intact")


@click.command("audit-seal")
@with_appcontext
def audit_seal_command() -> None:
    """Seal unsealed audit entries into the archive (run from cron and before every backup)."""
    try:
        commit = services.get().seal_audit()
    except AuditError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Sealed in commit {commit[:10]}" if commit else "Nothing new to seal")


@click.command("backup")
@click.argument("destination", type=click.Path(dir_okay=False, writable=True))
@with_appcontext
def backup_command(destination: str) -> None:
    """Seal the audit journal, then write the whole archive to one git bundle file (R38)."""
    svc = services.get()
    try:
        svc.seal_audit()
    except AuditError as exc:
        raise click.ClickException(f"the audit journal could not be sealed: {exc}") from exc
    target = Path(destination).resolve()
    if target.exists():
        raise click.ClickException(f"{target} exists already; choose a new file name")
    try:
        svc.archive.bundle(target)
    except ArchiveError as exc:
        raise click.ClickException(str(exc)) from exc
    head = svc.archive.head() or ""
    click.echo(f"Backup written to {target} ({target.stat().st_size} bytes, head {head[:10]}); "
               f"restore with: git clone {target.name} archive_repo --bare")


def init_app(app: Flask) -> None:
    """Register the commands on the app's CLI."""
    from .demo import seed_demo_command  # keeps demo data off the import path
    from .export_cli import export_command  # their own modules: spreadsheets in and out
    from .housekeep_cli import housekeep_command
    from .import_cli import import_command
    from .receivables_cli import import_receivables_command
    from .report_cli import report_group
    from .web.translate import translate

    for command in (init_command, create_user_command, set_password_command, reindex_command,
                    verify_command, audit_verify_command, audit_seal_command, backup_command,
                    seed_demo_command, translate, import_command, export_command,
                    import_receivables_command, report_group, housekeep_command):
        app.cli.add_command(command)
