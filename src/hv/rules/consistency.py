"""CS: the lists disagree about one person (domain.md §6.5).

A finding sits on the row of the other list (insurance, contract, treatment, settlement) and
points at its roster person (`p_row`), except where the roster itself must change. Only confirmed
links (`link_outcome == "link"`) are compared; `id_relation`/`name_relation` tell how the two rows'
ID numbers and names relate (link.py).
"""

from __future__ import annotations

import polars as pl

from hv import idnumber
from hv.rules.base import Check, Context, rule, say
from hv.rules.coverage import to_roster
from hv.rules.predicates import ACTIVE_CONTRACT, active_contract, flagged_poor, linked
from hv.rules.ids import _address_codes

OTHER_KINDS = ("insurance", "contract", "treatment", "settlement", "death")
CLOSE_NAMES = ("traditional", "homophone", "dropped", "similar")
ID_TYPOS = ("one_digit", "transposition", "excel_damaged")
PLACE_SUFFIX = r"(村民委员会|村委会|居民委员会|社区居委会|居委会|社区|村)$"
TOWN_SUFFIX = r"(人民政府|街道办事处|办事处)$"
MOVED = "迁出"


def same_id() -> pl.Expr:
    return linked() & (pl.col("id_relation") == "same").fill_null(False)


def sound(id_no: pl.Expr) -> pl.Expr:
    """A number that could be someone's: check digit, a calendar birth date, a known address code."""
    codes, _ = _address_codes()
    return (idnumber.valid(id_no) & idnumber.birth_date(id_no).is_not_null()
            & id_no.str.slice(0, 6).is_in(codes)).fill_null(False)


# ---------------------------------------------------------------------------------------------- CS001


@rule("CS001", "same-id-different-name", "error", "consistency", kinds=OTHER_KINDS,
      lists=("poverty",), needs=("name",),
      zh="身份证号与花名册相同，姓名却不同：本表“{value}”，花名册“{suggestion}”",
      en="same ID number as the roster but a different name: '{value}' here, '{suggestion}' in the roster")
def same_id_different_name(ctx: Context):
    """身份证号与花名册中的人相同，姓名写法不同；繁简、同音、多一个字、少一个间隔点等相近写法是警告，完全不同是错误。

    Why: 同一身份证号只能是一个人，姓名不同说明有一边录错了，按姓名查找时就会漏掉此人。
    Bad: 本表 张三丰 411521…，花名册 张山丰 411521…（同音）；或 阿依古丽·买买提 写成 阿依古丽买买提。
    Good: 两表姓名与身份证（公安户籍）上的写法完全一致。
    Fix: 以身份证、户口簿为准改正本表姓名；花名册写错的改花名册。姓名完全不同的先核实身份证号是否属于此人。
    """
    if not ctx.has("name", "p_name", "id_relation", "name_relation", "link_outcome"):
        return
    relation = pl.col("name_relation")
    base = same_id() & pl.col("p_name").is_not_null()
    close = relation.is_in(CLOSE_NAMES) | ((relation == "same") & (pl.col("name") != pl.col("p_name")))
    yield Check(field="name", suggestion=pl.col("p_name"), when=base & close.fill_null(False), severity="warning",
                **to_roster())
    # the same number under a wholly different name never makes a certain link: a possible one counts here
    candidate = pl.col("link_outcome").is_in(["link", "possible"]).fill_null(False)
    # …unless another row of this list with that number is the roster person: then the number was
    # copied onto a relative's row (ID010 reports that)
    copied = (pl.col("id_no").is_not_null() & linked().any().over("id_no")).fill_null(False) & ~linked()
    yield Check(field="name", suggestion=pl.col("p_name"), severity="error",
                when=candidate & ~copied & (pl.col("id_relation") == "same").fill_null(False)
                & pl.col("p_name").is_not_null()
                & (relation == "different").fill_null(False), **to_roster())


# ---------------------------------------------------------------------------------------------- CS002


