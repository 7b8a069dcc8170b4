"""Operators' commands: ``flask --app app init | create-user | set-password | reindex | verify |
audit-verify | audit-seal`` (backup and restore: ``backup_cli.py``)."""

from __future__ import annotations

import sys
import time

import click
from flask import Flask
from flask.cli import with_appcontext

from . import services
from .accounts import WeakPassword
from .records.rulebook.organisation import DirectoryError, initialise, save_member
from .records.rulebook.rules import load_rules
from .records.rulebook.staff import ROLES
from .records.trail.audit import AuditError, compare_prefix, read_lines, verify_file, verify_sealed
from .records.trail.audit_tip import tail_problems
from .records.trail.verification import check_archive


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
    result = check_archive(services.get().archive)
    if not result.fsck_ok:
        click.echo(f"git fsck failed:\n{result.fsck_output}", err=True)
    for line in result.warnings:
        click.echo(f"WARN {line}", err=True)
    for line in result.bad:
        click.echo(f"BAD {line}", err=True)
    if not result.ok:
        raise SystemExit(1)
    click.echo(f"OK: git fsck clean, {result.count} customer files and the organisation files "
               "valid" + (f"; {len(result.warnings)} values outside the classification lists"
                          if result.warnings else ""))


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
    # A journal cut back after the last seal is still an intact chain: its tip tells.
    lines = read_lines(svc.journal.path) if journal.ok else None
    for problem in tail_problems(svc.journal.path, lines, sealed.last_seq if sealed.ok else 0):
        bad.append(f"journal {svc.journal.path}: {problem}")
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


def init_app(app: Flask) -> None:
    """Register the commands on the app's CLI."""
    from .backup_cli import backup_command, restore_command
    from .demo import seed_demo_command  # keeps demo data off the import path
    from .export_cli import export_command  # their own modules: spreadsheets in and out
    from .housekeep_cli import housekeep_command
    from .import_cli import import_command
    from .receivables_cli import import_receivables_command
    from .report_cli import report_group
    from .web.translate import translate

    for command in (init_command, create_user_command, set_password_command, reindex_command,
                    verify_command, audit_verify_command, audit_seal_command, backup_command,
                    restore_command, seed_demo_command, translate, import_command, export_command,
                    import_receivables_command, report_group, housekeep_command):
        app.cli.add_command(command)
