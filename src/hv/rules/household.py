"""HH: households of the poverty roster (domain.md §6.3): one head, the declared size, shared attributes.

A household is every row with the same 户编号 in the whole list (the numbers are county-wide, so the
township sheets of one roster are grouped together), within one 年度 when the list has a year column.
A finding about a household sits on one row a clerk can find: its 户主 row when it has exactly one,
otherwise its first row in file order.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from hv import clean, idnumber
from hv.rules.base import Check, Context, listed_twice, rule, say, shared

HEAD, SPOUSE = "户主", "配偶"
# Attributes every member of one household carries with the same value (domain.md §6.3 HH006).
HOUSEHOLD_ATTRIBUTES = ("hh_poverty_type", "poverty_status", "hh_type", "cause_main", "identify_std", "head_name",
                        "head_id_no", "hh_size", "county", "town", "village")
# Relations whose member must be born at least this many years after (+) or before (−) the head.
BIRTH_GAP_YEARS = {"子": 15, "女": 15, "孙子": 30, "孙女": 30, "外孙子": 30, "外孙女": 30, "曾孙子": 30,
                   "曾孙女": 30, "父亲": -15, "母亲": -15}
# Relations that name the member's sex: True = male.
RELATION_IS_MALE = {**dict.fromkeys(("子", "女婿", "孙子", "外孙子", "曾孙子", "父亲", "公公", "岳父", "祖父", "外祖父",
                                     "侄子"), True),
                    **dict.fromkeys(("女", "儿媳", "孙女", "外孙女", "曾孙女", "母亲", "婆婆", "岳母", "祖母", "外祖母",
                                     "侄女"), False)}
SICK = "长期慢性病|患有大病"
HOUSEHOLD_KINDS = ("poverty",)  # a treatment ledger repeats a person per disease: its households do not add up


def pointing_at(where: pl.Expr, group: list[str]) -> dict[str, pl.Expr]:
    """related_row/file/sheet of the first row of each group where `where` holds (group-local)."""
    return {f"related_{c}": pl.col(c).filter(where).first().over(group) for c in ("row", "file", "sheet")}


def unreadable(key: str) -> pl.Expr:
    """A cell that holds something its vocabulary does not know (PF007 reports it)."""
    raw = pl.col(f"{key}_raw").str.strip_chars()
    return (raw != "") & ~raw.is_in(clean.BLANKS) & pl.col(key).is_null()


@shared
def valid_id() -> pl.Expr:
    return idnumber.valid(pl.col("id_no"))


@shared
def id_male() -> pl.Expr:
    return pl.when(valid_id()).then(idnumber.is_male(pl.col("id_no")))


@shared
def id_birth_number() -> pl.Expr:
    """The birth date in a valid ID as the number YYYYMMDD: adding 150000 adds 15 years."""
    return pl.when(valid_id()).then(pl.col("id_no").str.slice(6, 8).cast(pl.Int64, strict=False))


def sex_word(male: pl.Expr, ctx: Context) -> pl.Expr:
    return pl.when(male).then(pl.lit("男" if ctx.lang == "zh" else "male")).otherwise(
        pl.lit("女" if ctx.lang == "zh" else "female"))


@dataclass(frozen=True)
class Households:
    """Expressions about the household of each row. Names ending in `_in` are group-local: they
    are meant inside an aggregation that `window` then spreads over the household's rows."""

    group: list[str]
    has_relation: bool

    @classmethod
    def of(cls, ctx: Context) -> Households:
        return cls(["household_no", "year"] if ctx.has("year") else ["household_no"], ctx.has("relation"))

    def window(self, expr: pl.Expr) -> pl.Expr:
        return expr.over(self.group)

    def member(self, expr: pl.Expr) -> pl.Expr:
        """A row condition that only holds on rows with a household number (rows without one would
        otherwise form a household of their own)."""
        return pl.col("household_no").is_not_null() & expr

    def is_(self, relation: str) -> pl.Expr:
        """The row's 与户主关系 is `relation` (never, in a list without that column)."""
        return (pl.col("relation") == relation).fill_null(False) if self.has_relation else pl.lit(False)

    @property
    def anchor_in(self) -> pl.Expr:
        """The row a household finding sits on: the only 户主, else the household's first row."""
        return pl.when(self.is_(HEAD).sum() == 1).then(self.is_(HEAD)).otherwise(pl.int_range(pl.len()) == 0)

    @property
    def anchor(self) -> pl.Expr:
        return _anchor(tuple(self.group), self.has_relation)

    def any(self, expr_in: pl.Expr) -> pl.Expr:
        return self.window(expr_in.any())

    def of_head(self, expr: pl.Expr) -> pl.Expr:
        """The value of `expr` on the household's only 户主 (null when it has none or several)."""
        return self.window(pl.when(self.is_(HEAD).sum() == 1).then(expr.filter(self.is_(HEAD)).first()))

    def reference(self, expr: pl.Expr, key: str) -> pl.Expr:
        """`window(reference_in(expr, key))` on every row, from two plain windows (a quarter of the time)."""
        filled = pl.col(key).is_not_null()
        on_anchor = pl.when(self.anchor & filled).then(expr).max()  # a household has one anchor row
        first_filled = pl.when(filled).then(expr).fill_null(strategy="backward").first()
        return pl.coalesce(self.window(on_anchor), self.window(first_filled))

    def reference_in(self, expr: pl.Expr, key: str) -> pl.Expr:
        """`expr` on the anchor row, or on the first row where `key` is filled when the anchor's is empty."""
        filled = pl.col(key).is_not_null()
        return pl.coalesce(expr.filter(self.anchor_in & filled).first(), expr.filter(filled).first())