@rule("CS002", "same-person-different-id", "warning", "consistency", kinds=OTHER_KINDS,
      lists=("poverty",), needs=("id_no",),
      zh="姓名、出生日期与花名册中的人相同，身份证号却不同：本表 {value}（{mine}），花名册 {suggestion}（{theirs}）",
      en="same name and birth date as a roster person but a different ID: {value} ({mine}) here, {suggestion} "
         "({theirs}) in the roster")
def same_person_different_id(ctx: Context):
    """按姓名和出生日期（及村）认定是花名册中的同一个人，但两边身份证号不同。

    Why: 一个人只有一个身份证号；号码不同，按号码比对的系统就会把他当成两个人，待遇可能落空或重复。
    Bad: 本表 李四 1980-01-01 号码 411521198001011234，花名册 李四 1980-01-01 号码 411521198001015678。
    Good: 两边号码一致。
    Fix: 对照身份证或公安户籍核实正确号码（提示中注明了两边号码是否通过校验位），改正写错的一边。
    """
    if not ctx.has("id_no", "p_id_no", "id_relation", "link_outcome"):
        return
    zh = ctx.lang == "zh"
    ok, bad = ("校验通过", "校验不通过") if zh else ("checksum ok", "checksum fails")
    status = lambda c: pl.when(idnumber.valid(pl.col(c))).then(pl.lit(ok)).otherwise(pl.lit(bad))  # noqa: E731
    # a possible link too: a different ID is exactly what keeps the link from being certain
    candidate = pl.col("link_outcome").is_in(["link", "possible"]).fill_null(False)
    same_name = pl.col("name_relation").is_in(["same", *CLOSE_NAMES]).fill_null(False) if ctx.has(
        "name_relation") else pl.lit(True)
    # when one of the numbers is broken (check digit, birth date, address code), the ID rules report it
    # on that row: it is a typo there, not a second person's number
    both_valid = sound(pl.col("id_no")) & sound(pl.col("p_id_no"))
    yield Check(field="id_no", suggestion=pl.col("p_id_no"),
                when=candidate & same_name & both_valid & (pl.col("id_relation") == "different").fill_null(False),
                args={"mine": status("id_no"), "theirs": status("p_id_no")}, **to_roster())


# ---------------------------------------------------------------------------------------------- CS003


@rule("CS003", "id-typo", "warning", "consistency", kinds=("poverty", *OTHER_KINDS),
      lists=("poverty",), needs=("id_no",),
      zh="身份证号 {value} 与{other}中同名的人只差一位、两位颠倒或末尾被 Excel 改成 0，应为 {suggestion}",
      en="ID {value} differs from the same-named person's in the {other} by one digit, two swapped digits or an "
         "Excel-zeroed tail; it should be {suggestion}")
def id_typo(ctx: Context):
    """姓名相同，身份证号与花名册中的人只差一位、相邻两位颠倒，或后几位被 Excel 变成 000。

    Why: 这是录入或 Excel 处理造成的笔误；号码不对，按号码比对就找不到此人。
    Bad: 本表 411521198001011243（校验不通过），花名册 411521198001011234。
    Good: 两边号码一致且通过校验位。
    Fix: 提示写在校验不通过的一边，建议值为另一边通过校验的号码；核对身份证后改正。
    身份证号列请设为文本格式，避免 Excel 把 18 位号码截成 15 位有效数字。
    """
    if ctx.kind == "poverty":
        yield from _roster_id_typo(ctx)
        return
    if not ctx.has("id_no", "p_id_no", "id_relation", "link_outcome"):
        return
    typo = linked() & pl.col("id_relation").is_in(ID_TYPOS).fill_null(False)
    mine, theirs = idnumber.valid(pl.col("id_no")), idnumber.valid(pl.col("p_id_no"))
    yield Check(field="id_no", suggestion=pl.col("p_id_no"), when=typo & ~mine & theirs,
                args={"other": say(ctx, "花名册", "roster")}, **to_roster())


