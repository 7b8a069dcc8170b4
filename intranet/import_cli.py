"""``flask import PATH --as USERNAME``: bring customers in from a spreadsheet (issue 11, R4).

Prints the sheet and header row found, how each column maps, every row's status with its
reasons, the salesperson names nobody has, the counts and the commit. Exits 0 when the good
rows were imported (``--errors skip``) or previewed, 1 when nothing could be read, the import
was refused, or rows had errors under ``--errors abort`` (then nothing is written).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
from flask import current_app
from flask.cli import with_appcontext

from . import services
from .actions import ActionError
from .actions import importing as action
from .import_store import Mappings, limits_from
from .records.files.schema import CARDS, label
from .records.imports.importing import (
    ERROR,
    FILLS,
    FLAGGED,
    FORBIDDEN,
    MERGED,
    NEW,
    STATUSES,
    UNCHANGED,
    Reason,
    RowResult,
)
from .records.trail.audit import AuditUnavailable


def apply_maps(headings: list[str], mapping: list[str], maps: tuple[str, ...],
               targets: dict[str, str]) -> list[str]:
    """Return the mapping with ``HEADING=target`` overrides (``HEADING=`` leaves it out)."""
    result = list(mapping) + [""] * (len(headings) - len(mapping))
    for item in maps:
        heading, sep, target = item.partition("=")
        heading, target = heading.strip(), target.strip()
        if not sep:
            raise click.UsageError(f"--map takes HEADING=target, not {item!r}")
        if target and target not in targets:
            raise click.UsageError(f"--map: {target!r} is not a field; choose from "
                                   + ", ".join(targets))
        columns = [i for i, h in enumerate(headings) if h.strip() == heading]
        if not columns:
            raise click.UsageError(f"--map: no column is headed {heading!r}")
        for column in columns:
            result[column] = target
    return result


def _reasons(reasons: list[Reason]) -> str:
    return "; ".join(reason.text() for reason in reasons)


def _value(value: Any) -> str:
    return "(hidden)" if value is None else repr(value) if not isinstance(value, str) \
        else f"“{value}”"


def describe(row: RowResult) -> str:
    """Return one line (and detail lines) telling what happens to a row."""
    match = row.match
    where = ""
    if match is not None:
        where = f"row {match.row}" if match.row is not None else \
            f"existing file {match.customer} {match.name}"
        where += f" (same {match.kind})"
    if row.status == NEW:
        text = "new" + (f" → {row.customer}" if row.customer else "")
        if row.accepted and match:
            text += f" (flagged, accepted: matches {where})"
    elif row.status == MERGED:
        text = f"duplicate of {where}: merged"
    elif row.status == FILLS:
        text = f"already in the archive as {where}: fills it"
    elif row.status == UNCHANGED:
        text = f"already in the archive as {where}: nothing to fill"
    elif row.status == FORBIDDEN:
        text = (f"already in the archive as {where}, a file you may not edit: nothing "
                "written to it")
    elif row.status == FLAGGED:
        text = f"flagged: may be {where}; left out (import it with --accept-flagged)"
    else:
        text = "error: " + _reasons(row.reasons)
        if match:
            text += f" (matches {where})"
    lines = [f"  row {row.number}: {text}" + (f" — {row.name}" if row.name else "")]
    if row.fills:
        lines.append("      fills: " + ", ".join(label(p) for p in row.fills))
    there = f"row {match.row}" if match is not None and match.row is not None else "the file"
    for conflict in row.conflicts:
        lines.append(f"      conflict, {there} keeps its value: {label(conflict.path)}: this "
                     f"row {_value(conflict.ours)}, {there} {_value(conflict.theirs)}")
    if row.notes:
        lines.append("      note: " + _reasons(row.notes))
    return "\n".join(lines)


def render(report: action.Report, targets: dict[str, str]) -> str:
    """Return the whole report as text."""
    table = report.table
    where = f"sheet {table.sheet!r} of {len(table.sheets)}" if table.sheet else \
        f"CSV in {table.encoding or 'UTF-8'}"
    lines = [f"{table.filename}: {where}, header in row {table.header_row}, "
             f"{len(table.rows)} rows"]
    for note in getattr(table, "notes", []) or []:
        message, params = note
        lines.append("note: " + (message % params if params else message))
    lines.append("Columns:")
    for i, heading in enumerate(table.headings):
        target = report.mapping[i] if i < len(report.mapping) else ""
        shown = f"{target} ({targets.get(target, target)})" if target else "(not imported)"
        lines.append(f"  {table.letter(i)} {heading or '(no heading)'} → {shown}")
    lines.append("Rows:")
    lines += [describe(row) for row in report.plan.rows]
    if report.plan.unknown_custodians:
        lines.append("Salesperson names that match no member of staff (their files go to "
                     "the importer or --custodian): "
                     + ", ".join(report.plan.unknown_custodians))
    counts = report.counts
    lines.append("Counts: " + ", ".join(f"{counts[s]} {s}" for s in STATUSES)
                 + f" ({counts['accepted']} flagged accepted; {counts['rows']} rows)")
    if report.aborted:
        lines.append(f"Nothing written: {counts[ERROR]} rows have errors (--errors abort).")
    elif report.dry_run:
        lines.append("Dry run: nothing written.")
    elif report.commit:
        lines.append(f"Committed {report.commit} ({counts[NEW]} new files, "
                     f"{counts['filled_files']} files filled).")
    else:
        lines.append("Nothing to write: every row is already in the archive or left out.")
    if counts[FLAGGED]:
        lines.append(f"{counts[FLAGGED]} flagged rows were left out for a person to decide.")
    return "\n".join(lines)


@click.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--as", "username", required=True, help="The member of staff importing.")
@click.option("--dry-run", is_flag=True, help="Print the report and write nothing.")
@click.option("--sheet", default=None, help="The sheet to read (default: the first with a "
              "header).")
@click.option("--encoding", default=None, help="A CSV's encoding (default: detected).")
@click.option("--errors", type=click.Choice(action.ERRORS), default="skip", show_default=True,
              help="skip: import the good rows; abort: write nothing if any row is bad.")
@click.option("--accept-flagged", is_flag=True, help="Import flagged rows as new files.")
@click.option("--custodian", default=None, help="Username keeping files whose salesperson "
              "is not named or not known (default: the importer).")
@click.option("--card", type=click.Choice(CARDS), default="terminal", show_default=True)
@click.option("--map", "maps", multiple=True, metavar="HEADING=target",
              help="Map a column to a field (repeatable; HEADING= leaves it out).")
@with_appcontext
def import_command(path: Path, username: str, dry_run: bool, sheet: str | None,
                   encoding: str | None, errors: str, accept_flagged: bool,
                   custodian: str | None, card: str, maps: tuple[str, ...]) -> None:
    """Import customers from an XLSX or CSV file as one commit."""
    from .sheets import headings
    from .sheets.model import SheetError
    from .sheets.reading import read_table

    svc = services.get()
    limits = limits_from(current_app.config)
    try:
        if path.stat().st_size > limits.max_bytes:
            raise SheetError("The file is larger than %(limit)s bytes.", limit=limits.max_bytes)
        table = read_table(path.read_bytes(), path.name, sheet=sheet, encoding=encoding,
                           limits=limits)
    except SheetError as exc:
        click.echo(f"Nothing imported: {exc}", err=True)
        raise SystemExit(1) from exc
    if not table.rows:
        click.echo(f"Nothing imported: {path.name} has no rows under its header.", err=True)
        raise SystemExit(1)
    # The mapping a person last chose for these headings on the web preview, else suggested.
    remembered = Mappings(current_app.config["IMPORT_MAPPINGS_DB"]).recall(
        headings.heading_set_key(table.headings), len(table.headings))
    mapping = apply_maps(table.headings, remembered or headings.suggest(table.headings), maps,
                         headings.TARGETS)
    try:
        report = action.run(svc.files, svc.index, username, table, mapping, errors=errors,
                            custodian=custodian, card=card, accept_flagged=accept_flagged,
                            dry_run=dry_run, journal=svc.journal, route="cli import")
    except ActionError as exc:
        click.echo(f"Nothing imported: {exc}", err=True)
        raise SystemExit(1) from exc
    except AuditUnavailable as exc:
        click.echo("Nothing imported: the read-audit journal cannot be written, so the report "
                   f"cannot show existing files ({exc}).", err=True)
        raise SystemExit(1) from exc
    click.echo(render(report, headings.TARGETS))
    if report.journal_failed:
        click.echo("The read-audit journal could not be written: the values of existing files "
                   "are left out of this report. Tell the administrator.", err=True)
    if report.aborted:
        raise SystemExit(1)
