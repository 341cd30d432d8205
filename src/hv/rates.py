"""The rates inspectors report (domain.md §5), for the county and each 乡镇 and 村.

Each rate is a numerator over a denominator, both counted from the linked lists with the same
predicates the coverage rules use (rules/coverage.py), so a rate and the findings that explain
it never disagree. A rate whose lists were not given is left out, not reported as 0 %.

The rates table has one row per place and rate: `level` (county / town / village), `town`,
`village`, `rate` (a key of RATES), `numerator`, `denominator`, `value` (null when the
denominator is 0).
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

LEVELS = ("county", "town", "village")
LEVEL_LABELS = {"zh": {"county": "全县", "town": "乡镇", "village": "村"},
                "en": {"county": "County", "town": "Township", "village": "Village"}}
COLUMNS: dict[str, pl.DataType] = {
    "level": pl.String, "town": pl.String, "village": pl.String, "rate": pl.String,
    "numerator": pl.Float64, "denominator": pl.Float64, "value": pl.Float64,
}


@dataclass(frozen=True)
class Rate:
    key: str
    zh: str
    en: str
    numerator_zh: str
    denominator_zh: str
    numerator_en: str
    denominator_en: str
    needs: tuple[str, ...]  # the lists it is counted from, besides the poverty roster
    money: bool = False  # numerator and denominator are amounts (元), not people or settlements
    higher_is_better: bool = True

    def label(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en

    def definition(self, lang: str) -> str:
        if lang == "zh":
            return f"{self.numerator_zh} ÷ {self.denominator_zh}"
        return f"{self.numerator_en} / {self.denominator_en}"


IN_SCOPE_ZH = "在册贫困人口（脱贫属性在核查范围内、未死亡未迁出）"
IN_SCOPE_EN = "poor people in scope (status in scope, alive, not moved away)"
RATES: dict[str, Rate] = {r.key: r for r in (
    Rate("insured", "参保率", "Insurance rate",
         "有正常参保记录的在册贫困人口", IN_SCOPE_ZH,
         "poor people in scope with an active enrolment", IN_SCOPE_EN, ("insurance",)),
    Rate("subsidised", "资助参保率", "Subsidised enrolment rate",
         "参保名单中有资助（资助金额大于 0 或有资助类别）的在册贫困人口", IN_SCOPE_ZH,
         "poor people in scope with a subsidy on the insurance list", IN_SCOPE_EN, ("insurance",)),
    Rate("signed", "签约率", "Contract rate",
         "有有效家庭医生签约的慢病贫困人口", "患高血压、糖尿病、结核病、严重精神障碍（政策所列慢病）的在册贫困人口",
         "chronic patients among the poor with an active contract",
         "poor people in scope with one of the policy's chronic diseases", ("contract",)),
    Rate("followed_up", "履约率", "Follow-up rate",
         "随访次数达到规定的有效签约慢病贫困人口", "有有效签约的慢病贫困人口",
         "signed chronic patients followed up as often as required", "signed chronic patients among the poor",
         ("contract",)),
    Rate("treated", "大病救治率", "Serious-illness treatment rate",
         "台账中救治状态为已救治或正在救治的大病贫困人口", "患大病专项救治病种（或健康状况为患有大病）的在册贫困人口",
         "poor people with a serious illness treated or in treatment",
         "poor people in scope with a listed serious illness", ("treatment",)),
    Rate("reimbursement", "实际报销比例", "Actual reimbursement ratio",
         "贫困人口住院结算的各项报销合计（总费用 − 个人自付）", "这些结算的总费用",
         "reimbursed in the poor's inpatient settlements (total cost − self-pay)", "their total cost",
         ("settlement",), money=True),
    Rate("below_floor", "报销比例不达标占比", "Settlements below the floor",
         "实际报销比例低于政策底线（默认 90%）的贫困人口住院结算", "贫困人口住院结算",
         "the poor's inpatient settlements reimbursed below the policy floor (90% by default)",
         "the poor's inpatient settlements", ("settlement",), higher_is_better=False),
    Rate("accurate", "信息准确率", "Information accuracy",
         "没有任何“错误”级问题的花名册人员", "核查的花名册人员",
         "roster people with no error finding", "roster people checked", ()),
)}


def empty() -> pl.DataFrame:
    return pl.DataFrame(schema=COLUMNS)