def _roster_id_typo(ctx: Context):
    """CS003 on the roster: its number fails the checksum, the linked row's number passes."""
    earlier = pl.lit(False)
    for kind in OTHER_KINDS:
        if not ctx.has(f"{kind}_id_no", f"{kind}_id_relation", "id_no"):
            continue
        other = pl.col(f"{kind}_id_no")
        typo = (pl.col(f"{kind}_id_relation").is_in(ID_TYPOS) & ~idnumber.valid(pl.col("id_no")) & idnumber.valid(other)).fill_null(False)
        yield Check(field="id_no", suggestion=other, when=typo & ~earlier, args={"other": say(ctx, "其他名单", kind)},
                    related_row=pl.col(f"{kind}_row"),
                    related_file=pl.col(f"{kind}_file"), related_sheet=pl.col(f"{kind}_sheet"))
        earlier = earlier | typo


# ---------------------------------------------------------------------------------------------- CS004


@rule("CS004", "dead-still-served", "error", "consistency",
      kinds=("poverty", "insurance", "contract", "treatment", "settlement"), lists=("poverty", "death"),
      zh="此人 {death} 已死亡（死亡名单），却{detail}",
      en="this person died on {death} (death register) yet {detail}")
def dead_still_served(ctx: Context):
    """死亡名单中的人在死亡之后仍在享受服务：仍在花名册中正常在册、签约有效或死后随访、死后住院结算、
    死亡次年仍参保、死后救治。

    Why: 死亡人员的签约、随访、报销是虚假服务或冒用身份的信号，也是审计必查的问题。
    Bad: 死亡名单中王五 2019-07-25 死亡，签约名单中他 2020 年仍签约有效、有随访记录。
    Good: 死亡后及时解约、停保，花名册人员状态改为 死亡。
    Fix: 核实死亡信息；确已死亡的，花名册标注死亡、签约解约、医保停保，死后发生的服务和报销逐条核查。
    """
    ref = ctx.policy.ref_date
    if ctx.kind == "poverty":
        # on the roster means listed: without a 人员状态 column every row is a living person's
        status = pl.col("person_status") if ctx.has("person_status") else pl.lit(None, pl.String)
        yield Check(field="person_status" if ctx.has("person_status") else "name",
                    value=status.fill_null("") if ctx.has("person_status") else pl.col("name_raw"),
                    when=pl.col("death_date").is_not_null() & (pl.col("death_date") <= ref)
                    & (status.is_null() | (status == "正常")),
                    args={"death": pl.col("death_date"), "detail": say(ctx, "在花名册中仍为正常在册",
                                                                       "the roster still lists them as living")},
                    related_row=pl.col("death_row"), related_file=pl.col("death_file"),
                    related_sheet=pl.col("death_sheet"))
        return
    if not ctx.has("p_death_date", "link_outcome"):
        return
    death = pl.col("p_death_date")
    after = lambda c: (pl.col(c) > death) if ctx.has(c) else pl.lit(False)  # noqa: E731
    if ctx.kind == "contract":
        served = after("sign_date") | after("followup_date") | (active_contract(ctx) & (death <= ref))
        detail = ("签约有效或死后仍有签约、随访", "has an active contract or was signed/followed up after death")
    elif ctx.kind == "settlement":
        served = after("admit_date") | after("discharge_date") | after("settle_date")
        detail = ("死后仍有住院结算", "has a hospital settlement after death")
    elif ctx.kind == "insurance":
        year = pl.col("year") if ctx.has("year") else pl.lit(ctx.policy.inspected_year if ctx.policy else None)
        served = year > death.dt.year()
        detail = ("死亡次年后仍在参保名单中", "is still enrolled in a year after death")
    else:
        served = after("treat_date") | after("diagnosis_date")
        detail = ("死后仍有救治记录", "has treatment after death")
    yield Check(when=linked() & death.is_not_null() & served.fill_null(False),
                args={"death": death, "detail": say(ctx, *detail)},
                related_row=pl.col("p_death_row"), related_file=pl.col("p_death_file"),
                related_sheet=pl.col("p_death_sheet"), related_score=pl.col("link_score"))


