"""``flask backup [PATH] | --if-due | --list`` and ``flask restore BUNDLE TARGET`` (R38).

``flask backup`` makes a backup the way the server's schedule does (folder checked, journal
sealed, bundle written, verified, named, catalogued) and records it as manual; ``--if-due`` runs
the schedule's check once, for cron or Task Scheduler on a machine where no server runs.
``flask restore`` makes a working archive from a bundle. It never creates the configured
archive: ``create_app`` sees a restore run (``is_restore_run``) and sets up nothing else.
"""

from __future__ import annotations

import os
from pathlib import Path

import click
from flask.cli import with_appcontext

from . import services
from .backups import BackupError, Entry, restore

# The flask command's own options that take a value (flask --app app restore …).
_VALUE_OPTIONS = {"--app", "-A", "--env-file", "-e"}


def is_restore_run(argv: list[str]) -> bool:
    """Tell whether this process is ``flask … restore …`` (it must not create an archive)."""
    program = Path(argv[0]) if argv else Path()
    if not (program.name in ("flask", "flask.exe")
            or (program.name == "__main__.py" and program.parent.name == "flask")):
        return False
    words = iter(argv[1:])
    for word in words:
        if word in _VALUE_OPTIONS:
            next(words, None)
        elif not word.startswith("-"):
            return word == "restore"
    return False


def _size(size: int | None) -> str:
    return "-" if size is None else f"{size / 2**20:.1f} MB" if size >= 2**20 else f"{size} B"


def _line(entry: Entry) -> str:
    state = ("verified" if entry.verified else "RUNNING" if entry.running
             else f"FAILED: {entry.problem.describe() if entry.problem else '?'}")
    removed = f" (removed {entry.removed:%Y-%m-%d})" if entry.removed else ""
    seconds = f"{entry.seconds:.1f} s" if entry.seconds is not None else "-"
    return (f"{entry.started:%Y-%m-%d %H:%M}Z  {entry.kind:<7}  {entry.head[:10] or '-':<10}  "
            f"{_size(entry.size):>9}  {seconds:>8}  {entry.path}{removed}  {state}")


@click.command("backup")
@click.argument("destination", required=False,
                type=click.Path(dir_okay=True, file_okay=True, path_type=Path))
@click.option("--if-due", is_flag=True, help="Make the scheduled backup only if it is due.")
@click.option("--list", "listing", is_flag=True, help="List every backup attempt.")
@with_appcontext
def backup_command(destination: Path | None, if_due: bool, listing: bool) -> None:
    """Seal the audit journal, then write and verify a backup bundle (R38).

    DESTINATION: a folder (default BACKUP_DIR) or a new file name ending in .bundle.
    """
    backups = services.get().backups
    if listing:
        entries = backups.catalogue.all()
        for entry in entries:
            click.echo(_line(entry))
        if not entries:
            click.echo("No backups yet.")
        return
    if if_due:
        if destination is not None:
            raise click.UsageError("--if-due writes into BACKUP_DIR; give no DESTINATION")
        entry = backups.check()
        if entry is None:
            click.echo("No scheduled backup is due (or another process is making it).")
            return
    else:
        entry = backups.make("manual", destination)
    if not entry.verified:
        reason = entry.problem.describe() if entry.problem else "unknown reason"
        raise click.ClickException(f"the backup failed: {reason}")
    click.echo(f"Backup written to {entry.path} ({_size(entry.size)}, head {entry.head[:10]}, "
               f"{entry.files} customer files) and verified in {entry.seconds:.1f} s")
    click.echo(f"Restore it with: flask --app app restore {entry.path} NEW_FOLDER")


@click.command("restore")
@click.argument("bundle", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("target", type=click.Path(path_type=Path))
def restore_command(bundle: Path, target: Path) -> None:
    """Make a working archive in the new folder TARGET from a backup BUNDLE."""
    # No app context: the configured archive is neither opened nor created.
    try:
        restored = restore(bundle, target)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    check = restored.check
    for line in check.warnings:
        click.echo(f"WARN {line}", err=True)
    for line in check.bad:
        click.echo(f"BAD {line}", err=True)
    if not check.fsck_ok:
        click.echo(f"git fsck failed:\n{check.fsck_output}", err=True)
    click.echo(f"Restored {restored.path} at head {restored.head} "
               f"({check.count} customer files)")
    if not check.ok:
        click.echo("The restored archive has the problems above.", err=True)
        raise SystemExit(1)
    env = "set ARCHIVE_REPO=" if os.name == "nt" else "ARCHIVE_REPO="
    click.echo("Start on it with (the index is rebuilt on the first start):\n"
               f"    {env}{restored.path} python app.py")
