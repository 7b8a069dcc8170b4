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
