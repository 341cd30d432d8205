"""ID: citizen ID numbers (GB 11643-1999), domain.md §3.1 and §6.1.

Rules about the number itself (ID001–ID007) look at every ID column (the person's own and
户主证件号码); rules about the person (ID008–ID011) look at `id_no` only. Each number gets the
one finding that says what is wrong with it: a placeholder is not also a format error, a number
damaged by Excel is not also a checksum error.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import lru_cache
from pathlib import Path

import polars as pl

from hv import idnumber
from hv.rules.base import Check, Context, listed_twice, rule, shared

DATA = Path(__file__).resolve().parents[1] / "data"
OWN_ID = "id_no"

# What clerks type when a person has no ID number at hand.
PLACEHOLDER_WORDS = ("无", "暂无", "没有", "未办", "未办理", "待办", "无证", "无身份证", "不详", "未知", "未登记", "空")
_RUNS = ("01234567890123456789", "98765432109876543210")
_RUN_PIECES = sorted({run[i:j] for run in _RUNS for i in range(len(run)) for j in range(i + 6, len(run) + 1)})
# Empty or punctuation only, a word, one digit repeated, or six or more digits counting up or down.
_PLACEHOLDER = "^(?:" + "|".join([r"[\W_]*", *PLACEHOLDER_WORDS, *(f"{d}+" for d in "0123456789"), *_RUN_PIECES]) + ")$"
_FOREIGNER = "9"  # 外国人永久居留身份证 (2023): same layout and checksum, no GB/T 2260 address code


def words(ctx: Context, zh: str, en: str) -> str:
    """A piece of a message in the run's language."""
    return zh if ctx.lang == "zh" else en


def id_fields(ctx: Context) -> list[str]:
    return ctx.fields_of_type("id")


def _upgraded(key: str) -> pl.Expr:
    """The cell held a 15-digit legacy ID, which cleaning upgraded to 18 characters."""
    return ((_changed_raw(key).str.count_matches(r"\d") == 15) & (pl.col(key).str.len_chars() == 18)).fill_null(False)


def _changed_raw(key: str) -> pl.Expr:
    """The cell's text where cleaning changed it, else null: a test of how a number was typed
    (15 digits, scientific notation) only ever holds there, and string work on nulls is free."""
    raw = pl.col(f"{key}_raw")
    return pl.when(raw.ne_missing(pl.col(key))).then(raw)


def _retyped(key: str) -> pl.Expr:
    """Cleaning changed the cell (most cells hold the number as it should be): the scope of the
    checks about how a number was typed."""
    return (pl.col(f"{key}_raw") != pl.col(key)).fill_null(False)


def as_typed(key: str) -> pl.Expr:
    """The normalised number in the length it was typed: a legacy ID in its 15 digits."""
    number = pl.col(key)
    return pl.when(_upgraded(key)).then(number.str.slice(0, 6) + number.str.slice(8, 9)).otherwise(number)


@shared
def placeholder(key: str) -> pl.Expr:
    """Empty, a word like 无/未办, only punctuation, one digit repeated, or a run like 123456."""
    return as_typed(key).fill_null("").str.contains(_PLACEHOLDER)


def _scientific(key: str) -> pl.Expr:
    return _changed_raw(key).str.to_uppercase().str.strip_chars().str.contains(r"^\d(\.\d+)?E\+?\d+$").fill_null(False)


def excel_damage(key: str) -> pl.Expr:
    """Scientific notation in the cell, or the digits Excel leaves of a number (ID006)."""
    return _scientific(key) | idnumber.excel_damaged(pl.col(key))


def _excel_tail(key: str) -> pl.Expr:
    """For an 18-digit ID whose checksum fails, the same test as `excel_damage` at a fifth of
    the cost: what Excel leaves ends in 000 or is exactly a double (…1008)."""
    number = pl.col(key)
    exact_double = number.cast(pl.Float64, strict=False).cast(pl.Int64, strict=False).cast(pl.String) == number
    return _scientific(key) | number.str.ends_with("000") | exact_double.fill_null(False)


@shared
def well_formed(key: str) -> pl.Expr:
    """An 18-character ID (15-digit ones are already upgraded) that is not a placeholder."""
    return pl.col(key).str.contains(idnumber.ID18) & ~placeholder(key)


