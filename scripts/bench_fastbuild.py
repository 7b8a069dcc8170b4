"""Fast build mode of the benchmark's archive, for scale runs (tooling only, not a product path).

The normal build makes every version of every file with ``apply_changes``, ``normalise`` and
``yamlio.dump`` (about 2.5 ms a version on two cores): fine for 50,000 commits, most of an hour
for 200,000. This mode makes real version chains only for a pool of template customers (the
first ``templates`` of the plan, and any file whose plan asks for more versions than every
template has), and gives every other customer the first versions of a template chain at
least as long as its own plan, with the template's id, name, short name and 統一編號 replaced
by its own. Commit times, authors and the commit count are the plan's, exactly as in the
normal build; what differs is the content: other fields (people, phones, addresses, notes)
repeat across the copies of one template, so searches for them find more files than in a
real office. Figures measured on such an archive say so.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterator
from typing import Any

Version = tuple[bytes, str, bool]  # (file bytes, commit subject, no-op edit replaced)
Job = tuple[dict, list]


def _swaps(template: dict[str, Any], record: dict[str, Any]) -> dict[str, str]:
    """Return the template's identifying texts and the record's replacements."""
    pairs = {template["id"]: record["id"]}
    old_basic, new_basic = template.get("basic") or {}, record.get("basic") or {}
    for key in ("name", "short_name", "tax_id"):
        old, new = str(old_basic.get(key) or ""), str(new_basic.get(key) or "")
        # Only swap texts of the same shape, so YAML quoting and line layout stay valid.
        if old and new and old != new and len(old) >= 2 and old.isdigit() == new.isdigit():
            pairs.setdefault(old, new)
    return pairs


def substitute(chain: list[Version], template: dict[str, Any], record: dict[str, Any],
               count: int) -> list[Version]:
    """Return the first ``count`` versions of a template's chain, made the record's own."""
    pairs = _swaps(template, record)
    pattern = re.compile("|".join(re.escape(k) for k in sorted(pairs, key=len, reverse=True)))
    raw = re.compile(pattern.pattern.encode())
    encoded = {k.encode(): v.encode() for k, v in pairs.items()}
    out = []
    for data, subject, replaced in chain[:count]:
        out.append((raw.sub(lambda m: encoded[m.group(0)], data),
                    pattern.sub(lambda m: pairs[m.group(0)], subject), replaced))
    return out


def fast_versions(jobs: list[Job], imap: Callable[..., Iterator[list[Version]]],
                  chain: Callable[[Job], list[Version]], templates: int = 2000,
                  ) -> Iterator[list[Version]]:
    """Yield each job's versions in order, like ``imap(chain, jobs)``, mostly by copying.

    ``imap`` is a process pool's ``imap`` (the real chains are made there).
    """
    pool_jobs = jobs[:templates]
    chains = list(imap(chain, pool_jobs, chunksize=32))
    order = sorted(range(len(chains)), key=lambda k: len(chains[k]))
    lengths = [len(chains[k]) for k in order]
    longest = lengths[-1] if lengths else 0
    extra = [job for job in jobs[templates:] if len(job[1]) > longest]
    real = {job[0]["id"]: versions for job, versions in
            zip(extra, imap(chain, extra, chunksize=8), strict=True)}
    for n, (record, steps) in enumerate(jobs):
        if n < len(chains):
            yield chains[n]
        elif record["id"] in real:
            yield real[record["id"]]
        else:
            first = bisect.bisect_left(lengths, len(steps))
            pick = order[first + n % (len(order) - first)]
            yield substitute(chains[pick], pool_jobs[pick][0], record, len(steps))
