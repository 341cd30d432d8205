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

from hv.config import Policy
from hv.crosslist import SPINE
from hv.engine import LIST_NAMES
from hv.rules.base import Context
from hv.rules.predicates import (chronic_patient, followup_scope, in_scope, linked, serious_patient, subsidised,
                                 subsidy_said, too_few_followups)
from hv.rules.settlement import below_floor, inpatient, poor, readable
from hv.schema import SchemaSet

PLACE = ("town", "village")
LEVEL_LABELS = {"zh": {"county": "全县", "town": "乡镇", "village": "村"},
                "en": {"county": "County", "town": "Township", "village": "Village"}}
COLUMNS: dict[str, pl.DataType] = {
    "level": pl.String, "town": pl.String, "village": pl.String, "rate": pl.String,
    "numerator": pl.Float64, "denominator": pl.Float64, "value": pl.Float64, "reason": pl.String,
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
         "其中随访次数达到每年规定次数的人", "有有效签约的在册贫困人口（签约名单注明病种时，只算高血压、糖尿病、严重精神障碍患者）",
         "of them, those followed up as often as the policy requires a year",
         "poor people in scope with an active contract (only hypertension, diabetes and severe mental illness "
         "patients when the contract list names diseases)", ("contract",)),
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


def compute(tables: dict[str, pl.DataFrame], found: pl.DataFrame, policy: Policy, schemas: SchemaSet,
            lang: str = "zh") -> pl.DataFrame:
    """Every rate, for the county, each 乡镇 and each 村 (the tables as crosslist.link_lists returns
    them; `found` the run's findings). A rate whose list or columns are missing, or whose columns hold
    nothing hv can read, is one county row without a value and with the reason (无法计算), never 0 %."""
    roster = tables.get(SPINE)
    if roster is None:
        return empty()

    def context(kind: str) -> Context:
        return Context(kind, schemas[kind], frozenset(tables[kind].columns), policy, lang)

    people = _people(roster, context(SPINE), found)
    units: dict[str, pl.DataFrame] = {"accurate": people.select(*PLACE, *_count(pl.col("accurate"), pl.lit(True)))}
    blocked: dict[str, str] = {key: _missing_list(rate, tables, lang) for key, rate in RATES.items()
                               if any(k not in tables for k in rate.needs)}
    scope = pl.col("in_scope")
    if "insurance" in tables:
        ctx = context("insurance")
        units["insured"] = people.select(*PLACE, *_count(pl.col("insured"), scope))
        if tables["insurance"].select(subsidy_said(ctx).any()).item():
            with_subsidy = people.join(_persons_where(tables["insurance"], linked() & subsidised(ctx), "subsidised"),
                                       on="person", how="left")
            units["subsidised"] = with_subsidy.select(*PLACE, *_count(pl.col("subsidised").fill_null(False), scope))
        else:
            blocked["subsidised"] = _say(lang, "参保名单中没有可识别的资助金额、是否资助参保或资助类别",
                                         "the insurance list has no readable subsidy amount, flag or category")
    if "contract" in tables:
        units["signed"] = people.select(*PLACE, *_count(pl.col("signed"), scope & pl.col("chronic")))
        ctx = context("contract")
        if ctx.has("followups") or ctx.has("followup_date"):
            rows = linked() & followup_scope(ctx)
            due = _persons_where(tables["contract"], rows, "due")
            served = _persons_where(tables["contract"], rows & ~too_few_followups(ctx), "served")
            units["followed_up"] = (people.join(due, on="person", how="left").join(served, on="person", how="left")
                                    .select(*PLACE, *_count(pl.col("served").fill_null(False),
                                                           scope & pl.col("due").fill_null(False))))
        else:
            blocked["followed_up"] = _say(lang, "签约名单中没有随访次数或随访日期列",
                                          "the contract list has no follow-up count or date column")
    if "treatment" in tables:
        units["treated"] = people.select(*PLACE, *_count(pl.col("treated"), scope & pl.col("serious")))
    if "settlement" in tables:
        settlement = _settlement_units(tables["settlement"], context("settlement"))
        units.update(settlement)
        if not settlement:
            for key in ("reimbursement", "below_floor"):
                blocked[key] = _say(lang, "结算明细中没有医疗费总额或个人负担金额列",
                                    "the settlement list has no total cost or self-pay column")
    for key, why in (("signed", ("名单中没有注明病种（健康状况、所患疾病或人群分类），无法确定慢病患者",
                                 "no list names diseases (health status, disease or population group)")),
                     ("treated", ("花名册中没有注明大病（健康状况或所患疾病），无法确定大病患者",
                                  "the roster names no serious illness (health status or disease)"))):
        if key in units and units[key]["denominator"].sum() == 0:
            blocked[key] = _say(lang, *why)
            del units[key]
    return _with_reasons(_by_place({k: v for k, v in units.items() if k not in blocked}), blocked)