@shared
def valid_id(key: str = OWN_ID) -> pl.Expr:
    """Well formed and its checksum holds: its birth date and sex digit can be trusted."""
    return well_formed(key) & idnumber.checksum_ok(pl.col(key))


@shared
def matchable(key: str = OWN_ID) -> pl.Expr:
    """Good enough to say two rows are the same person: well formed and not cut by Excel."""
    return well_formed(key) & (idnumber.checksum_ok(pl.col(key)) | ~_excel_tail(key))


@lru_cache(maxsize=1)
def _address_codes() -> tuple[list[str], dict[str, str]]:
    """Every GB/T 2260 code ever assigned (plus the 港澳台 permit codes), and prefix -> province."""
    codes = pl.read_csv(DATA / "area_codes.csv", infer_schema=False)["code"].to_list()
    provinces = pl.read_csv(DATA / "provinces.csv", infer_schema=False)
    permits = provinces.filter(pl.col("kind") == "residence_permit")["prefix"]
    return [*codes, *(f"{p}0000" for p in permits)], dict(zip(provinces["prefix"], provinces["name"], strict=True))


@rule("ID001", "id-checksum", "error", "id", needs=(("id_no", "head_id_no"),),
      zh="「{label}」{value} 的校验位不对（按前 17 位应为 {expected}），号码中有数字录错",
      en="'{label}' {value} fails its check digit (the first 17 digits give {expected}); a digit is mistyped")
def id_checksum(ctx: Context):
    """身份证号的最后一位（校验位）与前 17 位算出的不一致。

    Why: 第 18 位是按前 17 位计算出的校验码。对不上说明号码中至少有一位录错（常见是相邻两位颠倒或
    看错一位），这个人就无法与参保、签约等名单比对。
    Bad: 110105194912310021（按前 17 位，校验位应为 X）
    Good: 11010519491231002X
    Fix: 对照身份证原件或户籍系统逐位核对整个号码。不要只改最后一位：录错的多半是前面的某一位。
    """
    for key in id_fields(ctx):
        number = pl.col(key)
        yield Check(field=key,
                    when=well_formed(key) & ~idnumber.checksum_ok(number) & ~_excel_tail(key),
                    args={"expected": idnumber.check_char(number.str.slice(0, 17))})


@rule("ID002", "id-format", "error", "id", needs=(("id_no", "head_id_no"),),
      zh="「{label}」{value} 不是身份证号的格式（18 位，最后一位可为 X；或 15 位旧号）",
      en="'{label}' {value} is not an ID number (18 characters, the last may be X; or a 15-digit old number)")
def id_format(ctx: Context):
    """身份证号的位数或字符不对：既不是 18 位，也不是 15 位旧号。

    Why: 少一位、多一位或混入字母汉字的号码无法校验，也无法与其他名单比对。
    Bad: 41152119600101123（17 位）、4115211960010112321（19 位）、41152119600101123A
    Good: 411521196001011232；15 位旧号 110105491231002 也可接受。
    Fix: 对照身份证原件或户籍系统重新录入完整号码。残疾人证号（20 位）的前 18 位就是身份证号，会自动截取。
    """
    for key in id_fields(ctx):
        yield Check(field=key, when=~pl.col(key).str.contains(idnumber.ID18) & ~placeholder(key))


@rule("ID003", "id-legacy-15", "warning", "id", needs=(("id_no", "head_id_no"),),
      zh="「{label}」{value} 是 15 位旧身份证号，对应的 18 位号码是 {suggestion}",
      en="'{label}' {value} is a 15-digit old ID number; its 18-digit form is {suggestion}")
def id_legacy_15(ctx: Context):
    """身份证号是 1999 年以前的 15 位旧号。

    Why: 参保、签约、结算系统都用 18 位号码。15 位旧号要先升位才能比对；hv 已按标准升位并用它比对，
    但名单本身仍应改成 18 位。
    Bad: 110105491231002
    Good: 11010519491231002X
    Fix: 按户籍系统中的 18 位号码更正（通常就是建议值；1900 年以前出生的百岁老人以户籍为准）。
    """
    for key in id_fields(ctx):
        yield Check(field=key, when=_upgraded(key) & ~placeholder(key), suggestion=pl.col(key), scope=_retyped(key))


