"""ST: hospital settlements (domain.md §6.6, the accounting identity of §2.6).

Each settlement row must add up (总额 = 各项基金 + 医院负担 + 个人负担), and a poor patient's must
show the policy applied: the reimbursement floor, no deposit, the yearly cap on self pay. The same
rules read a treatment ledger's cost columns where it has them.
"""

from __future__ import annotations

import polars as pl

from hv import clean
from hv.rules.base import Check, Context, rule, say
from hv.rules.household import pointing_at

SETTLEMENT_KINDS = ("settlement", "treatment")
FUNDS = ("basic_pay", "serious_pay", "assist_pay", "supp_pay", "other_pay", "large_pay", "civil_servant_pay")
# fund_total is their sum
# Values of 扶贫人员类别 / 是否贫困人口 that say the patient is not poor; an empty cell says so too.
NOT_POOR = r"(?i)^(否|不是|0|n|no|非.*|普通.*|一般|一般人员|一般人群)$"
INPATIENT, OUTPATIENT_CHRONIC = "住院", "门诊慢特病"
SETTLEMENT_DATES = ("settle_date", "discharge_date", "admit_date")  # when a settlement counts, best first


def money(expr: pl.Expr) -> pl.Expr:
    """An amount as a clerk writes it: 1234.5, not 1234.50000001."""
    return expr.round(2).cast(pl.String).str.replace(r"\.0$", "")


def percent(expr: pl.Expr) -> pl.Expr:
    return money(expr * 100) + "%"


def readable(*keys: str) -> pl.Expr:
    """None of these cells holds text that is not a number (IMP007 reports those)."""
    return ~pl.any_horizontal(clean.unparsed(pl.col(f"{k}_raw"), pl.col(k)) for k in keys)


def total(keys: list[str]) -> pl.Expr:
    """Sum of the amounts; an empty cell counts as 0 (a fund that paid nothing is often left empty)."""
    return pl.sum_horizontal(pl.col(k) for k in keys)


def fund_parts(ctx: Context) -> list[str]:
    """The fund columns the list has; `fund_total` stands in when it has none of the components."""
    parts = [k for k in FUNDS if ctx.has(k)]
    return parts or (["fund_total"] if ctx.has("fund_total") else [])


def poor(ctx: Context) -> pl.Expr:
    """The patient is poor: 扶贫人员类别 filled and not 否/非贫困…. A list without that column is taken
    as the poor patients' list it usually is, every row in scope."""
    if not ctx.has("poverty_flag"):
        return pl.lit(True)
    flag = pl.col("poverty_flag")
    return flag.is_not_null() & ~flag.is_in(clean.BLANKS) & ~flag.str.contains(NOT_POOR)


def inpatient(ctx: Context) -> pl.Expr:
    """An inpatient settlement; an empty 就诊类别 (or none at all) is taken as 住院, the list's usual kind."""
    if not ctx.has("visit_type"):
        return pl.lit(True)
    return pl.col("visit_type").fill_null(INPATIENT) == INPATIENT


def actual_ratio() -> pl.Expr:
    """实际报销比例: what the patient did not pay, over the total (domain.md §2.6)."""
    cost = pl.col("total_cost")
    return pl.when(cost > 0).then((cost - pl.col("self_pay")) / cost)


def over_tolerance(a: pl.Expr, b: pl.Expr, tolerance: float) -> pl.Expr:
    return (a - b).abs() > tolerance + 1e-9


@rule("ST001", "total-cost-mismatch", "error", "settlement", kinds=SETTLEMENT_KINDS,
      needs=("total_cost", "self_pay", (*FUNDS, "fund_total")),
      zh="医疗费总额 {value} 元与各项支付之和 {suggestion} 元相差 {difference} 元",
      en="total cost {value} differs from the sum of its payments {suggestion} by {difference}")
