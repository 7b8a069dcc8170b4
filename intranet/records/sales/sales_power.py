"""The sales-power analysis table (客戶綜合銷售力分析表, R16, R29). No Flask imports here.

Each criterion of the policy is scored from 0 to the policy's scale; the total is
Σ weight × score / scale ÷ Σ weights × 100, a percentage. A criterion without a score counts
as 0 and is listed as unscored, so an unfinished assessment never looks better than it is.
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass, field
from typing import Any

from intranet.records.files.messages import N_, FieldError
from intranet.records.rulebook.policy import Policy


@dataclass(frozen=True)
class Line:
    """One criterion of the table: its weight, the score given, the weighted points."""

    key: str
    name: str
    weight: float
    score: float | None
    weighted: float  # points out of 100 this criterion contributes


@dataclass
class Analysis:
    """A customer's filled-in table and its total."""

    lines: list[Line]
    total: float
    scale: int
    unscored: list[str] = field(default_factory=list)
    assessed_on: str = ""
    assessed_by: str = ""
    notes: str = ""


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value) if math.isfinite(value) else None


def scores_of(record: dict[str, Any]) -> dict[str, Any]:
    """Return the record's scores by criterion key ({} if there are none)."""
    section = record.get("sales_power")
    scores = section.get("scores") if isinstance(section, dict) else None
    return scores if isinstance(scores, dict) else {}


def analyse(record: dict[str, Any], policy: Policy) -> Analysis:
    """Return the table for a record under the policy's criteria and scale."""
    scale = policy.sales_power_scale
    criteria = policy.sales_power_criteria
    scores = scores_of(record)
    total_weight = sum(_number(c.get("weight")) or 0 for c in criteria)
    lines: list[Line] = []
    unscored: list[str] = []
    for criterion in criteria:
        key = str(criterion.get("key"))
        weight = _number(criterion.get("weight")) or 0
        score = _number(scores.get(key))
        if score is None:
            unscored.append(key)
        # A score above the scale (a hand edit, or a scale lowered since) counts as the scale.
        points = min(max(score or 0, 0), scale) / scale if scale else 0
        weighted = weight * points / total_weight * 100 if total_weight else 0
        lines.append(Line(key, str(criterion.get("name") or key), weight, score, weighted))
    section = record.get("sales_power") if isinstance(record.get("sales_power"), dict) else {}
    return Analysis(lines, round(sum(line.weighted for line in lines), 1), scale, unscored,
                    str(section.get("assessed_on") or ""), str(section.get("assessed_by") or ""),
                    str(section.get("notes") or ""))


def score(record: dict[str, Any], policy: Policy) -> float | None:
    """Return the record's total score, or None when nothing was scored yet."""
    if not scores_of(record):
        return None
    return analyse(record, policy).total


def check_scores(scores: dict[str, Any], policy: Policy) -> list[FieldError]:
    """Return a problem for each score that is not a number from 0 to the scale."""
    scale = policy.sales_power_scale
    keys = {str(c.get("key")) for c in policy.sales_power_criteria}
    errors: list[FieldError] = []
    for key, value in scores.items():
        where = f"sales_power.scores.{key}"
        number = _number(value)
        if key not in keys:
            errors.append(FieldError(where, N_("No such criterion in the policy"), {}))
        elif value is not None and (number is None or not 0 <= number <= scale):
            errors.append(FieldError(where, N_("Enter a score from 0 to {scale}"),
                                     {"scale": scale}))
    return errors


def assess(record: dict[str, Any], scores: dict[str, Any], by: str, on: str,
           notes: str | None = None) -> dict[str, Any]:
    """Return the record with a new assessment: the scores given, who and when.

    Criteria left blank (None) are dropped, so they count as unscored. Scores of criteria the
    policy no longer lists are kept: they are history, and count for nothing.
    """
    result = copy.deepcopy(record)
    section = dict(result.get("sales_power") or {})
    kept = {k: v for k, v in scores_of(result).items() if k not in scores}
    kept.update({k: v for k, v in scores.items() if v is not None})
    section.update({"scores": kept, "assessed_on": on, "assessed_by": by})
    if notes is not None:
        section["notes"] = notes
    result["sales_power"] = section
    return result
