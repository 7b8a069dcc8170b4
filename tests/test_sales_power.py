"""The sales-power analysis table (R16): weighted scores from the policy's criteria."""

from __future__ import annotations

from intranet.records.files.schema import new_record
from intranet.records.rulebook.policy import Policy
from intranet.records.sales.sales_power import analyse, assess, check_scores, score

POLICY = Policy()  # scale 5; weights 25, 20, 20, 15, 10, 10 (sum 100)


def scored(**scores):
    return new_record("distributor", sales_power={"scores": scores, "assessed_on": "",
                                                  "assessed_by": "", "notes": ""})


def test_score_is_the_weighted_share_of_the_scale():
    record = scored(sales_capacity=5, development_potential=4, credit=3, cooperation=2,
                    management=1, reputation=0)
    # (25*5 + 20*4 + 20*3 + 15*2 + 10*1 + 10*0) / 5 / 100 * 100 = 305 / 5 = 61
    assert score(record, POLICY) == 61
    table = analyse(record, POLICY)
    assert [(line.key, line.weight, line.score, line.weighted) for line in table.lines][:2] == [
        ("sales_capacity", 25, 5, 25.0), ("development_potential", 20, 4, 16.0)]
    assert table.unscored == [] and table.scale == 5


def test_unscored_criteria_count_as_zero_and_are_listed():
    record = scored(sales_capacity=5, credit=5)
    table = analyse(record, POLICY)
    assert table.total == 45
    assert table.unscored == ["development_potential", "cooperation", "management",
                              "reputation"]
    assert score(new_record("distributor"), POLICY) is None  # never assessed


def test_the_policy_sets_scale_and_weights():
    policy = Policy({"sales_power": {"scale": 10, "criteria": [
        {"key": "a", "name": "甲", "weight": 3}, {"key": "b", "name": "乙", "weight": 1}]}})
    # (3*10/10 + 1*5/10) / 4 * 100 = 87.5
    assert score(scored(a=10, b=5), policy) == 87.5
    # A score above the scale (a hand edit) counts as the scale; unknown keys count nothing.
    assert score(scored(a=99, b=10, other=5), policy) == 100


def test_scores_are_checked_against_the_scale():
    assert check_scores({"credit": 5, "cooperation": 0, "management": None}, POLICY) == []
    errors = check_scores({"credit": 6, "cooperation": -1, "nope": 1, "reputation": "x"},
                          POLICY)
    assert [e.path for e in errors] == ["sales_power.scores.credit",
                                        "sales_power.scores.cooperation",
                                        "sales_power.scores.nope",
                                        "sales_power.scores.reputation"]
    assert str(errors[0]) == "Enter a score from 0 to 5"


def test_assess_records_who_and_when_and_drops_blanks():
    record = scored(credit=2, retired_criterion=4)
    after = assess(record, {"credit": None, "cooperation": 3}, "chen.yu", "2026-11-20", "好")
    assert after["sales_power"] == {"scores": {"retired_criterion": 4, "cooperation": 3},
                                    "assessed_on": "2026-11-20", "assessed_by": "chen.yu",
                                    "notes": "好"}
    assert record["sales_power"]["scores"] == {"credit": 2, "retired_criterion": 4}