def total_cost_mismatch(ctx: Context):
    """医疗费总额不等于各项基金支付、医院负担和个人负担之和。

    Why: 每一笔结算的总费用都要由基本医保、大病保险、医疗救助、补充保障、医院和个人分担完毕；对不上，
    说明有一项漏填、填错或串行，实际报销比例等核算都不可信。医院信息系统在差额超过 0.1 元时就拒绝结算。
    Bad: 总额 10000，基本医保 6000、大病保险 1000、医疗救助 1000、个人负担 1500（合计 9500）。
    Good: 个人负担 2000，合计 10000。
    Fix: 按结算单逐项核对并改正。各项空着按 0 计；只有“基金支付总额”没有分项时用它；差额不超过配置的
    money_tolerance（默认 1 元）不提示；有无法识别的金额时先按 IMP007 改正。
    """
    funds = fund_parts(ctx)
    if not (ctx.has("total_cost", "self_pay") and funds):
        return
    parts = [*funds, *(["hosp_part"] if ctx.has("hosp_part") else []), "self_pay"]
    paid, cost = total(parts), pl.col("total_cost")
    yield Check(field="total_cost",
                when=cost.is_not_null() & pl.col("self_pay").is_not_null() & readable("total_cost", *parts)
                & over_tolerance(cost, paid, ctx.policy.money_tolerance),
                suggestion=money(paid), args={"difference": money((cost - paid).abs())})


@rule("ST002", "payment-amount-invalid", "error", "settlement", kinds=SETTLEMENT_KINDS,
      zh="结算金额「{label}」{value}：{problem}",
      en="'{label}' {value}: {problem}")
def payment_amount_invalid(ctx: Context):
    """结算金额为负数、单项超过医疗费总额，或基金支付总额不等于各项基金之和。

    Why: 支付金额不会是负数，任何一项也不会超过总费用；基金支付总额是各项基金之和。出现这些情况，通常是
    列错位、多打了一位数或把冲红（退费）行混进了明细。
    Bad: 医疗救助 -300；个人负担 12000 而总额 10000；基金支付总额 8000 而各项基金合计 7500。
    Good: 各项为非负数、不超过总额，基金支付总额 7500。
    Fix: 按结算单改正；冲红的结算行从明细中删去并与原结算一起核对。单元格里不是数字的由 IMP007 提示，
    本条不重复。预交金可能多于总费用（出院时退还），不比较。
    """
    tolerance = ctx.policy.money_tolerance
    amounts = ctx.fields_of_type("money")
    for key in amounts:
        yield Check(field=key, when=pl.col(key) < 0, args={"problem": say(ctx, "金额为负数", "a negative amount")})
    if ctx.has("total_cost"):
        cost = pl.col("total_cost")
        for key in (k for k in amounts if k not in ("total_cost", "deposit")):
            yield Check(field=key, when=(cost >= 0) & (pl.col(key) > cost + tolerance),
                        args={"problem": say(ctx, "超过医疗费总额 {total} 元", "more than the total cost {total}",
                                             total=money(cost))})
    funds = [k for k in FUNDS if ctx.has(k)]
    if ctx.has("fund_total") and funds:
        summed = total(funds)
        yield Check(field="fund_total", suggestion=money(summed),
                    when=readable("fund_total", *funds) & over_tolerance(pl.col("fund_total"), summed, tolerance),
                    args={"problem": say(ctx, "不等于各项基金支付之和 {sum} 元", "is not the sum of the fund payments {sum}",
                                         sum=money(summed))})


@rule("ST003", "reimbursement-below-floor", "warning", "settlement", kinds=SETTLEMENT_KINDS,
      needs=("total_cost", "self_pay"),
      zh="贫困患者实际报销比例 {ratio}，低于 {floor}（医疗费总额 {total} 元，个人负担 {value} 元）",
      en="a poor patient's actual reimbursement ratio is {ratio}, below {floor} (total {total}, self pay {value})")