@shared
def _anchor(group: tuple[str, ...], has_relation: bool) -> pl.Expr:
    """Households.anchor, computed once for every household rule (as two plain windows: the same
    rows as `window(anchor_in)`, a quarter of the time)."""
    hh = Households(list(group), has_relation)
    head = hh.is_(HEAD)
    first = pl.col(group[0]) if len(group) == 1 else pl.struct(group)
    return hh.member(pl.when(hh.window(head.sum()) == 1).then(head).otherwise(first.is_first_distinct()))


HOUSEHOLD_NO = pl.col("household_no_raw")


@rule("HH001", "no-household-head", "error", "household", kinds=HOUSEHOLD_KINDS,
      needs=("household_no", "relation"), unit="person",
      zh="户编号 {household} 没有户主：{members} 名成员的「与户主关系」中没有“户主”",
      en="household {household} has no head: none of its {members} members is recorded as the head")
def no_household_head(ctx: Context):
    """一户中没有人的“与户主关系”是“户主”。

    Why: 户主是一户的代表，家庭人口、户属性和签约、报销都以户主为准；没有户主的户无法核对家庭结构。
    Bad: 户编号 4115210010012345 的 3 人分别是 配偶、之子、之女。
    Good: 其中一人（通常是户主本人）的与户主关系为“户主”。
    Fix: 按户口簿把户主那一行的“与户主关系”改为“户主”。提示写在该户的第一行。成员中有无法识别的关系
    写法（如“户主人”，PF007 会提示）时本条不提示，先改正那个写法。
    """
    hh = Households.of(ctx)
    yield Check(field="relation", when=hh.anchor & ~hh.any(hh.is_(HEAD)) & ~hh.any(unreadable("relation")),
                args={"household": HOUSEHOLD_NO, "members": hh.window(pl.len())}, group=hh.group)


def _second(ctx: Context, relation: str) -> Check | None:
    """A finding on the second member holding a one-per-household relation, pointing at the first."""
    hh = Households.of(ctx)
    holds = hh.is_(relation)
    return Check(field="relation", when=hh.member(holds & (hh.window(holds.cum_sum()) == 2)),
                 args={"household": HOUSEHOLD_NO, "count": hh.window(holds.sum())}, group=hh.group,
                 **pointing_at(holds, hh.group))


@rule("HH002", "several-household-heads", "error", "household", kinds=HOUSEHOLD_KINDS,
      needs=("household_no", "relation"), unit="person",
      zh="户编号 {household} 有 {count} 个户主，一户只能有一个户主",
      en="household {household} has {count} heads; a household has exactly one")
def several_household_heads(ctx: Context):
    """一户中有两个或更多“户主”。

    Why: 一户只能有一个户主；多个户主通常是两户被录成同一个户编号，或者配偶、子女的关系填错。
    Bad: 同一户编号下 张三、李四 的与户主关系都是“户主”。
    Good: 张三 户主，李四 配偶。
    Fix: 按户口簿改正关系；如果确是两户，给其中一户改回它自己的户编号。提示写在第二个户主的行上，
    对照行号是第一个户主。
    """
    if (check := _second(ctx, HEAD)) is not None:
        yield check


