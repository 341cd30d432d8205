"""CV: a poor person the other lists do not serve (domain.md §6.4).

Every list is linked to the poverty roster first (crosslist.py): the roster rows carry what the
other lists say about the person (`insurance_n`, `insurance_active`, `contract_active`,
`treatment_ok`, `death_date` …), the other lists' rows carry their roster person (`p_*`). Only
confirmed links (`link_outcome == "link"`) count; a rule whose other list was not given stays
silent, since the columns it needs are then missing.

"Poor person in scope": a roster row whose 脱贫属性 is empty or one of policy.poverty_statuses, whose
人员状态 is not 死亡/迁出 and who is not dead at the reference date by the death register.
"""

from __future__ import annotations

import polars as pl

from hv import clean
from hv.rules.base import Check, Context, rule
from hv.rules.predicates import (POOR_FLAGS, POOR_WORDS, TREATED, chronic_patient, contract_start, enrolled,
                                 flagged_poor, followup_scope, in_scope, linked, not_enrolled, serious_patient,
                                 subsidised, subsidised_never_enrolled, too_few_followups)


def unclaimed(kind: str, ctx: Context) -> pl.Expr:
    """No row of the other list is even a possible link to this roster person (a clerk reviews
    those first: the person is probably on the list under a mistyped ID or name)."""
    column = f"{kind}_possible_n"
    return (pl.col(column) == 0).fill_null(True) if ctx.has(column) else pl.lit(True)


def person_any(expr: pl.Expr, ctx: Context) -> pl.Expr:
    """`expr` holds on any roster row of the same person: a person listed twice (HH008) is served
    when one of the copies is linked."""
    if not ctx.has("id_no"):
        return expr
    return pl.when(pl.col("id_no").is_not_null()).then(expr.any().over("id_no")).otherwise(expr)


def absent(kind: str, ctx: Context) -> pl.Expr:
    """The roster person has no row, not even a possible one, on the other list."""
    return ~person_any(pl.col(f"{kind}_n") > 0, ctx) & unclaimed(kind, ctx)


def to_roster(**extra) -> dict[str, pl.Expr]:
    """related_* of a row on another list: its roster person."""
    return {"related_row": pl.col("p_row"), "related_file": pl.col("p_file"), "related_sheet": pl.col("p_sheet"),
            "related_score": pl.col("link_score"), **extra}


def to_list(kind: str) -> dict[str, pl.Expr]:
    """related_* of a roster row: the person's (first) row on the other list."""
    return {"related_row": pl.col(f"{kind}_row"), "related_file": pl.col(f"{kind}_file"),
            "related_sheet": pl.col(f"{kind}_sheet")}


# ---------------------------------------------------------------------------------------------- CV001


@rule("CV001", "poor-person-not-insured", "error", "coverage", kinds=("poverty",), lists=("insurance",),
      zh="贫困人口 {name} 在参保名单中没有记录（未参加基本医疗保险）",
      en="poor person {name} has no record in the insurance list (not insured)")
def poor_person_not_insured(ctx: Context):
    """在册贫困人口在医保参保名单中查不到。

    Why: 贫困人口应 100% 参加城乡居民基本医疗保险，未参保的人看病无法报销，是考核中的硬伤。
    Bad: 花名册中的张三（未脱贫）在当年的医保参保名单中没有任何记录。
    Good: 张三在参保名单中有一条 正常参保 的记录。
    Fix: 到医保经办机构核实：确未参保的，为其办理参保并由财政资助；已参保但名单中姓名或身份证号写错的，
    改正名单（CS001～CS003 会提示）。已死亡、迁出的人员应在花名册中标注人员状态。
    """
    yield Check(when=in_scope(ctx) & absent("insurance", ctx),
                args={"name": pl.col("name")})


# ---------------------------------------------------------------------------------------------- CV002


@rule("CV002", "insurance-not-active", "error", "coverage", kinds=("insurance",),
      lists=("poverty",), needs=(("insured_status", "pay_status"),),
      zh="贫困人口的参保状态为“{value}”，不是正常参保缴费",
      en="the poor person's enrolment is '{value}', not an active paid enrolment")