@rule("ID004", "id-birth-date", "error", "id", needs=(("id_no", "head_id_no"),),
      zh="「{label}」{value} 中的出生日期 {birth} {problem}",
      en="'{label}' {value}: the birth date {birth} {problem}")
def id_birth_date(ctx: Context):
    """身份证号中的出生日期不成立：不是真实日期、早于 1900 年或晚于核查基准日。

    Why: 出生日期错说明号码录错（常见是月、日颠倒或多打一位），年龄、性别等核对也都随之出错。
    Bad: 41152119601301123X（13 月）、411521196002301231（2 月 30 日）、出生日期晚于核查基准日
    Good: 411521196001011232（1960 年 1 月 1 日）
    Fix: 对照身份证原件或户籍系统更正号码。
    """
    ref: date = ctx.policy.ref_date
    for key in id_fields(ctx):
        born = idnumber.birth_date(pl.col(key))
        problem = (pl.when(born.is_null()).then(pl.lit(words(ctx, "不是有效日期", "is not a calendar date")))
                   .when(born < date(1900, 1, 1)).then(pl.lit(words(ctx, "早于 1900 年", "is before 1900")))
                   .when(born > ref).then(pl.lit(words(ctx, f"晚于核查基准日 {ref}", f"is after the reference date {ref}"))))
        yield Check(field=key, when=well_formed(key) & problem.is_not_null(),
                    args={"birth": pl.col(key).str.slice(6, 8), "problem": problem})


@rule("ID005", "id-address-code", "error", "id", needs=(("id_no", "head_id_no"),),
      zh="「{label}」{value} 的地址码 {address}{problem}",
      en="'{label}' {value}: address code {address} {problem}")
def id_address_code(ctx: Context):
    """身份证号前 6 位（地址码）不是任何年份用过的行政区划代码。

    Why: 前 6 位是发证时户口所在县的行政区划代码。hv 收录了 1980 年以来所有用过的代码（含已撤销的），
    只要代码曾经存在过就算对：老人的号码常用早已撤销或后来才设的县代码，这是正常的，hv 从不拿它
    与出生年份或现住县比较。前两位不是省份代码的，号码必定录错（错误）；省份对而县查不到的，
    多半录错了一位，也可能是 hv 数据之后新设的县或本地代码（警告）。
    Bad: 241521196001011230（24 不是省份代码，错误）；419999196001011231（河南省下没有 9999，警告）
    Good: 411521196001011232（罗山县 1998 年才设此代码，1960 年出生的人用它也正确）；
    413021196001011237（已撤销的信阳地区代码，也正确）
    Fix: 对照身份证原件或户籍系统核对前 6 位；确属新设的县，可忽略警告。
    """
    codes, provinces = _address_codes()
    for key in id_fields(ctx):
        address, prefix = pl.col(key).str.slice(0, 6), pl.col(key).str.slice(0, 2)
        unknown = well_formed(key) & ~pl.col(key).str.starts_with(_FOREIGNER) & ~address.is_in(codes)
        known_province = prefix.is_in(list(provinces))
        yield Check(field=key, when=unknown & ~known_province, args={"address": address, "problem": pl.format(
            words(ctx, "：前两位 {} 不是任何省份的代码", "has no province: {} is no province's code"), prefix)})
        yield Check(field=key, when=unknown & known_province, severity="warning", args={
            "address": address, "problem": pl.format(
                words(ctx, " 不在历年行政区划代码中（{}存在）", "is in no year's division codes (province {} exists)"),
                prefix.replace_strict(provinces, default=prefix))})


@rule("ID007", "id-normalised", "info", "id", needs=(("id_no", "head_id_no"),),
      zh="「{label}」已规范化：{value} → {suggestion}",
      en="'{label}' normalised: {value} -> {suggestion}")
