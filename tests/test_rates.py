"""Rates by region (domain.md §5): each numerator and denominator pinned on a hand-built bundle.

Six poor people in two townships; the comments say who counts where. Only the coverage rules run,
so the errors behind 信息准确率 are known: CV001 (C not insured) and CV007 (F not treated).
"""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from hv.api import check
from hv.config import Config, ListSpec, Policy, RulesConfig
from hv._sample_people import check_chars
from tests.conftest import write_csv

BODIES = [f"41152119{60 + i}0101{101 + 2 * i}" for i in range(6)]
A, B, C, D, E, F = (body + check for body, check in zip(BODIES, check_chars(BODIES)))
ROSTER = [
    ["户编号", "姓名", "身份证号", "与户主关系", "乡镇", "行政村", "人员状态", "健康状况", "所患疾病"],
    ["H1", "甲", A, "户主", "城关镇", "东村", "正常", "长期慢性病", "高血压"],
    ["H1", "乙", B, "配偶", "城关镇", "东村", "正常", "健康", ""],
    ["H2", "丙", C, "户主", "城关镇", "西村", "正常", "长期慢性病", "糖尿病"],
    ["H3", "丁", D, "户主", "青山镇", "南村", "正常", "患有大病", "胃癌"],
    ["H3", "戊", E, "配偶", "青山镇", "南村", "死亡", "患有大病", "胃癌"],  # out of scope: dead
    ["H3", "己", F, "子", "青山镇", "南村", "正常", "患有大病", "尿毒症"],
]
INSURANCE = [  # C is not on it; only A and D have a subsidy
    ["姓名", "身份证号", "参保状态", "资助金额"],
    ["甲", A, "正常参保", "220"], ["乙", B, "正常参保", "0"], ["丁", D, "正常参保", "220"],
    ["己", F, "正常参保", ""], ["戊", E, "正常参保", "220"],
]
CONTRACT = [  # A is followed up 4 times, C once; B (healthy) has no contract
    ["姓名", "身份证号", "签约状态", "签约日期", "慢病病种", "随访次数"],
    ["甲", A, "签约", "2020-01-01", "高血压", "4"], ["丙", C, "签约", "2020-01-01", "糖尿病", "1"],
]
TREATMENT = [  # D treated, F waiting
    ["姓名", "身份证号", "疾病名称", "救治状态"],
    ["丁", D, "胃癌", "已救治"], ["己", F, "尿毒症", "待救治"],
]
SETTLEMENT = [  # A 95 % reimbursed, D 80 % (under the 90 % floor); an outpatient visit does not count
    ["姓名", "身份证号", "就诊类别", "医疗费总额", "个人负担金额"],
    ["甲", A, "住院", "10000", "500"], ["丁", D, "住院", "10000", "2000"], ["丁", D, "门诊", "300", "150"],
]


@pytest.fixture(scope="module")
def rates(tmp_path_factory) -> pl.DataFrame:
    folder = tmp_path_factory.mktemp("rates")
    lists = [ListSpec(write_csv(folder / f"{kind}.csv", rows), kind) for kind, rows in (
        ("poverty", ROSTER), ("insurance", INSURANCE), ("contract", CONTRACT), ("treatment", TREATMENT),
        ("settlement", SETTLEMENT))]
    config = Config(policy=Policy(ref_date=date(2020, 12, 31)), rules=RulesConfig(select=("CV",)))
    return check(lists, config).rates


def fraction(rates: pl.DataFrame, rate: str, town: str | None = None, village: str | None = None):
    level = "village" if village else "town" if town else "county"
    row = rates.filter((pl.col("rate") == rate) & (pl.col("level") == level)
                       & pl.col("town").eq_missing(town) & pl.col("village").eq_missing(village))
    assert row.height == 1, (rate, town, village, row)
    return row["numerator"][0], row["denominator"][0]


def test_insured_counts_people_in_scope_with_an_active_enrolment(rates):
    assert fraction(rates, "insured") == (4, 5)  # C missing; dead E is not counted


def test_subsidised_counts_a_subsidy_above_zero(rates):
    assert fraction(rates, "subsidised") == (2, 5)  # A and D; B's 0 and F's empty cell are no subsidy


def test_signed_counts_chronic_patients_with_an_active_contract(rates):
    assert fraction(rates, "signed") == (2, 2)  # A and C; healthy B is not in the denominator


def test_followed_up_counts_signed_patients_with_enough_follow_ups(rates):
    assert fraction(rates, "followed_up") == (1, 2)  # C was followed up once


def test_treated_counts_serious_patients_treated_or_in_treatment(rates):
    assert fraction(rates, "treated") == (1, 2)  # D treated, F waiting; dead E not counted


def test_reimbursement_is_the_aggregate_of_inpatient_settlements(rates):
    assert fraction(rates, "reimbursement") == (9500 + 8000, 20000)


def test_below_floor_counts_settlements_under_the_policy_floor(rates):
    assert fraction(rates, "below_floor") == (1, 2)


def test_accuracy_counts_roster_people_without_an_error_finding(rates):
    assert fraction(rates, "accurate") == (4, 6)  # C (CV001) and F (CV007, on the treatment row)


def test_rates_break_down_by_township_and_village(rates):
    assert fraction(rates, "insured", "城关镇") == (2, 3)
    assert fraction(rates, "insured", "城关镇", "西村") == (0, 1)
    assert fraction(rates, "reimbursement", "青山镇") == (8000, 10000)
    assert fraction(rates, "accurate", "青山镇", "南村") == (2, 3)


def test_value_is_numerator_over_denominator_and_empty_without_a_denominator(rates):
    assert rates.filter(pl.col("denominator") > 0).select(
        (pl.col("value") - pl.col("numerator") / pl.col("denominator")).abs().max()).item() < 1e-12
    no_one = rates.filter((pl.col("rate") == "treated") & (pl.col("town") == "城关镇") & (pl.col("level") == "town"))
    assert no_one["denominator"][0] == 0 and no_one["value"][0] is None


def test_a_rate_whose_list_is_missing_has_no_value_but_the_reason(tmp_path):
    roster = ListSpec(write_csv(tmp_path / "poverty.csv", ROSTER), "poverty")
    result = check([roster], Config(policy=Policy(ref_date=date(2020, 12, 31))))
    counted = result.rates.filter(pl.col("value").is_not_null())
    assert set(counted["rate"]) == {"accurate"}
    blocked = result.rates.filter(pl.col("reason").is_not_null())
    assert set(blocked["rate"]) == {"insured", "subsidised", "signed", "followed_up", "treated", "reimbursement",
                                    "below_floor"}
    assert blocked["value"].null_count() == blocked.height and (blocked["level"] == "county").all()
    assert blocked.filter(pl.col("rate") == "insured")["reason"][0] == "未提供参保名单"


def test_the_readme_states_every_rate_definition():
    """The definitions are written once in the code and the README repeats them word for word."""
    from pathlib import Path

    from hv.rates import RATES

    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    for rate in RATES.values():
        assert f"| {rate.zh} `{rate.key}` | {rate.numerator_zh} | {rate.denominator_zh} |" in readme