def reimbursement_below_floor(ctx: Context):
    """贫困患者住院（或门诊慢特病）的实际报销比例低于本县规定的比例。

    Why: 健康扶贫要求贫困患者住院费用实际报销比例达到规定水平（常见为 90%，门诊慢特病 80%，由各县
    配置）。低于它，说明大病保险、医疗救助或兜底保障没有按政策落实。实际报销比例 =（医疗费总额 − 个人
    负担）÷ 医疗费总额。
    Bad: 总额 10000，个人负担 2000（实际报销 80%），县里规定 90%。
    Good: 个人负担 1000 以内。
    Fix: 核实是否漏走医疗救助或兜底“一站式”结算，补报后更新个人负担金额。有“扶贫人员类别”列时只看
    类别不是空、否、非贫困的行；没有这一列时把整张名单当作贫困患者名单。就诊类别为空按住院，普通门诊
    不在范围内。比例下限由 reimbursement_floor 和 outpatient_chronic_floor 配置。
    """
    yield Check(field="self_pay", when=poor(ctx) & below_floor(ctx),
                args={"ratio": percent(actual_ratio()), "floor": percent(policy_floor(ctx)),
                      "total": money(pl.col("total_cost"))})


def policy_floor(ctx: Context) -> pl.Expr:
    """The lowest actual reimbursement ratio the policy allows for the row's visit type (null: no floor)."""
    floor = pl.lit(ctx.policy.reimbursement_floor)
    if not ctx.has("visit_type"):
        return floor
    chronic = pl.col("visit_type") == OUTPATIENT_CHRONIC
    return pl.when(chronic).then(ctx.policy.outpatient_chronic_floor).when(inpatient(ctx)).then(floor)


def below_floor(ctx: Context) -> pl.Expr:
    """The settlement's actual reimbursement ratio is under the policy floor (needs total and self pay)."""
    return readable("total_cost", "self_pay") & (actual_ratio() < policy_floor(ctx) - 1e-9)


RATIO_UNITS = {"fraction": ("小数", "a fraction"), "hundred": ("百分数（不带 %）", "a number of percent"),
               "percent": ("带 % 的百分数", "a percentage with %")}


def ratio_unit() -> pl.Expr:
    """How a ratio cell is written: 0.9, 90 or 90% (null when it is not a readable ratio)."""
    raw = pl.col("reimb_ratio_raw").str.replace_all(r"\s", "")
    number = raw.str.strip_chars_end("%").cast(pl.Float64, strict=False)
    unit = pl.when(raw.str.ends_with("%")).then(pl.lit("percent")).when(number > 1.5).then(pl.lit("hundred"))
    return pl.when(pl.col("reimb_ratio").is_not_null()).then(unit.otherwise(pl.lit("fraction")))


def written_as(ratio: pl.Expr, unit: pl.Expr) -> pl.Expr:
    """A fraction written in the given unit."""
    return pl.when(unit == "fraction").then(ratio.round(4).cast(pl.String)).when(unit == "hundred").then(
        money(ratio * 100)).otherwise(percent(ratio))


@rule("ST004", "reimbursement-ratio-inconsistent", "warning", "settlement", kinds=SETTLEMENT_KINDS,
      needs=("reimb_ratio",),
      zh="实际报销比例 {value}：{problem}",
      en="actual reimbursement ratio {value}: {problem}")
def reimbursement_ratio_inconsistent(ctx: Context):
    """填报的实际报销比例与按金额算出的不一致，或者同一列里混用 0.9、90、90% 几种写法。

    Why: 报销比例是考核健康扶贫的核心指标，汇总时直接引用这一列；它与金额不符，或者写法不统一（90 被当成
    9000%、0.9 被当成 0.9%），统计结果就会出错。
    Bad: 总额 10000、个人负担 1500，报销比例填 90%（应为 85%）；同一列既有 0.9 又有 90%。
    Good: 报销比例 85%，整列都写成带 % 的百分数。
    Fix: 按金额重算并改正比例，整列统一一种写法（建议值已按该列最常见的写法给出）。hv 把这一列当作
    实际报销比例（分母为医疗费总额）；如果它其实是政策范围内报销比例，请在本地模式中把表头改映射到
    别的字段。相差不超过 ratio_tolerance（默认 0.5 个百分点）不提示。
    """
    stated, unit = pl.col("reimb_ratio"), ratio_unit()
    if ctx.has("total_cost", "self_pay"):
        computed = actual_ratio()
        yield Check(field="reimb_ratio", suggestion=written_as(computed, unit),
                    when=readable("total_cost", "self_pay") & over_tolerance(
                        stated, computed, ctx.policy.ratio_tolerance),
                    args={"problem": say(ctx, "按金额算出的实际报销比例是 {computed}",
                                         "the amounts give {computed}", computed=percent(computed))})
    usual = unit.drop_nulls().mode().sort().first().over(["file", "sheet"])
    usual_words = usual.replace_strict({k: v[0 if ctx.lang == "zh" else 1] for k, v in RATIO_UNITS.items()},
                                       default=None, return_dtype=pl.String)
    yield Check(field="reimb_ratio", when=unit != usual, suggestion=written_as(stated, usual),
                args={"problem": say(ctx, "写法与本列大多数（{usual}）不同", "written differently from most of the "
                                     "column ({usual})", usual=usual_words)})


