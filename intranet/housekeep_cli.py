"""``flask housekeep``: pack the archive and refresh its Bloom filters (for cron)."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from . import services
from .archive.errors import ArchiveError
from .archive.housekeeping import housekeep_if_due


@click.command("housekeep")
@with_appcontext
def housekeep_command() -> None:
    """Run git gc and write the commit-graph with changed-path Bloom filters now."""
    try:
        # Due at once, but under the same lock and stamp as the server's daily job.
        steps = housekeep_if_due(services.get().archive.path, every=0)
    except ArchiveError as exc:
        raise click.ClickException(str(exc)) from exc
    if steps is None:
        raise click.ClickException("another process is housekeeping the archive right now")
    click.echo("Housekeeping done: " + ", ".join(f"{k} {v:.1f} s" for k, v in steps.items()))