@rule("HH003", "several-spouses", "warning", "household", kinds=HOUSEHOLD_KINDS,
      needs=("household_no", "relation"), unit="person",
      zh="户编号 {household} 有 {count} 个配偶",
      en="household {household} has {count} spouses")
def several_spouses(ctx: Context):
    """一户中有两个或更多“配偶”。

    Why: 户主只有一个配偶；第二个“配偶”多半是儿媳、女婿或户主的兄弟姐妹填错了关系。
    Bad: 户主 张三 之下 李四、王芳 都是“配偶”。
    Good: 李四 配偶，王芳 之儿媳。
    Fix: 按户口簿改正关系。提示写在第二个配偶的行上，对照行号是第一个配偶。
    """
    if (check := _second(ctx, SPOUSE)) is not None:
        yield check


@rule("HH004", "head-and-spouse-same-sex", "warning", "household", kinds=HOUSEHOLD_KINDS,
      needs=("household_no", "relation", "id_no"), unit="person",
      zh="户主与配偶按身份证号都是{sex}性",
      en="the head and the spouse both have a {sex} ID number")
def head_and_spouse_same_sex(ctx: Context):
    """户主和配偶按身份证号是同一性别。

    Why: 身份证号第 17 位单数为男、双数为女。户主和配偶同性别，通常是关系填错（如把儿媳填成配偶），
    或者其中一人的身份证号录错。
    Bad: 户主 张三 411521196001011232（男），配偶 张强 411521196203041237（男）。
    Good: 配偶 李四 的身份证号第 17 位为双数（女）。
    Fix: 核对户口簿，改正与户主关系或身份证号。提示写在配偶的行上，对照行号是户主；身份证号校验不通过的
    行不参与本条（ID001 会提示）。
    """
    hh = Households.of(ctx)
    head_male = hh.of_head(id_male())
    yield Check(field="id_no", when=hh.member(hh.is_(SPOUSE) & (id_male() == head_male)),
                args={"sex": sex_word(id_male(), ctx)}, group=hh.group, **pointing_at(hh.is_(HEAD), hh.group))


@rule("HH005", "household-size-mismatch", "error", "household", kinds=HOUSEHOLD_KINDS,
      needs=("household_no",), unit="person",
      zh="家庭人口数不符：{problem}",
      en="household size does not add up: {problem}")
def household_size_mismatch(ctx: Context):
    """填报的家庭人口数与名单中这一户的成员行数不一致，或者某一行没有户编号。

    Why: 家庭人口数决定人均收入、资助参保人数等；人数不符说明漏录了成员、多录了成员，或者人数填错。
    没有户编号的人员行不属于任何一户，家庭户规则都核对不到他。
    Bad: 户编号 4115210010012345 的人数填 4，名单中只有 3 行。
    Good: 人数 3，名单中 3 行。
    Fix: 对照户口簿补录或删除成员，或改正人数；给没有户编号的人员补上他家的户编号。人数不符的提示写在
    户主行（没有唯一户主时写在该户第一行），填报人数取户主行的，户主行没填时取该户第一个填了的。
    """
    hh = Households.of(ctx)
    if ctx.has("hh_size"):
        declared = hh.reference(pl.col("hh_size"), "hh_size")
        members = hh.window(pl.len())
        yield Check(field="hh_size", when=hh.anchor & (declared != members), value=declared, suggestion=members,
                    group=hh.group,
                    args={"problem": say(ctx, "户编号 {household} 填报 {declared} 人，名单中有 {members} 行",
                                         "household {household} declares {declared} people, the list has {members}",
                                         household=HOUSEHOLD_NO, declared=declared, members=members)})
    in_some_household = pl.col("household_no").is_not_null()
    yield Check(field="household_no", when=~in_some_household & in_some_household.any(),
                args={"problem": say(ctx, "这一行没有户编号，不属于任何一户", "this row has no household number")})


@rule("HH006", "household-attributes-differ", "warning", "household", kinds=HOUSEHOLD_KINDS,
      needs=("household_no",), unit="person",
      zh="同一户成员的「{label}」不一致：「{value}」与对照行的「{other}」",
      en="members of one household differ in '{label}': '{value}' and '{other}' on the related row")