def _say(lang: str, zh: str, en: str) -> str:
    return zh if lang == "zh" else en


def _missing_list(rate: Rate, tables: dict[str, pl.DataFrame], lang: str) -> str:
    names = [LIST_NAMES[k][0 if lang == "zh" else 1] for k in rate.needs if k not in tables]
    return _say(lang, f"未提供{'、'.join(names)}", f"no {', '.join(names)} given")


def _with_reasons(rates: pl.DataFrame, blocked: dict[str, str]) -> pl.DataFrame:
    """The rates, then a county row without a value for each rate that cannot be counted, in RATES order."""
    rows = pl.DataFrame([{"level": "county", "rate": k, "reason": blocked[k]} for k in RATES if k in blocked],
                        schema={"level": pl.String, "rate": pl.String, "reason": pl.String})
    return pl.concat([rates, rows], how="diagonal_relaxed").select(pl.col(k).cast(t) for k, t in COLUMNS.items())


def _count(numerator: pl.Expr, denominator: pl.Expr) -> list[pl.Expr]:
    """One person's contribution to a rate: 1 or 0 over 1 or 0."""
    counted = denominator.fill_null(False)
    return [(numerator.fill_null(False) & counted).cast(pl.Float64).alias("numerator"),
            counted.cast(pl.Float64).alias("denominator")]


def _person_key(columns: list[str], prefix: str = "") -> pl.Expr:
    """A person is their ID number, or their roster row when it has none (the same on every list,
    through the p_* columns of the linked roster row)."""
    row = pl.concat_str([pl.col(f"{prefix}{k}").cast(pl.String).fill_null("") for k in ("file", "sheet", "row")],
                        separator="\x1f")
    return (pl.coalesce(pl.col(f"{prefix}id_no"), row) if f"{prefix}id_no" in columns else row).alias("person")


def _people(roster: pl.DataFrame, ctx: Context, found: pl.DataFrame) -> pl.DataFrame:
    """One row per roster person with the facts the rates count; a person listed twice counts once,
    served when any of the copies is."""
    has = ctx.has
    facts = [
        in_scope(ctx).alias("in_scope"),
        (pl.col("insurance_active") if has("insurance_active") else pl.lit(False)).fill_null(False).alias("insured"),
        (pl.col("contract_active") if has("contract_active") else pl.lit(False)).fill_null(False).alias("signed"),
        (pl.col("treatment_ok") if has("treatment_ok") else pl.lit(False)).fill_null(False).alias("treated"),
        chronic_patient(ctx).alias("chronic"),
        serious_patient(ctx).alias("serious"),
    ]
    place = [(pl.col(k) if has(k) else pl.lit(None, pl.String)).alias(k) for k in PLACE]
    rows = roster.select(_person_key(roster.columns), *place, *facts, "file", "sheet", "row")
    errors = _rows_with_errors(found)
    rows = rows.join(errors, on=["file", "sheet", "row"], how="left").with_columns(pl.col("error").fill_null(False))
    return (rows.group_by("person", maintain_order=True)
            .agg(*(pl.col(k).first() for k in PLACE), *(pl.col(f.meta.output_name()).any() for f in facts),
                 (~pl.col("error").any()).alias("accurate")))


def _rows_with_errors(found: pl.DataFrame) -> pl.DataFrame:
    """The rows an error finding sits on, or points at on the other side (a roster person a
    cross-list finding is about)."""
    errors = found.filter(pl.col("severity") == "error")
    own = errors.select("file", "sheet", "row")
    related = errors.select(pl.col("related_file").alias("file"), pl.col("related_sheet").alias("sheet"),
                            pl.col("related_row").alias("row"))
    return (pl.concat([own, related]).filter(pl.col("row").is_not_null()).unique()
            .with_columns(pl.lit(True).alias("error")))


def _persons_where(table: pl.DataFrame, condition: pl.Expr, name: str) -> pl.DataFrame:
    """The roster persons with at least one row of another list meeting `condition`."""
    if "p_row" not in table.columns:
        return pl.DataFrame(schema={"person": pl.String, name: pl.Boolean})
    return (table.filter(condition.fill_null(False)).select(_person_key(table.columns, "p_")).unique()
            .with_columns(pl.lit(True).alias(name)))


