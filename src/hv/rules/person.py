"""PF: a person's own fields — sex, birth date, age, name, coded values, phone, and the poverty
roster's attributes that must agree with each other (domain.md §6.2).

Sex, birth date and age are compared with the ID number only when the number is valid (ID001–
ID008 report the others): a mistyped ID would otherwise also show up as a wrong sex or age.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache

import polars as pl

from hv import clean, idnumber
from hv.rules.base import Check, Context, rule, shared
from hv.rules.ids import OWN_ID, valid_id, words
from hv.schema import Field, normalize_value

# Han characters that GBK cannot encode: CJK Extension A, the URO's tail added after GBK, and the
# supplementary planes (Extensions B–J). Compatibility ideographs are folded by NFKC on reading.
# Derived once from Python's gbk codec over every CJK code point.
_OUTSIDE_GBK = r"[\x{3400}-\x{4DBF}\x{9FA6}-\x{9FFF}\x{20000}-\x{3FFFF}]"

# Legacy names and typos the vocabularies accept (domain.md §3.4, §2.2): PF008 asks the clerk to
# write the current term. Other synonyms (codes, 之子 for 子, 汉 for 汉族) are legitimate forms.
LEGACY_SPELLINGS = frozenset(normalize_value(s) for s in (
    "毛难族", "毛难", "崩龙族", "崩龙", "僳僳族", "五保户", "五保贫困户", "五保", "缺劳动力", "之配偶"))

MOBILE = r"(?:\+?86)?1[3-9]\d{9}"
LANDLINE = r"0\d{2,3}-?\d{7,8}(?:-\d{1,6})?"
_PHONES = rf"^(?:{MOBILE}|{LANDLINE})(?:[,，/、;；]+(?:{MOBILE}|{LANDLINE}))*$"
# One number given for this many households is a cadre's or a doctor's, not the family's.
SHARED_PHONE_HOUSEHOLDS = 5

WORKING_LABOUR = ["普通劳动力", "技能劳动力"]
WORKING_AGES = (16, 70)
# (grade pattern, youngest, oldest plausible age); the first matching pattern applies.
SCHOOL_AGES = (
    ("学龄前|学前", 0, 7),
    ("小学", 5, 16),
    ("七年级|八年级|九年级|初中", 10, 19),
    ("普通高中|中职|高中", 13, 22),
    ("高职|高专|技师|本科|大学", 15, 30),
    ("硕士|博士|研究生", 20, 45),
)
NOT_A_STUDENT = ["非在校生", "不在校", "否"]
YES, NO = "是", "否"
NAME_CHARACTERS = r"^[\p{Han}·]+$"  # Chinese characters and the middle dot of minority names


def _present(key: str) -> pl.Expr:
    """The cell holds something (not empty, not a 无/-/… placeholder), valid or not."""
    raw = pl.col(f"{key}_raw").str.strip_chars()
    return ((raw != "") & ~raw.is_in(clean.BLANKS)).fill_null(False)


@shared
def id_age(ref: date) -> pl.Expr:
    """Whole years of age at `ref` from the birth date in a valid ID (null otherwise)."""
    return age_on(pl.lit(ref))


def age_on(day: pl.Expr) -> pl.Expr:
    """Whole years of age on `day` (a date per row) from the birth date in a valid ID."""
    born = idnumber.birth_date(pl.col(OWN_ID))
    def month_day(d: pl.Expr) -> pl.Expr:  # as one Int32: dt.month() is an Int8, which 12 * 100 overflows
        return d.dt.month().cast(pl.Int32) * 100 + d.dt.day().cast(pl.Int32)

    before_birthday = month_day(born) > month_day(day)
    return pl.when(valid_id()).then(
        day.dt.year().cast(pl.Int32) - born.dt.year().cast(pl.Int32) - before_birthday.cast(pl.Int32))


# When a list's own row happened: an age on a death list is the age at death, on a settlement the age
# at admission; other lists state their ages as of their export (数据日期, or a 填报日期 line).
EVENT_DATES = {"death": ("death_date", "exit_date", "cancel_date", "cremation_date"),
               "settlement": ("admit_date", "settle_date", "discharge_date")}


def as_of(ctx: Context) -> pl.Expr | None:
    """The date a row's facts are stated as of: its event, else the list's 数据日期 or the sheet's stated
    date; None when the list says nothing (the reference date then stands)."""
    dates = [pl.col(k) for k in (*EVENT_DATES.get(ctx.kind, ()), "data_date", "as_of") if ctx.has(k)]
    return pl.coalesce(dates) if dates else None


@shared
def _id_is_male() -> pl.Expr:
    return pl.when(valid_id()).then(idnumber.is_male(pl.col(OWN_ID)))


@rule("PF001", "sex-contradicts-id", "error", "person", needs=("id_no", "sex"),
      zh="性别「{value}」与身份证号第 17 位不符，应为 {suggestion}",
      en="sex '{value}' contradicts the ID number's 17th digit; it should be {suggestion}")
def sex_contradicts_id(ctx: Context):
    """性别与身份证号不一致。

    Why: 身份证号第 17 位奇数为男、偶数为女。不一致说明性别或号码有一个录错；家庭关系核对
    （户主与配偶同性、“之子”为女性）也会因此出错。
    Bad: 性别 女，身份证号 411521196001011232（第 17 位 3，男）
    Good: 性别 男，身份证号 411521196001011232
    Fix: 对照身份证原件，更正性别；若性别无误，则是号码录错，请核对号码。
    """
    male = _id_is_male()
    stated = pl.col("sex")
    wrong = stated.is_in(["男", "女"]) & ((stated == "男") != male)
    yield Check(field="sex", when=wrong, suggestion=pl.when(male).then(pl.lit("男")).otherwise(pl.lit("女")))


_MONTH_ONLY = r"^\s*\d{4}\s*[年./\-]\s*\d{1,2}\s*月?\s*$"


@rule("PF002", "birth-date-contradicts-id", "error", "person", needs=("id_no", "birth_date"),
      zh="出生日期 {value} 与身份证号中的 {suggestion} 不符",
      en="birth date {value} contradicts {suggestion} in the ID number")
def birth_date_contradicts_id(ctx: Context):
    """出生日期一列与身份证号第 7–14 位不一致。

    Why: 两者必有一处录错；年龄、在校年级、劳动力等核对都依赖出生日期。只写到月份的（1960年1月）
    只比较年月。
    Bad: 出生日期 1960-10-01，身份证号 411521196001011232
    Good: 出生日期 1960-01-01 或 1960年1月
    Fix: 对照身份证原件更正出生日期；若出生日期无误，则是号码录错。
    """
    in_id = idnumber.birth_date(pl.col(OWN_ID))
    month_only = pl.col("birth_date_raw").str.contains(_MONTH_ONLY)

    def written_as_stated(d: pl.Expr) -> pl.Expr:
        return pl.when(month_only).then(d.dt.to_string("%Y-%m")).otherwise(d.dt.to_string("%Y-%m-%d"))

    stated, expected = written_as_stated(pl.col("birth_date")), written_as_stated(in_id)
    yield Check(field="birth_date", when=valid_id() & (stated != expected), suggestion=expected)


@rule("PF003", "age-contradicts-id", "warning", "person", needs=("id_no", "age"),
      zh="年龄 {value} 与按身份证号算出的 {suggestion} 岁（{ref}时）相差超过 {tolerance} 岁",
      en="age {value} differs from {suggestion}, the age by the ID number at {ref}, by more than {tolerance}")
def age_contradicts_id(ctx: Context):
    """年龄一列与按身份证号算出的年龄相差太大。

    Why: 年龄通常是某年录入后不再更新的，差一岁很常见（允许的差距见配置 age_tolerance）；
    差得更多说明年龄或号码录错，按年龄判断的政策（如 65 岁以上老人、儿童）就会出错。
    Bad: 年龄 35，身份证号 411521196001011232（2020 年底为 60 岁）
    Good: 年龄 60
    Fix: 按身份证号重新计算年龄，或在表中用公式由出生日期计算。
    """
    policy = ctx.policy
    by_reference = id_age(policy.ref_date)
    stated = as_of(ctx)
    # Without a date of its own, a list whose ages were all written some years back (a 2019 export
    # checked today) is read at that time: the usual difference is taken as the list's own.
    usual = _usual_age_gap(by_reference) if ctx.has("source") else pl.lit(None, pl.Int32)
    computed = by_reference - pl.when(usual.abs() >= 2).then(usual).otherwise(0)
    if stated is not None:
        computed = pl.coalesce(age_on(stated), computed)
    inferred = pl.when(usual.abs() >= 2).then(pl.format(words(ctx, "约 {} 年（按本表多数人的年龄推算）",
                                                              "about {} (by most ages in this list)"),
                                                        pl.lit(policy.ref_date.year) - usual))
    shown = pl.coalesce(*([stated.cast(pl.String)] if stated is not None else []), inferred,
                        pl.lit(str(policy.ref_date)))
    yield Check(field="age", when=(pl.col("age") - computed).abs() > policy.age_tolerance, suggestion=computed,
                args={"ref": shown, "tolerance": pl.lit(str(policy.age_tolerance))})


# A sheet's ages are taken as written at another time when this many rows agree on the gap.
AGE_GAP_ROWS, AGE_GAP_SHARE = 10, 0.6


def _usual_age_gap(by_reference: pl.Expr) -> pl.Expr:
    """The years by which most of a sheet's ages lag the reference date, when most rows agree (null
    otherwise): the sheet's ages were written then."""
    gap = by_reference - pl.col("age")
    usual = gap.median().over("source").round(0).cast(pl.Int32)
    agree = ((gap - usual).abs() <= 1).fill_null(False)
    counted = gap.is_not_null().sum().over("source")
    return pl.when((counted >= AGE_GAP_ROWS) & (agree.sum().over("source") >= AGE_GAP_SHARE * counted)).then(usual)


