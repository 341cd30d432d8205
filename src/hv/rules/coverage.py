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
from hv.crosslist import ACTIVE_CONTRACT, INSURED, PAID, TREATED
from hv.rules.base import Check, Context, rule

GONE = ("死亡", "迁出")
NOT_ENROLLED = ("暂停参保", "终止参保", "未参保")
NEVER_ENROLLED = "未参保"
SERIOUS_HEALTH = "患有大病"
FOLLOWED_UP = ("高血压", "糖尿病", "严重精神障碍")  # the chronic diseases with a yearly follow-up minimum
POOR_WORDS = "建档立卡|贫困|脱贫|扶贫"
NOT_POOR = r"^(否|不是|0|非.*|普通.*|一般|一般人员|一般人群)$"
POOR_FLAGS = ("poverty_flag", "person_type", "subsidy_category", "crowd")


def linked() -> pl.Expr:
    """The row is linked to a roster person with certainty."""
    return (pl.col("link_outcome") == "link").fill_null(False)


def in_scope(ctx: Context, prefix: str = "") -> pl.Expr:
    """The roster person (columns under `prefix`: "" on the roster, "p_" on the other lists) is a
    poor person the policy must serve at the reference date."""
    col = lambda key: pl.col(f"{prefix}{key}")  # noqa: E731
    has = lambda key: ctx.has(f"{prefix}{key}")  # noqa: E731
    statuses = list(ctx.policy.poverty_statuses)
    scope = col("poverty_status").is_null() | col("poverty_status").is_in(statuses) if has("poverty_status") \
        else pl.lit(True)
    if has("person_status"):
        scope = scope & (col("person_status").is_null() | ~col("person_status").is_in(GONE))
    death = f"{prefix}death_date"
    if ctx.has(death):
        scope = scope & (pl.col(death).is_null() | (pl.col(death) > ctx.policy.ref_date))
    return scope.fill_null(False)


def mentions(ctx: Context, keys: tuple[str, ...], spellings: list[str]) -> pl.Expr:
    """Any of the text columns names one of the spellings."""
    present = [k for k in keys if ctx.has(k)]
    if not present or not spellings:
        return pl.lit(False)
    pattern = "|".join(s.replace("(", r"\(").replace(")", r"\)") for s in spellings)
    return pl.any_horizontal(pl.col(k).str.contains(pattern).fill_null(False) for k in present)


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


def flagged_poor(ctx: Context) -> pl.Expr:
    """A cell of the row (扶贫人员类别, 人员类别, 资助类别, 人群分类) says the person is poor."""
    present = [k for k in POOR_FLAGS if ctx.has(k)]
    if not present:
        return pl.lit(False)
    return pl.any_horizontal((pl.col(k).str.contains(POOR_WORDS) & ~pl.col(k).str.contains(NOT_POOR)
                              & ~pl.col(k).str.contains("非贫困|非建档")).fill_null(False) for k in present)


def enrolled(ctx: Context) -> pl.Expr:
    """The insurance row is an active enrolment: 正常参保 and 参保缴费 (an empty cell is not held against it)."""
    ok = pl.lit(True)
    if ctx.has("insured_status"):
        ok = ok & (pl.col("insured_status").is_null() | (pl.col("insured_status") == INSURED))
    if ctx.has("pay_status"):
        ok = ok & (pl.col("pay_status").is_null() | (pl.col("pay_status") == PAID))
    return ok.fill_null(True)


def not_enrolled(ctx: Context) -> pl.Expr:
    bad = pl.lit(False)
    if ctx.has("insured_status"):
        bad = bad | pl.col("insured_status").is_in(NOT_ENROLLED).fill_null(False)
    if ctx.has("pay_status"):
        bad = bad | (pl.col("pay_status").is_not_null() & (pl.col("pay_status") != PAID)).fill_null(False)
    return bad


def subsidised(ctx: Context) -> pl.Expr:
    """The insurance row shows a subsidy paid: an amount above 0, or a category when no amount column."""
    if ctx.has("subsidy_amount"):
        return (pl.col("subsidy_amount") > 0).fill_null(False)
    if ctx.has("subsidy_category"):
        return pl.col("subsidy_category").is_not_null() & ~pl.col("subsidy_category").is_in(clean.BLANKS)
    return pl.lit(False)


def subsidised_never_enrolled(ctx: Context) -> pl.Expr:
    """CV004's case: a subsidy paid for someone 未参保 (with no 参保状态 column: not paid in)."""
    if ctx.has("insured_status"):
        never = (pl.col("insured_status") == NEVER_ENROLLED).fill_null(False)
    else:
        never = not_enrolled(ctx)
    return subsidised(ctx) & never