# ---------------------------------------------------------------------------------------------- CS005


@rule("CS005", "person-facts-differ", "warning", "consistency", kinds=OTHER_KINDS, lists=("poverty",),
      zh="身份证号与花名册相同，{label}却不同：本表“{value}”，花名册“{suggestion}”",
      en="same ID number as the roster but {label} differs: '{value}' here, '{suggestion}' in the roster")
def person_facts_differ(ctx: Context):
    """身份证号相同，性别、出生日期或民族与花名册不一致。

    Why: 同一个人的基本信息在各部门应一致；不一致说明有一边录错，统计和待遇认定（如年龄）会出错。
    Bad: 本表民族 回族，花名册 汉族；或本表出生日期 1980-01-02，花名册 1980-01-01。
    Good: 两表性别、出生日期、民族一致，且与身份证号一致。
    Fix: 以身份证、户口簿为准改正录错的一边（性别和出生日期可对照身份证号的第 7～14 位和第 17 位）。
    """
    if not ctx.has("link_outcome", "id_relation"):
        return
    for key in ("sex", "birth_date", "ethnicity"):
        if ctx.has(key, f"p_{key}"):
            mine, theirs = pl.col(key), pl.col(f"p_{key}")
            yield Check(field=key, suggestion=theirs.cast(pl.String),
                        when=same_id() & mine.is_not_null() & theirs.is_not_null() & (mine != theirs),
                        **to_roster())


# ---------------------------------------------------------------------------------------------- CS006


@rule("CS006", "place-differs", "warning", "consistency", kinds=OTHER_KINDS, lists=("poverty",),
      zh="身份证号与花名册相同，{label}却不同：本表“{value}”，花名册“{suggestion}”",
      en="same ID number as the roster but {label} differs: '{value}' here, '{suggestion}' in the roster")
def place_differs(ctx: Context):
    """身份证号相同，所在乡镇或村与花名册不一致（去掉“村”“社区”“村委会”等后缀后比较）。

    Why: 人在哪个村决定由哪个村医、哪个乡镇负责；地址不一致可能是迁移后没有更新，也可能是录错了村。
    Bad: 本表 竹竿镇 李庄村，花名册 竹竿镇 王岗村。
    Good: 两表乡镇、村一致（“李庄”与“李庄村”视为相同）。
    Fix: 核实此人现住址：已迁移的按规定办理迁移并更新花名册；录错的改正。
    """
    if not ctx.has("link_outcome", "id_relation"):
        return
    for key, suffix in (("town", TOWN_SUFFIX), ("village", PLACE_SUFFIX)):
        if ctx.has(key, f"p_{key}"):
            norm = lambda c: pl.col(c).str.strip_chars().str.replace(suffix, "")  # noqa: E731
            yield Check(field=key, suggestion=pl.col(f"p_{key}"),
                        when=same_id() & pl.col(key).is_not_null() & pl.col(f"p_{key}").is_not_null()
                        & (norm(key) != norm(f"p_{key}")), **to_roster())


# ---------------------------------------------------------------------------------------------- CS007


@rule("CS007", "poverty-status-differs", "warning", "consistency", kinds=("insurance", "settlement"),
      lists=("poverty",), needs=(("subsidy_category", "poverty_flag", "person_type"),),
      zh="贫困身份与花名册不一致：本表“{value}”，花名册为“{roster}”",
      en="poverty status disagrees with the roster: '{value}' here, '{roster}' in the roster")