def household_attributes_differ(ctx: Context):
    """同一户的成员在户级属性上填得不一样（贫困户属性、脱贫属性、致贫原因、户主姓名、村等）。

    Why: 这些是“户”的属性，一户只有一个值；成员之间不一致时，按户统计（如脱贫户数、因病致贫户数）
    会算错，也说明其中一行录错或成员被录进了别人的户。
    Bad: 户主行 贫困户属性 “低保贫困户”，其子女行 “一般贫困户”。
    Good: 全户都是 “低保贫困户”。
    Fix: 按户的档案统一改正。提示写在户主行（没有唯一户主时写在该户第一行），对照行号是第一个与它
    不同的成员；空着的单元格不算不一致。
    """
    hh = Households.of(ctx)
    for key in (k for k in HOUSEHOLD_ATTRIBUTES if ctx.has(k)):
        value, raw = pl.col(key), pl.col(f"{key}_raw")
        differs_in = value.is_not_null() & (value != hh.reference_in(value, key))
        several = hh.window(value.drop_nulls().n_unique()) > 1
        yield Check(field=key, when=hh.anchor & several, value=hh.window(hh.reference_in(raw, key)), group=hh.group,
                    args={"other": hh.window(raw.filter(differs_in).first())}, **pointing_at(differs_in, hh.group))


@rule("HH007", "relation-age-or-sex-implausible", "warning", "household", kinds=HOUSEHOLD_KINDS,
      needs=("household_no", "relation", "id_no"), unit="person",
      zh="与户主关系「{value}」不合常理：{problem}",
      en="relation to head '{value}' is implausible: {problem}")
