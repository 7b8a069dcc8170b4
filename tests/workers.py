"""Code run in separate worker processes by the concurrency and crash tests."""

from __future__ import annotations

import sys

from intranet.archive.errors import Conflict
from intranet.archive.objects import Identity
from intranet.archive.repository import Archive, Change
from intranet.records.files.customers import CustomerFiles


def append_lines(repo: str, worker: int, count: int, shared: bool, queue) -> None:
    """Append ``count`` lines to a file, reporting every commit that was accepted."""
    archive = Archive(repo)
    author = Identity(f"worker {worker}", f"w{worker}@example.com")
    path = "shared.txt" if shared else f"own-{worker}.txt"
    for i in range(count):
        line = f"{worker}-{i}\n".encode()
        commit = archive.commit(
            lambda snap, line=line: Change({path: (snap.get(path) or b"") + line}, "append"),
            author, lock_timeout=0 if worker % 2 else 10)
        queue.put((worker, i, commit))
    archive.close()


def edit_field(repo: str, customer: str, author: str, field: str, values: list[str],
               queue) -> None:
    """Save one field many times, each time from the revision last seen, reporting outcomes."""
    files = CustomerFiles(Archive(repo))
    for value in values:
        loaded = files.load(customer)
        record = loaded.record
        section, key = field.split(".")
        record[section][key] = value
        try:
            commit = files.save(customer, record, loaded.commit, author)
            queue.put(("saved", value, commit))
        except Conflict as exc:
            queue.put(("conflict", value, ",".join(exc.fields)))
    files.archive.close()


def create_customers(repo: str, author: str, count: int, queue) -> None:
    """Create customers as fast as possible, reporting the ids received."""
    from intranet.records.files.schema import new_record

    files = CustomerFiles(Archive(repo))
    for i in range(count):
        record = new_record("terminal", **{"basic.name": f"{author} 公司 {i}",
                                           "basic.phone": "02-2531-7099",
                                           "classification.industry": "電子",
                                           "custody.owner": author,
                                           "custody.department": "sales"})
        customer, commit = files.create(record, author)
        queue.put((customer, commit))
    files.archive.close()


def commit_forever(repo: str) -> None:
    """Commit as fast as possible, printing each accepted commit, until killed."""
    archive = Archive(repo)
    author = Identity("crash test", "crash@example.com")
    i = 0
    while True:
        i += 1
        files = {f"f/{i % 7}.txt": f"{i}\n".encode(), "counter.txt": f"{i}\n".encode()}
        message = f"n {i}"
        commit = archive.commit(lambda snap, f=files, m=message: Change(f, m), author)
        sys.stdout.write(f"{commit}\n")
        sys.stdout.flush()


if __name__ == "__main__":
    commit_forever(sys.argv[1])