def poverty_status_differs(ctx: Context):
    """本表标为贫困人口而花名册中此人不是贫困人口（脱贫属性不在范围内、已迁出），或医保资助类别与花名册的贫困户属性
    不符（特困供养↔特困人员、低保贫困户↔低保对象）。

    Why: 部门之间贫困身份不一致，会让不该享受的人享受倾斜政策，或让特困人员少得资助（特困人员应全额资助）。
    Bad: 医保资助类别 低保对象，花名册贫困户属性 特困供养贫困户；或资助类别 特困人员，花名册为 低保贫困户。
    Good: 医保资助类别 特困人员，花名册为 特困供养贫困户。
    Fix: 以扶贫部门花名册为准，与民政、医保核对身份后改正资助类别或扶贫人员类别。
    """
    if not ctx.has("link_outcome", "p_row"):
        return
    field = next((k for k in ("subsidy_category", "poverty_flag", "person_type") if ctx.has(k)), None)
    if field is None:
        return
    statuses = list(getattr(ctx.policy, "poverty_statuses", ()) or ())
    if ctx.has("p_poverty_status"):
        status = pl.col("p_poverty_status")
        not_poor = status.is_not_null() & ~status.is_in(statuses)
        if ctx.has("p_person_status"):
            not_poor = not_poor | (pl.col("p_person_status") == "迁出")
        yield Check(field=field, when=linked() & flagged_poor(ctx) & not_poor.fill_null(False),
                    args={"roster": status}, **to_roster())
    if field == "subsidy_category" and ctx.has("p_hh_poverty_type"):
        category, kind = pl.col("subsidy_category"), pl.col("p_hh_poverty_type")
        differs = pl.lit(False)
        for word in ("特困", "低保"):
            differs = differs | (category.str.contains(word) != kind.str.contains(word))
        suggestion = (pl.when(kind.str.contains("特困")).then(pl.lit("特困人员"))
                      .when(kind.str.contains("低保")).then(pl.lit("低保对象")).otherwise(pl.lit("建档立卡贫困人口")))
        yield Check(field=field, suggestion=suggestion,
                    when=linked() & category.is_not_null() & kind.is_not_null() & differs.fill_null(False),
                    args={"roster": kind}, **to_roster())


# ---------------------------------------------------------------------------------------------- CS008


@rule("CS008", "contract-for-moved-out", "warning", "consistency", kinds=("contract",),
      zh="此人已迁出（{source}），签约仍然有效",
      en="this person has moved out ({source}) yet the contract is active")
def contract_for_moved_out(ctx: Context):
    """已迁出的人仍有有效签约：花名册人员状态为 迁出，或签约名单中此人先因“迁出”解约、之后又签约。

    Why: 家庭医生签约服务的对象是常住人口；为已迁出的人签约是虚假签约。
    Bad: 签约名单第 10 行 张三 2020-03-01 因迁出解约，第 11 行 张三 2020-06-01 又签约。
    Good: 迁出后不再签约；迁回的先在花名册中恢复为正常在册。
    Fix: 核实此人是否常住：确已迁出的解约；已迁回的更新花名册和解约记录。
    """
    zh = ctx.lang == "zh"
    if ctx.has("p_person_status", "link_outcome"):
        yield Check(field="sign_status" if ctx.has("sign_status") else None,
                    when=linked() & (pl.col("p_person_status") == MOVED).fill_null(False) & active_contract(ctx),
                    args={"source": pl.lit("花名册" if zh else "roster")}, **to_roster())
    if ctx.has("id_no", "stop_reason", "sign_date"):
        moved = (pl.col("stop_reason") == MOVED).fill_null(False)
        stopped = pl.col("stop_date") if ctx.has("stop_date") else pl.col("sign_date")
        group = pl.col("id_no")
        moved_on = stopped.filter(moved).min().over(group)
        signing = pl.col("sign_status").is_in(ACTIVE_CONTRACT) if ctx.has("sign_status") else pl.lit(True)
        first = lambda c: pl.col(c).filter(moved).first().over(group)  # noqa: E731
        yield Check(field="sign_date", when=group.is_not_null() & ~moved & signing.fill_null(False)
                    & (pl.col("sign_date") >= moved_on).fill_null(False),
                    args={"source": pl.concat_str(pl.lit("签约名单解约原因 迁出 " if zh else "cancelled for moving out on "),
                                                  moved_on.cast(pl.String))},
                    related_row=first("row"), related_file=first("file"), related_sheet=first("sheet"))
