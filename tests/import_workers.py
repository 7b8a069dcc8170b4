"""Imports run in separate processes by the import concurrency test."""

from __future__ import annotations

from intranet.actions import importing
from intranet.archive.repository import Archive
from intranet.index import Index
from intranet.records.files.customers import CustomerFiles
from intranet.sheets import headings
from intranet.sheets.reading import read_table


def import_csv(repo: str, index_path: str, username: str, name: str, data: bytes,
               queue) -> None:
    """Import a CSV as ``username`` and report the ids each row received and the commit."""
    archive = Archive(repo)
    index = Index(index_path, archive)
    table = read_table(data, name)
    report = importing.run(CustomerFiles(archive), index, username, table,
                           headings.suggest(table.headings))
    queue.put((name, report.commit, sorted(report.created.items())))
    index.close()
    archive.close()