@rule("PF004", "name-invalid", "error", "person", needs=("name",),
      zh="「{label}」不是有效的姓名：{problem}",
      en="'{label}' is not a valid name: {problem}")
def name_invalid(ctx: Context):
    """姓名为空，或含有数字、字母、问号、乱码或间隔号以外的标点。

    Why: 这样的姓名多半是录入出错、生僻字无法输入时用拼音或问号代替，或从别的系统导出时乱码。
    这些人无法按姓名与其他名单比对，也无法打印到证件和结算单上。
    Bad: 张3、Zhang San、王?、李�、张三（备注）
    Good: 张三、阿依古丽·买买提（少数民族姓名中的间隔号可以保留）
    Fix: 对照身份证或户口簿更正；生僻字用 GB18030 输入法录入，不要用拼音或问号代替。
    """
    for key in ctx.fields_of_type("name"):
        name = pl.col(key)
        bad_chars = ~name.str.contains(NAME_CHARACTERS)
        problem = pl.when(name.is_null()).then(pl.lit(words(ctx, "为空", "is empty"))).otherwise(pl.format(
            words(ctx, "「{}」含有数字、字母、问号或标点", "'{}' contains digits, letters, question marks or punctuation"),
            pl.col(f"{key}_raw")))
        # Only the person's own name must be there; 户主姓名 or 签约医生 may be left to other rows.
        yield Check(field=key, when=bad_chars | (name.is_null() if key == "name" else pl.lit(False)),
                    args={"problem": problem})


