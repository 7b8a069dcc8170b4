"""The credit rows of the files an actor may see the figures of (R28), from the index."""

from __future__ import annotations

from typing import Any

# What the credit page and the home panels need of each file: catalogue, custody, credit.
_COLUMNS = ("c.id, c.name, c.owner, c.department, c.level, c.contacts, cr.grade, "
            "cr.credit_limit, cr.terms, cr.approved_by, cr.approved_on, cr.receivable, "
            "cr.oldest_due, cr.receivable_as_of")


def credit_rows(index: Any, condition: tuple[str, list[Any]], owner: str | None = None,
                department: str | None = None) -> list[dict[str, Any]]:
    """Return every valid file's credit row where ``condition`` (on ``customers c``) holds."""
    index.catch_up()
    sql, params = condition
    where = [f"({sql})", "c.damaged IS NULL"]
    if owner:
        where.append("c.owner = ?")
        params = [*params, owner]
    if department:
        where.append("c.department = ?")
        params = [*params, department]
    conn = index.db.connect()
    cursor = conn.execute(f"SELECT {_COLUMNS} FROM credit cr JOIN customers c "
                          f"ON c.id = cr.customer WHERE {' AND '.join(where)} ORDER BY c.id",
                          params)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def existing_ids(index: Any, ids: list[str]) -> set[str]:
    """Return the ids among ``ids`` that are files in the index."""
    if not ids:
        return set()
    index.catch_up()
    conn = index.db.connect()
    found: set[str] = set()
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        marks = ",".join("?" * len(chunk))
        found |= {r[0] for r in conn.execute(
            f"SELECT id FROM customers WHERE id IN ({marks})", chunk)}
    return found


def ids_by_name(index: Any, names: list[str]) -> dict[str, list[str]]:
    """Return the files whose name is exactly each of ``names`` (the catalogue's name)."""
    if not names:
        return {}
    index.catch_up()
    conn = index.db.connect()
    found: dict[str, list[str]] = {}
    unique = sorted(set(names))
    for start in range(0, len(unique), 500):
        chunk = unique[start:start + 500]
        marks = ",".join("?" * len(chunk))
        for name, customer in conn.execute(
                f"SELECT name, id FROM customers WHERE name IN ({marks})", chunk):
            found.setdefault(name, []).append(customer)
    return found


def ids_by_tax(index: Any, tax_ids: list[str]) -> dict[str, list[str]]:
    """Return the files holding each 統一編號 (the index's duplicate keys)."""
    pairs = [("tax", t) for t in sorted(set(tax_ids)) if t]
    return {key: ids for (_kind, key), ids in index.matches(pairs).items()} if pairs else {}