def id_normalised(ctx: Context):
    """身份证号的写法已自动规范（小写 x、全角数字、空格、引号等）。

    Why: 这些写法肉眼看不出差别，却让号码在其他系统里对不上。hv 已改成大写 X、半角数字，去掉了空格、引号、
    ="…"、.0 尾巴和残疾人证号（20 位）的后两位，按规范后的号码核对，原值保留在报告中。
    Bad: 11010519491231002x、４１１５２１…、' 411521196001011232、="411521196001011232"
    Good: 11010519491231002X、411521196001011232
    Fix: 无需逐条处理；下次录入时把单元格设为“文本”，用半角数字和大写 X。
    """
    for key in id_fields(ctx):
        changed = pl.col(f"{key}_raw") != as_typed(key)
        yield Check(field=key, when=changed & ~placeholder(key) & ~_scientific(key), suggestion=pl.col(key),
                    scope=_retyped(key))


@rule("ID008", "id-missing", "error", "id", needs=("id_no",),
      zh="身份证号{problem}，无法核对此人",
      en="the ID number {problem}; this person cannot be checked")
def id_missing(ctx: Context):
    """身份证号为空，或是“无”“未办”“/”“123456”之类的占位值。

    Why: 没有身份证号，这个人无法与参保、签约、救治、结算等名单比对，各项覆盖率也无从核实。
    Bad: 无、暂无、未办、/、-、111111111111111111、123456789012345678
    Good: 411521196001011232
    Fix: 从户籍系统查出号码补录；新生儿尚未办证的，按户口簿上的公民身份号码填写。
    """
    if ctx.has(OWN_ID):
        raw = pl.col(f"{OWN_ID}_raw")
        problem = pl.when(pl.col(OWN_ID).is_null()).then(pl.lit(words(ctx, "为空", "is empty"))).otherwise(
            pl.format(words(ctx, "是占位值「{}」", "is a placeholder '{}'"), raw))
        yield Check(field=OWN_ID, when=placeholder(OWN_ID), args={"problem": problem})


def _pointing_at(other: Callable[[str], pl.Expr], ctx: Context, **args: pl.Expr) -> dict:
    """A check's related row and its message arguments, for a finding that repeats another row;
    `other(column)` is that row's value of a column."""
    first_name = other("name_raw") if ctx.has("name") else pl.lit("")
    return {"related_row": other("row"), "related_file": other("file"), "related_sheet": other("sheet"),
            "args": {"first_row": other("row"), "first_name": first_name, **args}}


def _duplicate_groups(ctx: Context) -> list[str]:
    """A person is listed once a year (P, I) or once in the whole list."""
    return [OWN_ID, "year"] if ctx.has("year") else [OWN_ID]


@rule("ID009", "id-duplicate", "error", "id", kinds=("poverty", "insurance", "contract"), needs=("id_no",),
      zh="「{label}」{value} 重复：与第 {first_row} 行（{first_name}）是同一个号码",
      en="'{label}' {value} is listed twice: the same number as row {first_row} ({first_name})")
def id_duplicate(ctx: Context):
    """同一个身份证号在名单中出现了不止一次。

    Why: 重复录入会让人数、参保率、签约率虚高，资助资金也可能重复发放。花名册、参保名单按年度比较；
    签约名单中同一人逐年续约是正常的，只有签约期重叠（前一份协议未到期、未解约又签一份）才算重复。
    每个重复行都报告，并指出第一次出现的行（“对照行号”）；第一次出现的那行本身不报。
    Bad: 第 2 行和第 9 行都是 411521196001011232
    Good: 每人每年一行
    Fix: 核实后删除多余的行；如果是两个人用了同一个号码，按户籍更正其中一人的号码。
    """
    if ctx.kind == "contract" and ctx.has("sign_date"):
        yield _overlapping_contracts(ctx)
        return
    group = _duplicate_groups(ctx)
    yield Check(field=OWN_ID, when=matchable() & ~pl.struct(group).is_first_distinct(), group=group,
                scope=listed_twice(OWN_ID), **_pointing_at(lambda column: pl.col(column).first().over(group), ctx))