@lru_cache(maxsize=1)
def _traditional_characters() -> list[str]:
    """Keys of the traditional→simplified table that are not also simplified characters (乾, 於…):
    those are in GB2312, the simplified character set."""

    def simplified(ch: str) -> bool:
        try:
            ch.encode("gb2312")
        except UnicodeEncodeError:
            return False
        return True

    return [ch for ch in clean.traditional_to_simplified() if not simplified(ch)]


@rule("PF005", "name-written-form", "info", "person", needs=("name",),
      zh="「{label}」写作「{value}」，{problem}",
      en="'{label}' written '{value}': {problem}")
def name_written_form(ctx: Context):
    """姓名的写法需要规范：空格、间隔号、全角字符（提示），繁体字或 GBK 以外的生僻字（警告）。

    Why: “张 三”和“张三”、“阿依古丽•买买提”和“阿依古丽·买买提”在其他系统里是不同的姓名，会导致比对失败；
    hv 按规范后的姓名核对，原值保留在报告中。繁体字（張三）在身份证、户籍和医保系统里对不上，hv 比对时
    已按简体处理，但名单应当改正。GBK 以外的生僻字（䶮、𠇔）在很多乡镇、医院的旧系统里无法显示或录入，
    常被换成别的字，需要人工确认。
    Bad: 张 三、阿依古丽•买买提（提示）；張三、陳小華（警告）
    Good: 张三、阿依古丽·买买提、陈小华
    Fix: 规范写法无需逐条处理，下次录入不加空格、间隔号统一用“·”；繁体字按身份证改为简体（建议值）；
    生僻字以身份证为准，并确认各系统中录入的是同一个字。
    """
    traditional = _traditional_characters()
    simplify = clean.traditional_to_simplified()
    for key in ctx.fields_of_type("name"):
        name = pl.col(key)
        yield Check(field=key, when=(pl.col(f"{key}_raw") != name) & name.str.contains(NAME_CHARACTERS),
                    suggestion=name, args={"problem": pl.format(words(ctx, "已自动规范为「{}」", "normalised to '{}'"),
                                                                 name)})
        simplified = name.str.replace_many(simplify)
        yield Check(field=key, when=name.str.contains_any(traditional), severity="warning", suggestion=simplified,
                    args={"problem": pl.format(words(ctx, "含繁体字「{}」，应为「{}」", "traditional '{}'; write '{}'"),
                                               name.str.extract_many(traditional).list.join(""), simplified)})
        yield Check(field=key, when=name.str.contains(_OUTSIDE_GBK), severity="warning", args={"problem": pl.format(
            words(ctx, "含 GBK 以外的生僻字「{}」，其他系统可能无法显示或比对",
                  "'{}' is outside GBK; other systems may not show or match it"),
            name.str.extract_all(_OUTSIDE_GBK).list.join(""))})


