"""``flask report composition``: the analyses' figures on the console, as the web shows them.

``--by grade|region|product --year YYYY [--as-of YYYY-MM-DD] [--format csv|table]
[--as USERNAME]``. CSV columns exactly ``key,customers,amount,share``. Without ``--as`` the
console operator (who holds the archive itself) sees every file; ``--as`` gives a member of
staff's scope. Errors print a clear message and exit with code 2.
"""

from __future__ import annotations

import sys
import unicodedata

import click
from flask import current_app
from flask.cli import with_appcontext

from . import services
from .actions import ActionError
from .actions import analysis as actions
from .actions.reading import Reader
from .records.rights import access
from .records.rulebook.zone import company_zone, today
from .records.sales.analysis import BY

ROUTE, ADDRESS = "cli.report", "cli"


def _fail(message: str) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(2)


@click.group("report")
def report_group() -> None:
    """Figures of the customer base (R25-R27)."""


@report_group.command("composition")
@click.option("--by", "by", type=click.Choice(BY), required=True, help="Key of the rows.")
@click.option("--year", required=True, help="The year, e.g. 2025.")
@click.option("--as-of", "as_of", default="", help="The archive as of this day (YYYY-MM-DD).")
@click.option("--format", "kind", type=click.Choice(["csv", "table"]), default="csv")
@click.option("--as", "username", default="", help="Only the files this user may see.")
@with_appcontext
def composition_command(by: str, year: str, as_of: str, kind: str, username: str) -> None:
    """Print a year's sales composition by grade, region or product."""
    svc = services.get()
    reader = Reader(svc, username, route=ROUTE, address=ADDRESS)
    actor = None  # the console operator: every file, as verify and backup see them
    if username:
        directory = reader.rules().directory
        member = directory.member(username)
        if member is None or not directory.is_active(username):
            _fail(f"{username} is not an active member of staff")
            return
        actor = access.Actor(username, str(member.get("role") or ""),
                             str(member.get("department") or ""))
    try:
        day = today(company_zone(reader.rules().policy), current_app.config.get("TODAY"))
        found = actions.composition(reader, actor, by, year, as_of or None, day)
    except ActionError as exc:
        _fail(str(exc))
        return
    if kind == "csv":
        click.echo("key,customers,amount,share")
        for row in found.rows:
            click.echo(f"{_csv(row.key)},{row.customers},{row.amount},{row.share}")
        return
    width = max([_width(r.key) for r in found.rows] + [3])
    click.echo(f"{_pad('key', width)}  {'customers':>9}  {'amount':>15}  {'share':>7}")
    for row in found.rows:
        click.echo(f"{_pad(row.key, width)}  {row.customers:>9}  {row.amount:>15,}  "
                   f"{row.share:>6}%")
    click.echo(f"{_pad('', width)}  {sum(r.customers for r in found.rows):>9}  "
               f"{found.total:>15,}")


def _width(text: str) -> int:
    """Return how many columns a text takes on a terminal (CJK characters take two)."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def _csv(text: str) -> str:
    """Return a CSV field, quoted when it needs to be."""
    if any(c in text for c in ',"\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text