@rule("ST005", "settlement-dates-implausible", "error", "settlement", kinds=SETTLEMENT_KINDS,
      needs=(("admit_date", "discharge_date", "settle_date"),),
      zh="日期不合理：{problem}",
      en="implausible dates: {problem}")
def settlement_dates_implausible(ctx: Context):
    """结算的日期前后颠倒、住院天数与出入院日期不符，或者日期晚于核查基准日。

    Why: 出院不会早于入院，结算不会早于入院，住院天数等于出院日期减入院日期（各地算法相差 1 天）；日期
    晚于核查基准日（ref_date）则是年份或月日录错。日期错了，死亡后结算、年度累计等核对都会出错。
    Bad: 入院 2020-05-10，出院 2020-05-01；住院天数 30 而出入院相隔 9 天；入院 2029-05-10。
    Good: 入院 2020-05-01，出院 2020-05-10，住院天数 9 或 10。
    Fix: 按病案首页和结算单改正日期或住院天数。
    """
    admit, discharge, settle = pl.col("admit_date"), pl.col("discharge_date"), pl.col("settle_date")
    if ctx.has("admit_date", "discharge_date"):
        yield Check(field="discharge_date", when=discharge < admit,
                    args={"problem": say(ctx, "出院日期早于入院日期 {admit}", "discharged before admission on {admit}",
                                         admit=admit)})
    if ctx.has("admit_date", "settle_date"):
        yield Check(field="settle_date", when=settle < admit,
                    args={"problem": say(ctx, "结算日期早于入院日期 {admit}", "settled before admission on {admit}",
                                         admit=admit)})
    if ctx.has("admit_date", "discharge_date", "stay_days"):
        days = (discharge - admit).dt.total_days()
        yield Check(field="stay_days", when=(days >= 0) & ((pl.col("stay_days") - days).abs() > 1), suggestion=days,
                    args={"problem": say(ctx, "住院天数与出入院日期相隔的 {days} 天不符",
                                         "days in hospital do not match the {days} days between the dates", days=days)})
    ref_date = ctx.policy.ref_date
    for key in (k for k in ("admit_date", "discharge_date", "settle_date") if ctx.has(k) and ref_date):
        yield Check(field=key, when=pl.col(key) > ref_date,
                    args={"problem": say(ctx, "「{label}」晚于核查基准日 {ref}", "'{label}' is after the reference "
                                         "date {ref}", label=ctx.schema.label_of(key, ctx.lang), ref=str(ref_date))})


@rule("ST006", "duplicate-settlement", "warning", "settlement", kinds=SETTLEMENT_KINDS,
      needs=(("settle_no", "admit_date"),),
      zh="疑似重复结算：{problem}",
      en="probable duplicate settlement: {problem}")