@rule("PF006", "name-length", "warning", "person", needs=("name",),
      zh="「{label}」「{value}」有 {length} 个字，请核对是否漏字或多字",
      en="'{label}' '{value}' has {length} characters; check for a missing or extra character")
def name_length(ctx: Context):
    """姓名只有 1 个字，或超过 4 个字且没有间隔号。

    Why: 汉族姓名一般 2–4 个字；1 个字多半漏录了名，5 个字以上多半是把两个人的姓名或备注写在了一格。
    少数民族姓名可能较长，是否正确请人工判断，所以只是警告；带“·”的姓名不检查长度。
    Bad: 张、张三李四、阿依古丽买买提（漏了间隔号）
    Good: 张三、欧阳小明、阿依古丽·买买提
    Fix: 对照身份证或户口簿核对；少数民族长姓名无误的，可忽略本条。
    """
    for key in ctx.fields_of_type("name"):
        name = pl.col(key)
        length = name.str.len_chars()
        plain = name.str.contains(r"^\p{Han}+$")
        yield Check(field=key, when=plain & ((length < 2) | (length > 4)), args={"length": length})


def _allowed(f: Field, shown: int = 10) -> str:
    values = list(dict.fromkeys(f.vocab.values()))
    return "、".join(values[:shown]) + ("…" if len(values) > shown else "")


@rule("PF007", "code-not-in-vocabulary", "error", "person", kinds=("poverty", "insurance", "contract", "treatment"),
      zh="「{label}」的值「{value}」不在代码表中（可用：{allowed}）",
      en="'{label}' value '{value}' is not in its code list (allowed: {allowed})")
def code_not_in_vocabulary(ctx: Context):
    """代码类字段的值不在标准代码表中。

    Why: 民族、与户主关系、贫困户属性、健康状况、参保状态、签约状态等字段要按代码表统计和核对
    （如“因病致贫”人数、户主是否唯一）。表外的值 hv 无法识别，相关核对都会漏掉这个人。常见的旧称和写法（毛难族、五保户、之配偶、1/2 代码）已自动识别，不会报告。
    Bad: 与户主关系 “儿”、民族 “汉人”、劳动技能 “能干活”
    Good: 与户主关系 “之子”、民族 “汉族”、劳动技能 “普通劳动力”
    Fix: 按代码表改成标准值；确属本地常用写法的，可在 --schema-dir 的模式文件中把它加入该字段的 vocab。
    """
    for key in ctx.fields_of_type("code", "multicode"):
        yield Check(field=key, when=clean.unparsed(pl.col(f"{key}_raw"), pl.col(key)),
                    args={"allowed": pl.lit(_allowed(ctx.schema.fields[key]))})


@rule("PF008", "legacy-code-spelling", "info", "person",
      zh="「{label}」「{value}」是旧称或误写，已按「{suggestion}」识别",
      en="'{label}' '{value}' is a legacy name or typo; read as '{suggestion}'")