def insurance_not_active(ctx: Context):
    """贫困人口有参保记录，但参保状态是暂停、终止、未参保，或缴费状态不是“参保缴费”。

    Why: 只有正常参保缴费的人才能享受医保待遇；暂停或终止参保的贫困人口住院时不能报销。
    Bad: 参保状态 暂停参保，或缴费状态 未缴费，而此人是花名册中在册的贫困人口。
    Good: 参保状态 正常参保，缴费状态 参保缴费。
    Fix: 到医保经办机构为其恢复参保并补缴（个人缴费部分由财政资助）。已领资助却从未参保（未参保）的由
    CV004 提示，本条不重复提示。
    """
    if not ctx.has("link_outcome", "p_row") or not (ctx.has("insured_status") or ctx.has("pay_status")):
        return
    field = "insured_status" if ctx.has("insured_status") else "pay_status"
    status = pl.col(field) if field == "insured_status" else pl.col("pay_status")
    if ctx.has("insured_status") and ctx.has("pay_status"):
        status = pl.when(pl.col("insured_status").is_in(NOT_ENROLLED)).then(pl.col("insured_status")) \
            .otherwise(pl.col("pay_status"))
    yield Check(field=field, value=status,
                when=linked() & in_scope(ctx, "p_") & not_enrolled(ctx) & ~subsidised_never_enrolled(ctx),
                **to_roster())


# ---------------------------------------------------------------------------------------------- CV003


@rule("CV003", "subsidy-missing", "warning", "coverage", kinds=("insurance",),
      lists=("poverty",), needs=(("subsidy_amount", "subsidy_category", "subsidy_flag"),),
      zh="贫困人口参保但没有参保资助：{detail}",
      en="the poor person is insured without a subsidy: {detail}")
def subsidy_missing(ctx: Context):
    """贫困人口正常参保了，但没有资助：资助金额为空或为 0，是否资助参保为否，或资助类别为空。

    Why: 贫困人口参加居民医保的个人缴费由财政资助（特困人员全额资助、其他贫困人口定额资助），
    没有资助说明个人自己缴了费或资助没有落实。
    Bad: 资助类别为空、资助金额 0；或是否资助参保 否。
    Good: 资助类别 建档立卡贫困人口、资助金额 220；或是否资助参保 是。
    Fix: 与医保、民政、扶贫部门核对资助名单，补录资助类别和金额。资助类别与贫困户属性不符
    （如特困供养贫困户没有按特困人员全额资助）由 CS007 提示。
    """
    base = linked() & in_scope(ctx, "p_") & enrolled(ctx) & ~not_enrolled(ctx)
    field = next(k for k in ("subsidy_amount", "subsidy_flag", "subsidy_category") if ctx.has(k))
    detail = {"subsidy_amount": ("资助金额为空或为 0", "no subsidy amount"),
              "subsidy_flag": ("是否资助参保为空或为否", "not marked as subsidised"),
              "subsidy_category": ("资助类别为空", "no subsidy category")}[field]
    yield Check(field=field, when=base & ~subsidised(ctx), args={"detail": pl.lit(detail[ctx.lang != "zh"])},
                **to_roster())


# ---------------------------------------------------------------------------------------------- CV004


@rule("CV004", "subsidised-not-enrolled", "error", "coverage", kinds=("insurance",),
      needs=(("insured_status", "pay_status"), ("subsidy_amount", "subsidy_category", "subsidy_flag")),
      zh="已享受参保资助（{subsidy}），参保状态却是“{value}”",
      en="a subsidy was paid ({subsidy}) but the enrolment is '{value}'")
def subsidised_not_enrolled(ctx: Context):
    """资助名单上已经资助，参保名单上此人却是“未参保”。

    Why: 财政资助了个人缴费却没有参保，资金被占用而人享受不到待遇，是审计常见问题。
    Bad: 资助类别 建档立卡贫困人口、资助金额 220，参保状态 未参保。
    Good: 资助过的人参保状态为 正常参保，缴费状态为 参保缴费。
    Fix: 到医保经办机构核实：为其办理参保；确实不应参保的（死亡、参军等）收回资助并注明原因。
    参保后又暂停、终止的由 CV002 提示。
    """
    field = "insured_status" if ctx.has("insured_status") else "pay_status"
    said = [pl.col(k).cast(pl.String) for k in ("subsidy_category", "subsidy_amount") if ctx.has(k)]
    if ctx.has("subsidy_flag"):
        said.append(pl.when(pl.col("subsidy_flag") == "是").then(pl.lit("是否资助参保 是" if ctx.lang == "zh"
                                                                       else "marked as subsidised")))
    subsidy = pl.concat_str(said, separator=" ", ignore_nulls=True)
    yield Check(field=field, when=subsidised_never_enrolled(ctx), args={"subsidy": subsidy},
                **(to_roster() if ctx.has("p_row", "link_score") else {}))


# ---------------------------------------------------------------------------------------------- CV005


@rule("CV005", "poor-person-not-signed", "warning", "coverage", kinds=("poverty",), lists=("contract",),
      zh="贫困人口 {name} 在参考日没有有效的家庭医生签约{chronic}",
      en="poor person {name} has no active family-doctor contract at the reference date{chronic}")