def chronic_patient(ctx: Context) -> pl.Expr:
    """The roster person has one of the policy's chronic diseases, by any list that names diseases."""
    spellings = ctx.policy.spellings(tuple(ctx.policy.chronic_diseases))
    return mentions(ctx, ("disease", "health_status", "contract_disease", "treatment_disease"), spellings)


def serious_patient(ctx: Context) -> pl.Expr:
    """The roster person is 患有大病 or has a disease of the year's serious-illness list."""
    spellings = ctx.policy.spellings(tuple(ctx.policy.serious_list()))
    return mentions(ctx, ("health_status",), [SERIOUS_HEALTH]) | mentions(ctx, ("disease",), spellings)


def active_contract(ctx: Context) -> pl.Expr:
    """The contract row covers the reference date (签约/续约, begun, not ended, not cancelled)."""
    ref = ctx.policy.ref_date
    active = pl.col("sign_status").is_in(ACTIVE_CONTRACT) if ctx.has("sign_status") else pl.lit(True)
    if ctx.has("sign_date"):
        active = active & (pl.col("sign_date").is_null() | (pl.col("sign_date") <= ref))
    if ctx.has("sign_end"):
        active = active & (pl.col("sign_end").is_null() | (pl.col("sign_end") >= ref))
    if ctx.has("stop_date"):
        active = active & pl.col("stop_date").is_null()
    return active.fill_null(False)


# ---------------------------------------------------------------------------------------------- CV001


