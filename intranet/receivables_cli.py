"""``flask import-receivables PATH --as USERNAME``: open receivables from accounting (R28).

Prints each row's status (matched, unchanged, unmatched, ambiguous, refused, error) with its
reasons, the counts and the commit. Exits 1 when the sheet cannot be read or the import is
refused; unmatched and ambiguous rows are reported, never guessed.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from . import services
from .actions import ActionError
from .actions import receivables as action
from .import_store import limits_from
from .records.imports.receivables_import import suggest
from .records.rulebook import zone
from .records.rulebook.rules import load_rules
from .sheets.model import SheetError
from .sheets.reading import read_table


def _text(message: str, params: dict) -> str:
    """Return a reason in English (the cleaners write {name}, the matcher %(name)s)."""
    return message % params if "%(" in message else message.format(**params)


@click.command("import-receivables")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--as", "username", required=True, help="The member of staff importing.")
@click.option("--dry-run", is_flag=True, help="Print the report and write nothing.")
@click.option("--as-of", default=None, help="The date of the figures when the sheet has no "
              "資料日期 column (default: today in the company's time zone).")
@click.option("--sheet", default=None, help="The sheet to read.")
@click.option("--encoding", default=None, help="A CSV's encoding (default: detected).")
@with_appcontext
def import_receivables_command(path: Path, username: str, dry_run: bool, as_of: str | None,
                               sheet: str | None, encoding: str | None) -> None:
    """Import open receivables from an XLSX or CSV file as one commit."""
    svc = services.get()
    try:
        table = read_table(path.read_bytes(), path.name, sheet=sheet, encoding=encoding,
                           limits=limits_from(current_app.config))
    except SheetError as error:
        raise click.ClickException(error.message % error.params if error.params
                                   else error.message) from error
    day = as_of or zone.today(zone.company_zone(load_rules(svc.archive.snapshot()).policy),
                              current_app.config.get("TODAY")).isoformat()
    try:
        date.fromisoformat(day)
    except ValueError as error:
        raise click.UsageError("--as-of takes YYYY-MM-DD") from error
    mapping = suggest(table.headings)
    click.echo("Columns: " + ", ".join(f"{h} -> {t or '-'}"
                                       for h, t in zip(table.headings, mapping, strict=True)))
    try:
        report = action.run(svc.files, svc.index, username, table, mapping, as_of=day,
                            dry_run=dry_run)
    except ActionError as error:
        raise click.ClickException(error.message % error.params if error.params
                                   else error.message) from error
    for row in report.rows:
        reasons = "; ".join(_text(m, p) for m, p in row.reasons)
        owed = row.owed.get("amount")
        click.echo(f"row {row.number}: {row.status} {row.customer or '-'}"
                   f"{f' {owed}' if owed is not None else ''}{f' ({reasons})' if reasons else ''}")
    counts = report.counts()
    click.echo("Counts: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    if dry_run:
        click.echo("Dry run: nothing written.")
    elif report.commit:
        click.echo(f"Committed {report.commit[:10]}: {len(report.records)} files updated.")
    else:
        click.echo("Nothing to write.")