def legacy_code_spelling(ctx: Context):
    """代码类字段用了旧称或常见误写，hv 已自动换成标准值识别。

    Why: 旧称（毛难族、崩龙族、五保户）和误写（僳僳族、缺劳动力、之配偶）能被 hv 识别，但上报系统
    只认标准值。代码（1、2）和规范的简写（汉、之子）不在此列，不会报告。
    Bad: 民族 毛难族；贫困户属性 五保户；与户主关系 之配偶
    Good: 民族 毛南族；贫困户属性 特困供养贫困户；与户主关系 配偶
    Fix: 按建议值批量替换。
    """
    for key in ctx.fields_of_type("code"):
        raw, value = pl.col(f"{key}_raw"), pl.col(key)
        legacy = clean.vocab_key(raw).is_in(list(LEGACY_SPELLINGS))
        # a cell that already holds the standard value is no legacy spelling: most cells are skipped
        yield Check(field=key, when=legacy & value.is_not_null(), suggestion=value,
                    scope=(value.is_not_null() & (raw != value)).fill_null(False))


@rule("PF009", "phone-suspect", "warning", "person", kinds=("poverty", "contract"), needs=(("phone", "hh_phone"),),
      zh="「{label}」{value} 可能联系不到本人：{problem}",
      en="'{label}' {value} may not reach the person: {problem}")
def phone_suspect(ctx: Context):
    """联系电话不是有效的手机或固话号码，或同一个号码登记在很多户。

    Why: 随访、签约履约和回访核查都要靠电话联系本人。号码位数不对打不通；同一个号码登记在
    5 户以上，通常是村干部或村医的电话，核查时联系不到本人。
    Bad: 1387654321（10 位）、12345678901、同一号码登记在 8 户
    Good: 13876543210、0376-1234567
    Fix: 向本人核实后更正；确无电话的留空，不要填别人的号码。
    """
    if not ctx.has("phone"):
        return
    phone = pl.col("phone")
    valid = phone.str.contains(_PHONES)
    yield Check(field="phone", when=_present("phone") & ~valid,
                args={"problem": pl.lit(words(ctx, "不是 11 位手机号或带区号的固定电话",
                                              "not an 11-digit mobile nor a landline with area code"))})
    if ctx.has("household_no"):
        households = pl.col("household_no").drop_nulls().n_unique().over("phone")
        problem = pl.format(words(ctx, "同一号码登记在 {} 户", "the same number is given for {} households"),
                            households)
        yield Check(field="phone", when=valid & (households >= SHARED_PHONE_HOUSEHOLDS), args={"problem": problem})


@rule("PF010", "education-vs-school", "warning", "person", kinds=("poverty",), needs=("education", "school_status"),
      zh="文化程度与在校生状况{problem}",
      en="education and school status {problem}")
def education_vs_school(ctx: Context):
    """文化程度和在校生状况应当只填一个：在校生填在校生状况，其他人填文化程度。

    Why: 扶贫系统按此区分学生和非学生（教育扶贫、劳动力统计都依赖它）；两个都填或都空，系统校验不通过。
    Bad: 文化程度 小学 且 在校生状况 小学三年级；或两列都空
    Good: 在校学生只填 在校生状况；其他人只填 文化程度（在校生状况为空或“非在校生”）
    Fix: 在校学生清空文化程度；非在校生清空在校生状况并填写文化程度。
    """
    education = _present("education")
    student = _present("school_status") & ~pl.col("school_status").is_in(NOT_A_STUDENT)
    both = pl.format(words(ctx, "都已填写（「{}」「{}」），只应填一个", "are both filled ('{}', '{}'); fill one"),
                     pl.col("education_raw"), pl.col("school_status_raw"))
    problem = (pl.when(education & student).then(both)
               .when(~education & ~student).then(pl.lit(words(ctx, "都为空，应填一个", "are both empty; fill one"))))
    yield Check(field="education", when=problem.is_not_null(), args={"problem": problem})