@rule("CV001", "poor-person-not-insured", "error", "coverage", kinds=("poverty",),
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
    if not ctx.has("insurance_n"):
        return
    yield Check(when=in_scope(ctx) & absent("insurance", ctx),
                args={"name": pl.col("name")})


# ---------------------------------------------------------------------------------------------- CV002


@rule("CV002", "insurance-not-active", "error", "coverage", kinds=("insurance",),
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
      zh="贫困人口参保但没有参保资助：{detail}",
      en="the poor person is insured without a subsidy: {detail}")
def subsidy_missing(ctx: Context):
    """贫困人口正常参保了，但资助类别为空或资助金额为空、为 0。

    Why: 贫困人口参加居民医保的个人缴费由财政资助（特困人员全额资助、其他贫困人口定额资助），
    没有资助说明个人自己缴了费或资助没有落实。
    Bad: 资助类别为空、资助金额 0。
    Good: 资助类别 建档立卡贫困人口、资助金额 220。
    Fix: 与医保、民政、扶贫部门核对资助名单，补录资助类别和金额。资助类别与贫困户属性不符
    （如特困供养贫困户没有按特困人员全额资助）由 CS007 提示。
    """
    if not ctx.has("link_outcome", "p_row") or not (ctx.has("subsidy_amount") or ctx.has("subsidy_category")):
        return
    base = linked() & in_scope(ctx, "p_") & enrolled(ctx) & ~not_enrolled(ctx)
    zh = ctx.lang == "zh"
    if ctx.has("subsidy_amount"):
        missing = pl.col("subsidy_amount").is_null() | (pl.col("subsidy_amount") <= 0)
        if ctx.has("subsidy_category"):
            missing = missing | pl.col("subsidy_category").is_null()
        yield Check(field="subsidy_amount", when=base & missing,
                    args={"detail": pl.lit("资助金额为空或为 0" if zh else "no subsidy amount")}, **to_roster())
    else:
        yield Check(field="subsidy_category", when=base & pl.col("subsidy_category").is_null(),
                    args={"detail": pl.lit("资助类别为空" if zh else "no subsidy category")}, **to_roster())


# ---------------------------------------------------------------------------------------------- CV004


@rule("CV004", "subsidised-not-enrolled", "error", "coverage", kinds=("insurance",),
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
    if not (ctx.has("insured_status") or ctx.has("pay_status")) or not (
            ctx.has("subsidy_amount") or ctx.has("subsidy_category")):
        return
    field = "insured_status" if ctx.has("insured_status") else "pay_status"
    subsidy = pl.col("subsidy_amount").cast(pl.String) if ctx.has("subsidy_amount") else pl.col("subsidy_category")
    if ctx.has("subsidy_amount", "subsidy_category"):
        subsidy = pl.concat_str(pl.col("subsidy_category").fill_null(""), pl.lit(" "), subsidy)
    yield Check(field=field, when=subsidised_never_enrolled(ctx), args={"subsidy": subsidy},
                **(to_roster() if ctx.has("p_row", "link_score") else {}))


# ---------------------------------------------------------------------------------------------- CV005


@rule("CV005", "poor-person-not-signed", "warning", "coverage", kinds=("poverty",),
      zh="贫困人口 {name} 在参考日没有有效的家庭医生签约{chronic}",
      en="poor person {name} has no active family-doctor contract at the reference date{chronic}")
def poor_person_not_signed(ctx: Context):
    """在册贫困人口在参考日没有有效的家庭医生签约；患高血压、糖尿病、结核病、严重精神障碍的是错误。

    Why: 贫困人口家庭医生签约服务应做到应签尽签，四类慢病患者必须签约并规范管理。
    Bad: 花名册中患高血压的李四，签约名单中没有他，或只有一条已解约、已到期的签约。
    Good: 李四有一条签约状态为 签约 或 续约、在参考日有效的签约记录。
    Fix: 安排家庭医生为其签约（慢病患者优先）；已签约但名单中姓名或身份证号写错的，改正名单。
    """
    if not ctx.has("contract_n", "contract_active"):
        return
    has_chronic = chronic_patient(ctx)
    unsigned = in_scope(ctx) & ~person_any(pl.col("contract_active").fill_null(False), ctx) & unclaimed("contract", ctx)
    zh = ctx.lang == "zh"
    yield Check(when=unsigned & has_chronic, severity="error",
                args={"name": pl.col("name"), "chronic": pl.lit("（慢病患者）" if zh else " (chronic patient)")},
                **to_list("contract"))
    yield Check(when=unsigned & ~has_chronic, severity="warning", args={"name": pl.col("name"), "chronic": ""},
                **to_list("contract"))


# ---------------------------------------------------------------------------------------------- CV006


@rule("CV006", "signed-not-served", "warning", "coverage", kinds=("contract",),
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
    if not (ctx.has("followups") or ctx.has("followup_date")):
        return
    minimum = str(ctx.policy.followup_min)
    when = followup_scope(ctx) & too_few_followups(ctx)
    if ctx.has("followups"):
        yield Check(field="followups", value=pl.col("followups").fill_null(0).cast(pl.String), when=when,
                    args={"minimum": minimum})
    else:
        yield Check(field="followup_date", value=pl.lit("0"), when=when, args={"minimum": minimum})


def followup_scope(ctx: Context) -> pl.Expr:
    """The contract row is active and, when the list says, for a disease with a follow-up minimum."""
    scope = active_contract(ctx)
    if ctx.has("disease") or ctx.has("crowd"):
        chronic = [d for d in FOLLOWED_UP if d in ctx.policy.chronic_diseases]
        scope = scope & mentions(ctx, ("disease", "crowd"), ctx.policy.spellings(tuple(chronic)))
    return scope


def too_few_followups(ctx: Context) -> pl.Expr:
    """Fewer follow-ups than the policy's minimum, or no follow-up recorded at all (needs 随访次数 or
    最近随访日期)."""
    if not ctx.has("followups"):
        return pl.col("followup_date").is_null()
    few = pl.col("followups").fill_null(0) < ctx.policy.followup_min
    if ctx.has("followup_date"):
        few = few | (pl.col("followups").is_null() & pl.col("followup_date").is_null())
    return few


# ---------------------------------------------------------------------------------------------- CV007


@rule("CV007", "serious-illness-not-treated", "error", "coverage", kinds=("poverty", "treatment"),
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
        if not ctx.has("treatment_n"):
            return
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
      zh="花名册中的贫困人口住院结算时“扶贫人员类别”为空，结算时可能没有享受贫困人口政策",
      en="a poor person's settlement has no poverty flag: the poverty policy was probably not applied")
def settlement_poverty_flag_missing(ctx: Context):
    """结算记录的患者是花名册中的贫困人口，但“扶贫人员类别”为空。

    Why: 结算时没有标记贫困人口身份，“一站式”结算就不会启用医疗救助、补充保险等倾斜政策。
    Bad: 患者赵六是在册贫困人口，他的住院结算中扶贫人员类别为空。
    Good: 扶贫人员类别 建档立卡贫困人口，并按政策计算了医疗救助和补充保障。
    Fix: 核实患者身份后在医保系统中补标贫困人口身份，按政策重新结算或补报。
    """
    if not ctx.has("poverty_flag", "link_outcome", "p_row"):
        return
    flag = pl.col("poverty_flag")
    empty = flag.is_null() | flag.is_in(clean.BLANKS)
    yield Check(field="poverty_flag", when=linked() & in_scope(ctx, "p_") & empty, **to_roster())


# ---------------------------------------------------------------------------------------------- CV009


@rule("CV009", "flagged-poor-not-in-roster", "info", "coverage",
      kinds=("insurance", "contract", "treatment", "settlement"),
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