def _settlement_units(table: pl.DataFrame, ctx: Context) -> dict[str, pl.DataFrame]:
    """The poor's inpatient settlements (as ST003 sees them): amounts reimbursed over total cost, and
    whether each is under the floor. A settlement's place is its roster person's, else its own."""
    if not ctx.has("total_cost", "self_pay"):
        return {}
    place = [pl.coalesce(*(pl.col(c) for c in (f"p_{k}", k) if ctx.has(c)), pl.lit(None, pl.String)).alias(k)
             for k in PLACE]
    counted = table.filter((poor(ctx) & inpatient(ctx) & readable("total_cost", "self_pay")
                            & (pl.col("total_cost") > 0)).fill_null(False))
    return {
        "reimbursement": counted.select(*place, (pl.col("total_cost") - pl.col("self_pay")).alias("numerator"),
                                        pl.col("total_cost").cast(pl.Float64).alias("denominator")),
        "below_floor": counted.select(*place, below_floor(ctx).fill_null(False).cast(pl.Float64).alias("numerator"),
                                      pl.lit(1.0).alias("denominator")),
    }


def _by_place(units: dict[str, pl.DataFrame]) -> pl.DataFrame:
    """Sum each rate's units for the county, each 乡镇 and each 村, in the order of RATES and of places."""
    frames = []
    for rate in (k for k in RATES if k in units):
        frame = units[rate].with_columns(pl.col(k).cast(pl.String) for k in PLACE).with_columns(rate=pl.lit(rate))
        sums = [pl.col("numerator").sum(), pl.col("denominator").sum()]
        frames += [frame.group_by("rate").agg(*sums).with_columns(level=pl.lit("county")),
                   frame.group_by("rate", "town").agg(*sums).with_columns(level=pl.lit("town")),
                   frame.group_by("rate", *PLACE).agg(*sums).with_columns(level=pl.lit("village"))]
    if not frames:
        return empty()
    out = pl.concat(frames, how="diagonal_relaxed").with_columns(
        pl.when(pl.col("denominator") > 0).then(pl.col("numerator") / pl.col("denominator")).alias("value"))
    # the county, then each 乡镇 followed by its villages
    rate_order = pl.col("rate").replace_strict({v: i for i, v in enumerate(RATES)})
    return out.sort(pl.col("level") != "county", "town", pl.col("level") == "village", "village", rate_order,
                    nulls_last=True).with_columns(reason=pl.lit(None, pl.String)).select(
        pl.col(k).cast(t) for k, t in COLUMNS.items())


HEADERS = {
    "zh": {"level": "层级", "town": "乡镇", "village": "村", "rate": "指标", "numerator": "分子", "denominator": "分母",
           "value": "比率(%)", "definition": "口径（分子 ÷ 分母）"},
    "en": {"level": "Level", "town": "Township", "village": "Village", "rate": "Rate", "numerator": "Numerator",
           "denominator": "Denominator", "value": "Rate (%)", "definition": "Definition (numerator / denominator)"},
}


UNKNOWN_PLACE = {"zh": {"town": "（未填乡镇）", "village": "（未填村）"},
                 "en": {"town": "(no township)", "village": "(no village)"}}


def labelled(rates: pl.DataFrame, lang: str) -> pl.DataFrame:
    """The rates for people: names and definitions in the report's language, the rate in percent."""
    names = {k: r.label(lang) for k, r in RATES.items()}
    definitions = {k: r.definition(lang) for k, r in RATES.items()}
    unknown = UNKNOWN_PLACE[lang]
    return rates.select(
        pl.col("level").replace_strict(LEVEL_LABELS[lang]),
        *(pl.when(pl.col("level").is_in(levels)).then(pl.col(k).fill_null(unknown[k])).alias(k)
          for k, levels in (("town", ("town", "village")), ("village", ("village",)))),
        pl.col("rate").replace_strict(names).alias("rate"),
        pl.col("numerator").round(2), pl.col("denominator").round(2), (pl.col("value") * 100).round(2),
        pl.col("rate").replace_strict(definitions).alias("definition"),
    ).rename(HEADERS[lang])


def at_level(rates: pl.DataFrame, *levels: str) -> pl.DataFrame:
    return rates.filter(pl.col("level").is_in(levels))
