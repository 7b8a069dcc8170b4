"""``flask export PATH --as USERNAME``: the customer list as the web exports it for that user.

The same rows (the list's search, filters and sort; readable files only), the same columns
and words, the same defusing, and the same journal entries (one ``export`` per file, route
``cli.export``, address ``cli``): only the channel differs.
"""

from __future__ import annotations

import os
from pathlib import Path

import click
from flask.cli import with_appcontext
from flask_babel import force_locale
from flask_babel import gettext as _

from . import services
from .actions import exporting
from .actions.reading import AuditDown, Reader
from .index.query import FILTERS, SORTS
from .records.rights import access
from .records.trail.audit import AuditError
from .sheets.writing import csv_bytes, xlsx_bytes
from .web.customers.labels import enum_label
from .web.i18n import DEFAULT, LANGUAGES

ROUTE, ADDRESS = "cli.export", "cli"


def _filters(command: click.Command) -> click.Command:
    """Add one option per filter of the customer list (--stage active, --region 北區, …)."""
    for name in reversed(FILTERS):
        command = click.option(f"--{name}", default="", help=f"Only files whose {name} is "
                               "this (as in the list's query string).")(command)
    return command


@click.command("export")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--as", "username", required=True, help="Whose rights and journal entries.")
@click.option("--format", "kind", type=click.Choice(["xlsx", "csv"]), default=None,
              help="Default: from PATH's extension (.csv is CSV, anything else XLSX).")
@click.option("--q", default="", help="Search, as in the list's search box.")
@_filters
@click.option("--vip", is_flag=True, help="Only VIP customers.")
@click.option("--damaged", is_flag=True, help="Only files that do not validate.")
@click.option("--sort", type=click.Choice(sorted(SORTS)), default="id")
@click.option("--desc", is_flag=True, help="Sort in descending order.")
@click.option("--lang", type=click.Choice(sorted(LANGUAGES)), default=DEFAULT,
              help="Language of the headings and words.")
@click.option("--overwrite", is_flag=True, help="Replace PATH if it exists.")
@with_appcontext
def export_command(path: str, username: str, kind: str | None, lang: str, overwrite: bool,
                   **args: object) -> None:
    """Write the customer list a member of staff may read to PATH, journalling every file."""
    target = Path(path)
    if target.exists() and not overwrite:
        raise click.ClickException(f"{target} exists already; choose a new name or --overwrite")
    kind = kind or ("csv" if target.suffix.lower() == ".csv" else "xlsx")
    svc = services.get()
    reader = Reader(svc, username, route=ROUTE, address=ADDRESS)
    directory = reader.rules().directory
    member = directory.member(username)
    if member is None or not directory.is_active(username):
        raise click.ClickException(f"{username} is not an active member of staff")
    actor = access.Actor(username, str(member.get("role") or ""),
                         str(member.get("department") or ""))
    with force_locale(lang):
        try:
            found = exporting.build(reader, actor, exporting.query_from(args),
                                    exporting.Words(reader.rules(), _, enum_label))
        except AuditDown as exc:
            raise click.ClickException("the read-audit journal cannot be written, so nothing "
                                       "was exported; tell the administrator") from exc
        if kind == "csv":
            body = csv_bytes(found.headings, found.lines)
        else:
            body = xlsx_bytes(found.headings, found.lines, found.title,
                              [c.width for c in exporting.COLUMNS])
    _write(target, body)
    try:
        svc.seal_audit_if_due()
    except AuditError as exc:  # the entries stay in the journal; audit-verify tells
        click.echo(f"warning: could not seal the audit journal: {exc}", err=True)
    click.echo(f"Exported {len(found.ids)} customer files to {target} ({kind}) as {username}")


def _write(target: Path, body: bytes) -> None:
    """Write the file readable by its owner only (it holds confidential files), atomically."""
    partial = target.with_name(f".{target.name}.partial")
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(body)
    os.replace(partial, target)