def duplicate_settlement(ctx: Context):
    """同一笔结算在名单中出现了两次。

    Why: 重复的结算行会让费用、报销金额和个人负担重复计算，年度累计超过上限、报销比例统计都会失真。
    Bad: 两行结算编号相同；或者身份证号、就诊医院、入院日期、医疗费总额都相同。
    Good: 每笔结算只有一行。
    Fix: 核对是否确为重复导出，删除多余的一行；如果是同一天两次不同的结算，请补上各自的结算编号。
    提示写在后出现的一行，对照行号是第一次出现的行。没有就诊医院列时只比较身份证号、入院日期和总额。
    """
    position = pl.int_range(pl.len())
    same_number = pl.lit(False)
    if ctx.has("settle_no"):
        same_number = pl.col("settle_no").is_not_null() & (position.over("settle_no") > 0)
        yield Check(field="settle_no", when=same_number, **pointing_at(pl.lit(True), ["settle_no"]),
                    args={"problem": say(ctx, "结算编号与对照行相同", "same settlement number as the related row")})
    if ctx.has("id_no", "admit_date", "total_cost"):
        key = ["id_no", *(["hospital"] if ctx.has("hospital") else []), "admit_date", "total_cost"]
        filled = pl.all_horizontal(pl.col(k).is_not_null() for k in key)
        labels = [ctx.schema.label_of(k, ctx.lang) for k in key]
        yield Check(field="id_no", when=filled & (position.over(key) > 0) & ~same_number,
                    **pointing_at(pl.lit(True), key),
                    args={"problem": say(ctx, "{same}都与对照行相同", "same {same} as the related row",
                                         same="、".join(labels) if ctx.lang == "zh" else ", ".join(labels))})


@rule("ST007", "deposit-charged", "warning", "settlement", kinds=SETTLEMENT_KINDS, needs=("deposit",),
      zh="贫困住院患者交了预交金 {value} 元，未落实“先诊疗后付费”",
      en="a poor inpatient paid a deposit of {value}: 'treatment first, payment later' not applied")
def deposit_charged(ctx: Context):
    """贫困患者住院时交了预交金（押金）。

    Why: “先诊疗后付费”要求贫困患者在县域内定点医院住院时不交押金，出院时只结清个人负担部分。
    Bad: 预交金 2000。
    Good: 预交金 0 或空。
    Fix: 核实医院是否按政策执行；已收的押金应在出院结算时退还。如果本县允许收预交金，在配置中设
    deposit_allowed = true，本条不再提示。贫困患者和住院的认定同 ST003。
    """
    if not ctx.has("deposit") or ctx.policy.deposit_allowed:
        return
    yield Check(field="deposit", when=poor(ctx) & inpatient(ctx) & (pl.col("deposit") > 0))


def settlement_year(ctx: Context) -> pl.Expr | None:
    """The year a settlement counts in: of its 结算日期, else 出院日期, else 入院日期, else 年度."""
    years = [pl.col(k).dt.year() for k in SETTLEMENT_DATES if ctx.has(k)]
    years += [pl.col("year")] if ctx.has("year") else []
    return pl.coalesce(years) if years else None


@rule("ST008", "yearly-self-pay-over-cap", "warning", "settlement", kinds=SETTLEMENT_KINDS,
      needs=("id_no", "self_pay"),
      zh="{period}个人负担累计 {sum} 元，超过年度上限 {cap} 元（这一笔结算后超过）",
      en="self pay {period} adds up to {sum}, over the yearly cap of {cap} (exceeded with this settlement)")