def poor_person_not_signed(ctx: Context):
    """在册的慢病贫困人口（高血压、糖尿病、结核病、严重精神障碍）在参考日没有有效的家庭医生签约。

    Why: 2018 年起的慢病签约服务方案要求患这四种慢病的贫困人口应签尽签、规范管理。其他贫困人口是否都要
    签约由各县决定：在 hv.toml 的 [policy] 中写 sign_scope = "all"，本条也会提示（警告）没有签约的其他贫困人口。
    Bad: 花名册中患高血压的李四，签约名单中没有他，或只有一条已解约、已到期的签约。
    Good: 李四有一条签约状态为 签约 或 续约、在参考日有效的签约记录。
    Fix: 安排家庭医生为其签约（慢病患者优先）；已签约但名单中姓名或身份证号写错的，改正名单。
    """
    has_chronic = chronic_patient(ctx)
    unsigned = in_scope(ctx) & ~person_any(pl.col("contract_active").fill_null(False), ctx) & unclaimed("contract", ctx)
    zh = ctx.lang == "zh"
    yield Check(when=unsigned & has_chronic, severity="error",
                args={"name": pl.col("name"), "chronic": pl.lit("（慢病患者）" if zh else " (chronic patient)")},
                **to_list("contract"))
    if ctx.policy.sign_scope != "all":  # signing every poor person is a county's choice, not the policy's
        return
    yield Check(when=unsigned & ~has_chronic, severity="warning", args={"name": pl.col("name"), "chronic": ""},
                **to_list("contract"))


# ---------------------------------------------------------------------------------------------- CV006


@rule("CV006", "signed-not-served", "warning", "coverage", kinds=("contract",),
      needs=(("followups", "followup_date"),),
      zh="签约有效但随访 {value} 次，少于每年 {minimum} 次（签而不约）",
      en="an active contract with {value} follow-ups, fewer than the {minimum} a year required")
def signed_not_served(ctx: Context):
    """签约有效，但随访次数少于规定（高血压、糖尿病、严重精神障碍患者默认每年 4 次），或没有任何随访记录。

    Why: “签而不约”——只签协议不提供服务——是签约服务考核的重点问题。
    Bad: 人群分类 高血压，签约状态 签约，随访次数 1（或随访次数、最近随访日期都为空）。
    Good: 随访次数 4 次及以上，最近随访日期在年内。
    Fix: 核实随访记录：漏录的补录；确未随访的督促家庭医生团队按规范随访。
    名单中有病种或人群分类时，本条只看慢病患者。
    """
    minimum = str(ctx.policy.followup_min)
    when = followup_scope(ctx) & too_few_followups(ctx)
    if ctx.has("followups"):
        yield Check(field="followups", value=pl.col("followups").fill_null(0).cast(pl.String), when=when,
                    args={"minimum": minimum})
    else:
        yield Check(field="followup_date", value=pl.lit("0"), when=when, args={"minimum": minimum})


# ---------------------------------------------------------------------------------------------- CV007


@rule("CV007", "serious-illness-not-treated", "error", "coverage", kinds=("poverty", "treatment"),
      lists=("poverty", "treatment"),
      zh="患大病的贫困人口{detail}",
      en="a poor person with a serious illness {detail}")
def serious_illness_not_treated(ctx: Context):
    """患大病专项救治病种（或健康状况为“患有大病”）的贫困人口不在救治台账中，或救治状态不是已救治、正在救治。

    Why: 大病专项救治要求“发现一例、建档一例、救治一例”，患大病的贫困人口都应进入台账并得到救治。
    Bad: 花名册中健康状况 患有大病、所患疾病 胃癌 的王五不在大病救治台账中；或台账中他的救治状态为 待救治。
    Good: 王五在台账中，救治状态为 已救治 或 正在救治。
    Fix: 不在台账的，核实病情后建档并安排定点医院救治；待救治的，尽快安排救治或注明原因（放弃治疗须本人签字）。
    """
    zh = ctx.lang == "zh"
    if ctx.kind == "poverty":
        yield Check(when=in_scope(ctx) & serious_patient(ctx) & absent("treatment", ctx),
                    args={"detail": pl.lit("不在大病专项救治台账中" if zh else "is not in the treatment ledger")})
        return
    if not ctx.has("treat_status", "link_outcome", "p_row"):
        return
    yield Check(field="treat_status", when=linked() & in_scope(ctx, "p_") & pl.col("treat_status").is_not_null()
                & ~pl.col("treat_status").is_in(TREATED),
                args={"detail": pl.concat_str(pl.lit("救治状态为 " if zh else "has treatment status "),
                                              pl.col("treat_status"))}, **to_roster())