def _school_age_bounds(school: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """(youngest, oldest) plausible age for the grade named in 在校生状况; null for other text."""
    youngest = oldest = None
    for pattern, low, high in SCHOOL_AGES:
        hit = school.str.contains(pattern)
        youngest = (pl.when(hit) if youngest is None else youngest.when(hit)).then(low)
        oldest = (pl.when(hit) if oldest is None else oldest.when(hit)).then(high)
    return youngest, oldest


@rule("PF011", "attribute-implausible", "warning", "person", kinds=("poverty",),
      needs=(("school_status", "labour", "work_months"),),
      zh="「{label}」{value} 不合常理：{problem}",
      en="'{label}' {value} is implausible: {problem}")
def attribute_implausible(ctx: Context):
    """在校年级、劳动技能、务工情况与年龄或彼此不相符。

    Why: 这些属性决定教育资助、就业帮扶和劳动力统计。按身份证算出的年龄读小学的 30 岁成人、
    10 岁的“普通劳动力”、有务工月数却没有务工地点，都说明录入有误或信息多年未更新。
    Bad: 在校生状况 小学三年级，年龄 35；劳动技能 普通劳动力，年龄 8；务工时间 6 个月，务工所在地为空
    Good: 在校生状况 小学三年级，年龄 9；劳动技能 普通劳动力，年龄 40；务工时间 6 个月，务工所在地 浙江省宁波市
    Fix: 入户核实后更新在校生状况、劳动技能或务工信息；年龄不对的，先核对身份证号。
    """
    stated = as_of(ctx)
    age = id_age(ctx.policy.ref_date) if stated is None else pl.coalesce(age_on(stated), id_age(ctx.policy.ref_date))

    def at_age(zh: str, en: str) -> pl.Expr:
        return pl.format(words(ctx, f"按身份证号算出年龄为 {{}} 岁，{zh}", f"the ID number gives age {{}}; {en}"), age)

    if ctx.has(OWN_ID, "school_status"):
        youngest, oldest = _school_age_bounds(pl.col("school_status"))
        yield Check(field="school_status", when=~age.is_between(youngest, oldest),
                    args={"problem": at_age("与在读年级不符", "unlikely for this grade")})
    if ctx.has(OWN_ID, "labour"):
        young, old = WORKING_AGES
        yield Check(field="labour", when=pl.col("labour").is_in(WORKING_LABOUR) & ~age.is_between(young, old),
                    args={"problem": at_age(f"{young}–{old} 岁以外一般不算劳动力",
                                            f"outside {young}-{old} one rarely counts as labour")})
    if ctx.has("work_months"):
        yield Check(field="work_months", when=~pl.col("work_months").is_between(0, 12),
                    args={"problem": pl.lit(words(ctx, "一年只有 12 个月", "a year has 12 months"))})
    if ctx.has("work_months", "work_place"):
        worked = (pl.col("work_months") > 0).fill_null(False)
        place = _present("work_place")
        yield Check(field="work_place", when=worked & ~place, args={"problem": pl.format(
            words(ctx, "务工时间为 {} 个月，但务工所在地为空", "{} months worked but no work place"), pl.col("work_months"))})
        yield Check(field="work_place", when=place & ~worked,
                    args={"problem": pl.lit(words(ctx, "有务工所在地，但务工时间为空或 0",
                                                  "a work place is given but no months worked"))})


@rule("PF012", "medical-insurance-flags", "warning", "person", kinds=("poverty",),
      needs=("resident_insured", "employee_insured"),
      zh="是否参加城乡居民医保「{value}」、是否参加职工医保「{employee}」：{problem}",
      en="resident insurance '{value}', employee insurance '{employee}': {problem}")
def medical_insurance_flags(ctx: Context):
    """城乡居民医保和职工医保的参保标志矛盾：都是“是”（重复参保）或都是“否”（未参保）。

    Why: 建档立卡贫困人口应当参加基本医保，且只参加一种。两个都“是”会重复缴费、重复资助；
    两个都“否”说明此人未参保，看病无法报销。
    Bad: 城乡居民医保 是，职工医保 是；或两个都 否
    Good: 城乡居民医保 是，职工医保 否
    Fix: 到医保系统查询实际参保情况后更正；确属重复参保的，办理一方停保；未参保的，尽快办理资助参保。
    """
    resident, employee = pl.col("resident_insured"), pl.col("employee_insured")
    problem = (pl.when((resident == YES) & (employee == YES))
               .then(pl.lit(words(ctx, "重复参保", "insured twice")))
               .when((resident == NO) & (employee == NO))
               .then(pl.lit(words(ctx, "未参加基本医保", "not in any basic medical insurance"))))
    yield Check(field="resident_insured", when=problem.is_not_null(),
                args={"employee": pl.col("employee_insured_raw"), "problem": problem})