def relation_age_or_sex_implausible(ctx: Context):
    """与户主关系和身份证号上的出生日期或性别对不上（子女比户主年长、“之母”是男性等）。

    Why: 子女应比户主至少小 15 岁，孙辈至少小 30 岁，父母至少大 15 岁；之子、之父应为男性，之女、之母
    应为女性。对不上时，多半是关系填错（把户主和子女弄反、儿媳填成女儿），或者身份证号录成了别人的。
    Bad: 户主 1985 年出生，其“之子”1960 年出生；“之母”的身份证号第 17 位为单数（男）。
    Good: 户主 1960 年出生，之子 1985 年出生；之母的身份证号第 17 位为双数。
    Fix: 对照户口簿改正与户主关系或身份证号。年龄不合的提示写在该成员行，对照行号是户主；只比较身份证号
    校验通过的人。
    """
    hh = Households.of(ctx)
    birth, head_birth = id_birth_number(), hh.of_head(id_birth_number())
    gap = pl.col("relation").replace_strict(BIRTH_GAP_YEARS, default=None, return_dtype=pl.Int64)
    bound = head_birth + gap * 10000
    too_close = pl.when(gap > 0).then(birth < bound).otherwise(birth > bound)
    yield Check(field="relation", when=hh.member(too_close),
                args={"problem": say(ctx, "本人 {birth} 年出生，户主 {head} 年出生", "born in {birth}, the head in {head}",
                                     birth=birth // 10000, head=head_birth // 10000)},
                group=hh.group, **pointing_at(hh.is_(HEAD), hh.group))
    relation_male = pl.col("relation").replace_strict(RELATION_IS_MALE, default=None, return_dtype=pl.Boolean)
    yield Check(field="relation", when=id_male() != relation_male,
                args={"problem": say(ctx, "身份证号显示为{sex}性", "the ID number says {sex}", sex=sex_word(id_male(), ctx))})


@rule("HH008", "id-in-two-households", "error", "household", kinds=HOUSEHOLD_KINDS,
      needs=("household_no", "id_no"), unit="person",
      zh="身份证号 {value} 同时在户编号 {other} 和 {household} 中",
      en="ID number {value} is in household {other} and in household {household}")
def id_in_two_households(ctx: Context):
    """同一个身份证号出现在两个不同的户里。

    Why: 一个人只能属于一户。出现在两户，通常是分户、婚嫁迁移后旧户没有注销，或者把别人的身份证号录给了
    这个成员；人数、参保资助和按户统计都会重复。
    Bad: 411521196001011232 在户编号 …345 和 …346 中各有一行。
    Good: 只在现在所在的户中有一行。
    Fix: 按户籍确定他属于哪一户，删除另一户中的那一行，或改正录错的身份证号。提示写在后出现的那一行，
    对照行号是第一次出现的行；有年度列时只比较同一年度。
    """
    person = ["id_no", "year"] if ctx.has("year") else ["id_no"]
    first_household = pl.col("household_no").first()
    usable = valid_id() & pl.col("household_no").is_not_null()
    yield Check(field="id_no", when=usable & (pl.col("household_no") != first_household.over(person)),
                args={"household": HOUSEHOLD_NO, "other": pl.col("household_no_raw").first().over(person)},
                group=person, scope=listed_twice("id_no"), **pointing_at(pl.lit(True), person))


@rule("HH009", "household-number-format", "warning", "household", kinds=HOUSEHOLD_KINDS,
      needs=("household_no",), unit="person",
      zh="户编号「{value}」格式异常：{problem}",
      en="household number '{value}' looks malformed: {problem}")
def household_number_format(ctx: Context):
    """户编号的位数与名单中大多数户编号不同，或者夹着字母、符号。

    Why: 一个县的户编号由同一系统按同一规则编出，位数相同、全是数字。位数不同通常是录入时多打、漏打了
    数字，这一户就和它真正的户编号对不上，家庭户和跨名单核对都会出错。被 Excel 存成数字而丢了末尾几位、
    或显示成 4.1152E+15 的户编号由 IMP005 提示，本条不重复提示。
    Bad: 大多数户编号 16 位，这一户是 411521001001234（15 位）或 41152100100123A5。
    Good: 4115210010012345
    Fix: 按扶贫系统中的户编号改正，并把该列设为“文本”格式。一户只在户主行（没有唯一户主时在第一行）
    提示一次。
    """
    hh = Households.of(ctx)
    number = pl.col("household_no")
    length = number.str.len_chars()
    usual = _usual_household_number_length()
    digits = number.str.contains(r"^\d+$")
    mostly_digits = _household_numbers_mostly_digits()
    scientific = pl.col("household_no_raw").str.contains(r"(?i)^\s*\d(\.\d+)?E\+?\d+\s*$")
    left_to_imp005 = scientific | idnumber.excel_damaged(number).fill_null(False)
    odd_length, odd_characters = length != usual, ~digits & mostly_digits
    problem = pl.when(odd_length).then(say(ctx, "有 {length} 位，本名单的户编号通常是 {usual} 位",
                                             "{length} characters where this list's numbers have {usual}",
                                             length=length, usual=usual)).otherwise(
        say(ctx, "含有数字以外的字符", "contains characters other than digits"))
    # the anchor rows hold every household number once, all the whole-list figures above need
    yield Check(field="household_no", when=hh.anchor & ~left_to_imp005 & (odd_length | odd_characters),
                args={"problem": problem}, scope=hh.anchor)


@shared
def _usual_household_number_length() -> pl.Expr:
    """The commonest length of the list's household numbers (a tie goes to the longer length)."""
    return pl.col("household_no").unique().drop_nulls().str.len_chars().mode().max()


@shared
def _household_numbers_mostly_digits() -> pl.Expr:
    return pl.col("household_no").unique().drop_nulls().str.contains(r"^\d+$").mean() > 0.5


@rule("HH010", "illness-cause-without-sick-member", "warning", "household", kinds=HOUSEHOLD_KINDS,
      needs=("household_no", "cause_main", "health_status"), unit="person",
      zh="主要致贫原因为「{value}」，但户内没有成员的健康状况是长期慢性病或患有大病",
      en="main cause of poverty is '{value}' but no member's health status is chronic or serious illness")
def illness_cause_without_sick_member(ctx: Context):
    """户的主要致贫原因是“因病”，但户内没有一人的健康状况是“长期慢性病”或“患有大病”。

    Why: 因病致贫户是健康扶贫的对象，要逐人核准患病情况、落实分类救治；没有病人的因病致贫户，要么致贫
    原因填错，要么患病成员的健康状况漏填、填成了“健康”。
    Bad: 主要致贫原因 因病，全户健康状况都是“健康”。
    Good: 户主的健康状况为“长期慢性病”。
    Fix: 核实后改正患病成员的健康状况或户的致贫原因。提示写在户主行（没有唯一户主时写在第一行），按该行
    的致贫原因判断；户内有无法识别的健康状况（PF007 会提示）时本条不提示。与救治台账的比对
    （患有大病却不在台账中）由跨名单规则 CV007 负责。
    """
    hh = Households.of(ctx)
    sick = pl.col("health_status").str.contains(SICK).fill_null(False)
    yield Check(field="cause_main", when=hh.anchor & (pl.col("cause_main") == "因病") & ~hh.any(sick)
                & ~hh.any(unreadable("health_status")))
