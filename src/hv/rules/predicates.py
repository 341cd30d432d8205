"""What the lists say about a person, written once: insured, subsidised, signed, treated, poor,
in scope, chronic or seriously ill, dead.

The linker's per-person facts (crosslist), the coverage and consistency rules and the rates all
read these, so that a rate and the findings that explain it cannot disagree. Each predicate is an
expression over one list's canonical columns; a column the list lacks is simply not consulted, and
an empty cell is never held against the person.
"""

from __future__ import annotations

import polars as pl

from hv import clean
from hv.rules.base import Context

INSURED, PAID = "正常参保", "参保缴费"
NOT_ENROLLED = ("暂停参保", "终止参保", "未参保")
NEVER_ENROLLED = "未参保"
# Schemes that are basic medical insurance; a row of 大病保险 or 长期护理保险 alone is not.
BASIC_SCHEMES = ("城乡居民基本医疗保险", "职工基本医疗保险")
ACTIVE_CONTRACT = ("签约", "续约")
TREATED = ("已救治", "正在救治")
GONE = ("死亡", "迁出")
SERIOUS_HEALTH = "患有大病"
FOLLOWED_UP = ("高血压", "糖尿病", "严重精神障碍")  # the chronic diseases with a yearly follow-up minimum
POOR_WORDS = "建档立卡|贫困|脱贫|扶贫|监测对象|防止返贫|返贫致贫"
NOT_POOR = r"^(否|不是|0|非.*|普通.*|一般|一般人员|一般人群|一般人口)$"
POOR_FLAGS = ("poverty_flag", "person_type", "subsidy_category", "crowd", "economic_type")
DEATH_DATES = ("death_date", "exit_date", "cancel_date", "cremation_date")  # best first
YES = "是"


def linked() -> pl.Expr:
    """The row is linked to a roster person with certainty."""
    return (pl.col("link_outcome") == "link").fill_null(False)


def in_scope(ctx: Context, prefix: str = "") -> pl.Expr:
    """The roster person (columns under `prefix`: "" on the roster, "p_" on the other lists) is a
    poor person the policy must serve at the reference date: 脱贫属性 empty or in policy.poverty_statuses,
    人员状态 not 死亡/迁出, not dead at the reference date by the death register."""
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


def flagged_poor(ctx: Context) -> pl.Expr:
    """A cell of the row (扶贫人员类别, 人员类别, 资助类别, 人群分类, 人口经济性质) says the person is poor."""
    present = [k for k in POOR_FLAGS if ctx.has(k)]
    if not present:
        return pl.lit(False)
    return pl.any_horizontal((pl.col(k).str.contains(POOR_WORDS) & ~pl.col(k).str.contains(NOT_POOR)
                              & ~pl.col(k).str.contains("非贫困|非建档")).fill_null(False) for k in present)


def basic_scheme(ctx: Context) -> pl.Expr:
    """The insurance row is of a basic medical insurance scheme (or does not say which)."""
    if not ctx.has("insurance_type"):
        return pl.lit(True)
    return (pl.col("insurance_type").is_null() | pl.col("insurance_type").is_in(BASIC_SCHEMES)).fill_null(True)


def enrolled(ctx: Context) -> pl.Expr:
    """The insurance row is an active basic enrolment: 正常参保 and 参保缴费 (an empty cell is not held
    against it)."""
    ok = basic_scheme(ctx)
    if ctx.has("insured_status"):
        ok = ok & (pl.col("insured_status").is_null() | (pl.col("insured_status") == INSURED))
    if ctx.has("pay_status"):
        ok = ok & (pl.col("pay_status").is_null() | (pl.col("pay_status") == PAID))
    return ok.fill_null(True)


def not_enrolled(ctx: Context) -> pl.Expr:
    """The row says the enrolment is not active: 暂停、终止、未参保, or not paid in."""
    bad = pl.lit(False)
    if ctx.has("insured_status"):
        bad = bad | pl.col("insured_status").is_in(NOT_ENROLLED).fill_null(False)
    if ctx.has("pay_status"):
        bad = bad | (pl.col("pay_status").is_not_null() & (pl.col("pay_status") != PAID)).fill_null(False)
    return bad


def subsidised(ctx: Context) -> pl.Expr:
    """The insurance row shows a subsidy: an amount above 0; else 是否资助参保 = 是; else a 资助类别."""
    says = []
    if ctx.has("subsidy_amount"):
        says.append(pl.when(pl.col("subsidy_amount").is_not_null()).then(pl.col("subsidy_amount") > 0))
    if ctx.has("subsidy_flag"):
        says.append(pl.when(pl.col("subsidy_flag").is_not_null()).then(pl.col("subsidy_flag") == YES))
    if ctx.has("subsidy_category"):
        category = pl.col("subsidy_category")
        says.append(pl.when(category.is_not_null() & ~category.is_in(clean.BLANKS))
                    .then(~category.str.contains(r"^(否|无|不资助|未资助)$")))
    return pl.coalesce(says).fill_null(False) if says else pl.lit(False)


def subsidy_said(ctx: Context) -> pl.Expr:
    """The row says anything at all about a subsidy (an amount, a flag or a category)."""
    keys = [k for k in ("subsidy_amount", "subsidy_flag", "subsidy_category") if ctx.has(k)]
    return pl.any_horizontal(pl.col(k).is_not_null() for k in keys) if keys else pl.lit(False)


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


def contract_start() -> list[str]:
    return ["sign_start", "sign_date"]


def active_contract(ctx: Context) -> pl.Expr:
    """The contract row covers the reference date: 签约/续约 (or no status said), begun (服务开始日期,
    else 签约日期), not ended, not cancelled."""
    ref = ctx.policy.ref_date
    status = pl.col("sign_status")
    active = (status.is_null() | status.is_in(ACTIVE_CONTRACT)) if ctx.has("sign_status") else pl.lit(True)
    starts = [pl.col(k) for k in contract_start() if ctx.has(k)]
    if starts:
        start = pl.coalesce(starts)
        active = active & (start.is_null() | (start <= ref))
    if ctx.has("sign_end"):
        active = active & (pl.col("sign_end").is_null() | (pl.col("sign_end") >= ref))
    if ctx.has("stop_date"):
        active = active & pl.col("stop_date").is_null()
    return active.fill_null(False)


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


def treated(ctx: Context) -> pl.Expr:
    """The ledger row is treated or in treatment (an empty 救治状态 is not held against it)."""
    if not ctx.has("treat_status"):
        return pl.lit(True)
    return (pl.col("treat_status").is_null() | pl.col("treat_status").is_in(TREATED)).fill_null(True)


def dead(ctx: Context) -> pl.Expr:
    """The death-list row is a death: a register of everyone who left it (退出原因) or a 是否死亡 column
    says which rows are."""
    is_dead = pl.lit(True)
    if ctx.has("exit_reason"):
        is_dead = is_dead & (pl.col("exit_reason").is_null() | (pl.col("exit_reason") == "死亡"))
    if ctx.has("death_flag"):
        is_dead = is_dead & (pl.col("death_flag").is_null() | (pl.col("death_flag") == YES))
    return is_dead.fill_null(True)


def death_date(ctx: Context) -> pl.Expr:
    """When the person died, as well as the death list says (death, exit, cancellation, cremation)."""
    dates = [pl.col(k) for k in DEATH_DATES if ctx.has(k)]
    return pl.coalesce(dates) if dates else pl.lit(None, dtype=pl.Date)