def yearly_self_pay_over_cap(ctx: Context):
    """贫困患者一年内个人负担的医疗费用累计超过本县规定的上限。

    Why: 一些县规定贫困患者年度个人实际负担不超过一定金额（如 5000 元），超出部分由兜底保障支付。
    累计超过，说明兜底没有落实，或者结算行重复、个人负担填错。
    Bad: 同一人 2020 年三次住院个人负担 2000、2500、1500，累计 6000，上限 5000。
    Good: 第三次结算由兜底保障支付超出部分，个人负担 500。
    Fix: 核实并补办兜底保障。提示写在使累计首次超过上限的那一笔结算上（按日期先后）；按身份证号和结算
    （出院、入院）日期所在年度累计，名单没有日期时按整张名单累计；只看贫困患者（认定同 ST003）。上限由
    self_pay_cap 配置，未配置时本条不核对。
    """
    cap = ctx.policy.self_pay_cap
    if cap is None or not ctx.has("id_no", "self_pay"):
        return
    year = settlement_year(ctx)
    person_year = [pl.col("id_no"), *([year] if year is not None else [])]
    in_scope = poor(ctx) & pl.col("id_no").is_not_null()
    spent = pl.when(in_scope).then(pl.col("self_pay")).otherwise(0).fill_null(0)
    order = [*(pl.col(k) for k in SETTLEMENT_DATES if ctx.has(k)), pl.int_range(pl.len())]
    so_far = spent.cum_sum().over(person_year, order_by=order)
    period = say(ctx, "本名单中", "in this list") if year is None else say(ctx, "{year} 年", "in {year}", year=year)
    yield Check(field="self_pay", when=in_scope & (so_far > cap) & (so_far - spent <= cap),
                args={"period": period, "sum": money(spent.sum().over(person_year)), "cap": money(pl.lit(cap))})


@rule("ST009", "fee-waiver-missing", "warning", "settlement", kinds=SETTLEMENT_KINDS, needs=("waiver",),
      zh="贫困住院患者的减免金额为空或 0，本县规定应有费用减免",
      en="a poor inpatient's fee waiver is empty or 0 although the county waives fees for the poor")
def fee_waiver_missing(ctx: Context):
    """本县规定贫困患者住院应减免部分费用，但这一笔结算的减免金额为空或 0。

    Why: 一些地方对贫困患者住院实行费用减免（如“两免两减半”、住院费用减免 10%）。减免金额为 0，说明减免
    没有落实或没有记录。减免的具体项目各地不同、也无法从结算行看出，hv 只核对“有没有减免”，不核对金额。
    Bad: 减免金额 0 或空。
    Good: 减免金额 380。
    Fix: 核实医院是否执行了减免政策并补记减免金额。只有在配置中设 waiver_required = true 时本条才核对；
    贫困患者和住院的认定同 ST003。
    """
    if not ctx.has("waiver") or not ctx.policy.waiver_required:
        return
    waived = pl.col("waiver").fill_null(0)
    yield Check(field="waiver", when=poor(ctx) & inpatient(ctx) & readable("waiver") & (waived <= 0))


@rule("ST010", "serious-insurance-not-paid", "warning", "settlement", kinds=SETTLEMENT_KINDS,
      needs=("compliant_cost", "basic_pay", "serious_pay"),
      zh="大病保险没有支付，而合规费用减去基本医保支付后有 {over} 元，超过大病保险起付线 {deductible} 元",
      en="serious-illness insurance paid nothing although compliant cost minus basic insurance is {over}, "
         "above its deductible of {deductible}")
def serious_insurance_not_paid(ctx: Context):
    """贫困患者的合规费用扣除基本医保支付后已超过大病保险起付线，大病保险却没有支付。

    Why: 合规费用中基本医保报销后的个人负担部分，超过大病保险起付线（贫困人口起付线减半或降低）的，应由
    大病保险按比例支付。一笔结算就超过起付线而大病保险为 0，说明大病保险没有衔接上。
    Bad: 合规费用 30000，基本医保 18000，剩下 12000，起付线 5000，大病保险 0。
    Good: 大病保险支付 4000。
    Fix: 核实患者是否参加大病保险、结算时是否走了大病保险，补报后更新。起付线由 serious_deductible 配置
    （贫困人口适用的起付线），未配置时本条不核对。起付线按年度累计，这里只看单笔结算，不会误报。
    """
    deductible = ctx.policy.serious_deductible
    if deductible is None or not ctx.has("compliant_cost", "basic_pay", "serious_pay"):
        return
    over = pl.col("compliant_cost") - pl.col("basic_pay").fill_null(0)
    unpaid = pl.col("serious_pay").fill_null(0) <= 0
    yield Check(field="serious_pay",
                when=poor(ctx) & readable("compliant_cost", "basic_pay", "serious_pay") & unpaid & (over > deductible),
                args={"over": money(over), "deductible": money(pl.lit(deductible))})