def _overlapping_contracts(ctx: Context) -> Check:
    """A contract that starts before the person's previous one (by start date) has ended.

    A contract ends at its 解约日期, else its 到期日期; one without either runs on. Cancelled
    contracts are compared only with each other, so they never make an active one a duplicate.
    """
    ended = [pl.col(k) for k in ("stop_date", "sign_end") if ctx.has(k)]
    end = pl.coalesce(ended) if ended else pl.lit(None, dtype=pl.Date)
    cancelled = (pl.col("sign_status") == "解约").fill_null(False) if ctx.has("sign_status") else pl.lit(False)
    group = [OWN_ID, cancelled.alias("_cancelled")]

    def previous(e: pl.Expr) -> pl.Expr:
        return e.shift(1).over(group, order_by=[pl.col("sign_date"), pl.col("row")])

    has_previous = previous(pl.col("row")).is_not_null()
    overlaps = has_previous & (previous(end).is_null() | (pl.col("sign_date") <= previous(end)))
    return Check(field=OWN_ID, when=matchable() & ~cancelled & pl.col("sign_date").is_not_null() & overlaps,
                 scope=listed_twice(OWN_ID), **_pointing_at(lambda column: previous(pl.col(column)), ctx))


@rule("ID010", "id-different-names", "warning", "id", kinds=("poverty", "insurance", "contract", "treatment"),
      needs=("id_no", "name"),
      zh="「{label}」{value} 在第 {first_row} 行是「{first_name}」，这里却是「{name}」",
      en="'{label}' {value} belongs to '{first_name}' on row {first_row} but to '{name}' here")
def id_different_names(ctx: Context):
    """同一个身份证号在名单中对应了不同的姓名。

    Why: 最常见的原因是把户主或父母的身份证号抄给了家庭成员（尤其是儿童），于是真正的号码缺失、
    两个人被当成一个人比对。姓名只差空格、间隔号或繁简体的不算不同。
    Bad: 第 2 行 张三 411521196001011232；第 5 行 张小明 411521196001011232
    Good: 每人用自己的号码。
    Fix: 对照户口簿查出各自的号码，更正抄错的那一行。
    """
    group = [OWN_ID]
    named = pl.col("name_key").is_not_null()

    def first_named(column: str) -> pl.Expr:
        return pl.col(column).filter(named).first().over(group)

    yield Check(field=OWN_ID, when=matchable() & named & (pl.col("name_key") != first_named("name_key")),
                group=group, scope=listed_twice(OWN_ID), **_pointing_at(first_named, ctx, name=pl.col("name_raw")))


@rule("ID011", "id-not-resident-card", "info", "id", needs=("id_no",),
      zh="「{label}」{value} 是{document}，不是居民身份证号",
      en="'{label}' {value} is a {document}, not a resident ID number")
def id_not_resident_card(ctx: Context):
    """号码是港澳台居民居住证（81/82/83 开头）或外国人永久居留身份证（9 开头）。

    Why: 这些号码格式和校验位与身份证相同，是合法号码；但持证人通常不属于农村建档立卡贫困人口，
    请确认此人是否应在名单中。
    Bad: （无需改正号码）810000199001011230
    Good: 411521196001011232
    Fix: 核实此人身份；确属政策对象的，保留即可。
    """
    number = pl.col(OWN_ID)
    document = (pl.when(number.str.starts_with(_FOREIGNER))
                .then(pl.lit(words(ctx, "外国人永久居留身份证", "foreigner's permanent residence ID")))
                .otherwise(pl.lit(words(ctx, "港澳台居民居住证", "Hong Kong/Macao/Taiwan residence permit"))))
    yield Check(field=OWN_ID, when=well_formed(OWN_ID) & number.str.contains(r"^(8[123]|9)"),
                args={"document": document})


@rule("ID006", "id-excel-damaged", "error", "id", at_import=True, needs=(("id_no", "head_id_no"),),
      zh="身份证号 {value} 在 Excel 中被存成了数字，后 3 位已经丢失，无法从本文件恢复",
      en="ID number {value} was stored as a number in Excel; its last 3 digits are lost")
def id_excel_damaged(ctx: Context):
    """身份证号被 Excel 存成了数字，最后几位已丢失。

    Why: Excel 的数字只保留 15 位有效数字。18 位身份证号按数字录入后，后 3 位变成 000（或类似
    …008 的尾数），显示为 4.11521E+17。丢失的数字无法从文件本身恢复，这个人也就无法与其他名单比对。
    Bad: 411521196001011000、4.11521196001011E+17
    Good: 411521196001011232（单元格为“文本”格式）
    Fix: 把该列设为“文本”格式，按身份证原件或户籍系统重新录入完整号码；不要在 Excel 里直接补数字。
    """
    for key in id_fields(ctx):
        yield Check(field=key, when=excel_damage(key))