# ---------------------------------------------------------------------------------------------- CV008


@rule("CV008", "settlement-poverty-flag-missing", "warning", "coverage", kinds=("settlement",),
      lists=("poverty",), needs=("poverty_flag",),
      zh="花名册中的贫困人口住院结算时“扶贫人员类别”为空，结算时可能没有享受贫困人口政策",
      en="a poor person's settlement has no poverty flag: the poverty policy was probably not applied")
def settlement_poverty_flag_missing(ctx: Context):
    """结算记录的患者是花名册中的贫困人口，但“扶贫人员类别”为空。

    Why: 结算时没有标记贫困人口身份，“一站式”结算就不会启用医疗救助、补充保险等倾斜政策。
    Bad: 患者赵六是在册贫困人口，他的住院结算中扶贫人员类别为空。
    Good: 扶贫人员类别 建档立卡贫困人口，并按政策计算了医疗救助和补充保障。
    Fix: 核实患者身份后在医保系统中补标贫困人口身份，按政策重新结算或补报。
    """
    flag = pl.col("poverty_flag")
    empty = flag.is_null() | flag.is_in(clean.BLANKS)
    yield Check(field="poverty_flag", when=linked() & in_scope(ctx, "p_") & empty, **to_roster())


# ---------------------------------------------------------------------------------------------- CV009


@rule("CV009", "flagged-poor-not-in-roster", "info", "coverage",
      kinds=("insurance", "contract", "treatment", "settlement"), lists=("poverty",), needs=(("poverty_flag", "person_type", "subsidy_category", "crowd", "economic_type"),),
      zh="记录标为贫困人口（{flag}），但在花名册中找不到此人",
      en="the record is flagged as poor ({flag}) but the person is not in the poverty roster")
def flagged_poor_not_in_roster(ctx: Context):
    """记录上标着建档立卡、贫困、扶贫，但此人在花名册中找不到。

    Why: 不在花名册中的人享受了贫困人口政策，可能是已退出、外县人员或身份标错；也可能是身份证号写错，找不到本人。
    Bad: 结算记录扶贫人员类别 建档立卡贫困人口，身份证号在花名册中查不到。
    Good: 标为贫困人口的人都能在花名册中找到；不是贫困人口的不作标记。
    Fix: 查明此人身份：号码写错的改正号码；确非本县在册贫困人口的，去掉贫困标记并按普通人员处理。
    """
    if not ctx.has("link_outcome"):
        return
    present = [k for k in POOR_FLAGS if ctx.has(k)]
    if not present:
        return
    flag = pl.coalesce(*(pl.when(pl.col(k).str.contains(POOR_WORDS)).then(pl.col(k)) for k in present))
    # a possible link is CS002/CS003's business; a repeated row of a linked person is ID009's
    unlinked = pl.col("link_outcome").is_null()
    if ctx.has("id_no"):
        unlinked = unlinked & ~(pl.col("id_no").is_not_null() & linked().any().over("id_no")).fill_null(False)
    yield Check(field="id_no", when=flagged_poor(ctx) & unlinked, args={"flag": flag})


# ---------------------------------------------------------------------------------------------- CV010


@rule("CV010", "contract-dates-out-of-order", "warning", "coverage", kinds=("contract",),
      needs=(("sign_start", "sign_date"), ("followup_date", "sign_end", "stop_date")),
      zh="「{label}」{value} 早于签约（服务开始）日期 {start}",
      en="'{label}' {value} is before the contract's start {start}")
def contract_dates_out_of_order(ctx: Context):
    """随访、到期或解约的日期早于签约（服务开始）的日期。

    Why: 签约之前不会有签约服务的随访，协议也不会在开始之前到期或解约。日期颠倒说明录错了日期（年份、月日
    颠倒），或把上一份协议的随访记到了这一份名下，“签而不约”“先约后签”的核查都会因此失真。
    Bad: 签约日期 2020-03-01，最近随访日期 2019-11-20；或到期日期 2019-02-28。
    Good: 最近随访日期 2020-11-20，到期日期 2021-02-28。
    Fix: 对照签约协议和随访记录改正日期。
    """
    start = pl.coalesce([pl.col(k) for k in contract_start() if ctx.has(k)])
    for key in (k for k in ("followup_date", "sign_end", "stop_date") if ctx.has(k)):
        yield Check(field=key, when=(pl.col(key) < start).fill_null(False), args={"start": start.dt.to_string("%Y-%m-%d")},
                    needs=(key,))
