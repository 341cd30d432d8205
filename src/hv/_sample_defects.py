"""The defects a synthetic bundle carries (hv.sample): what each one is, and how it is made.

DEFECTS maps each kind to the rule expected to find it. Every injected defect becomes one row of
answers.csv. A row never carries two defects, and a person (for household defects, a whole
household) is the target of at most one, so what each rule finds can be told apart. Where a
defect necessarily trips a second rule on the same row (a typed-wrong ID in the settlement list
also fails its checksum), the answer names the rule the defect is about.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from hv import _sample_names as names
from hv._sample_lists import (CONTRACT, CONTRIBUTION, DEATH, INSURANCE, POVERTY, SETTLEMENT, SUBSIDY, TREATMENT, YEAR,
                              Row, Table, contract_row, day_between, insurance_row, percent, poverty_row,
                              settlement_money, settlement_row, slashed, stays)
from hv._sample_people import (COUNTY_CODE, FEMALE, HEAD, MALE, NEIGHBOUR_CODES, REF_DATE, SPOUSE, County, Household,
                               Person, han_name, id_stem, with_check)


@dataclass(frozen=True)
class Defect:
    rule: str
    category: str
    field: str  # canonical key of the cell that is wrong; empty when no one cell is
    zh: str


D = Defect
DEFECTS: dict[str, Defect] = {
    # import: how the file stored a value
    "id_excel_damaged": D("ID006", "id", "id_no", "身份证号被存成数字（Excel 只保留 15 位，后 3 位丢失）"),
    "code_stored_as_number": D("IMP005", "import", "person_no", "人编号被存成数字，第 15 位以后丢失"),
    "date_unparseable": D("IMP007", "import", "diagnosis_date", "确诊时间无法识别（13 月、2 月 30 日、两位年份）"),
    # id: the number itself (roster)
    "id_checksum": D("ID001", "id", "id_no", "身份证号录错一位，校验位不符"),
    "id_wrong_length": D("ID002", "id", "id_no", "身份证号少了一位（17 位）"),
    "id_legacy_15": D("ID003", "id", "id_no", "仍是 15 位旧身份证号"),
    "id_bad_birth_date": D("ID004", "id", "id_no", "身份证号中的出生日期不存在（13 月、2 月 30 日）"),
    "id_unknown_province": D("ID005", "id", "id_no", "身份证号前两位不是省份代码"),
    "id_unknown_county": D("ID005", "id", "id_no", "身份证号的县级代码查不到（省份存在）"),
    "id_normalisable": D("ID007", "id", "id_no", "身份证号有全角数字、空格或小写 x"),
    "id_placeholder": D("ID008", "id", "id_no", "身份证号为空或占位值（无、暂无、未办、/）"),
    "id_duplicate_row": D("ID009", "id", "id_no", "参保名单中同一人录入两次"),
    "id_copied_to_other": D("ID010", "id", "id_no", "救治台账中把家人的身份证号抄给了另一人"),
    "id_residence_permit": D("ID011", "id", "id_no", "号码是港澳台居民居住证，不是居民身份证"),
    # person: one field of one row
    "sex_contradicts_id": D("PF001", "person", "sex", "性别与身份证号第 17 位不符"),
    "birth_date_contradicts_id": D("PF002", "person", "birth_date", "出生日期与身份证号不符"),
    "age_contradicts_id": D("PF003", "person", "age", "救治台账的年龄与身份证号相差 3 岁以上"),
    "name_invalid_chars": D("PF004", "person", "name", "姓名含数字或问号（生僻字录不进去）"),
    "name_needs_cleaning": D("PF005", "person", "name", "姓名中有空格或异体间隔号"),
    "name_too_short": D("PF006", "person", "name", "姓名只有姓（1 个字）"),
    "code_not_in_vocabulary": D("PF007", "person", "", "代码值不在词表中（文化程度“初小”、劳动技能“能劳动”、健康状况“良好”）"),
    "code_legacy_label": D("PF008", "person", "", "旧写法的代码值（之配偶、毛难族、崩龙族）"),
    "phone_malformed": D("PF009", "person", "phone", "联系电话位数不对"),
    "education_and_school": D("PF010", "person", "", "文化程度与在校生状况同时填写或同时为空"),
    "labour_implausible_for_age": D("PF011", "person", "labour", "劳动技能与年龄不符（儿童是普通劳动力、老人是技能劳动力）"),
    "insurance_flags_contradict": D("PF012", "person", "", "城乡居民医保与职工医保同为“是”或同为“否”"),
    # household: answer on the 户主 row (the first row when there is none), or on the member whose
    # row is wrong: the second 户主, the second 配偶, the same-sex spouse, the implausible relation
    "household_without_head": D("HH001", "household", "relation", "户内没有户主"),
    "household_two_heads": D("HH002", "household", "relation", "户内有两个户主（答案在第二个户主行）"),
    "household_two_spouses": D("HH003", "household", "relation", "户内有两个配偶（答案在第二个配偶行）"),
    "spouses_same_sex": D("HH004", "household", "id_no", "户主与配偶性别相同（按身份证号；答案在配偶行）"),
    "household_size_wrong": D("HH005", "household", "hh_size", "人数与户内成员行数不符"),
    "household_attribute_differs": D("HH006", "household", "poverty_status", "同户成员的脱贫属性不一致"),
    "relation_implausible": D("HH007", "household", "relation", "与户主关系与年龄或性别不符（答案在该成员行）"),
    "person_in_two_households": D("HH008", "household", "id_no", "同一人出现在两个户编号下（答案在第二次出现的行）"),
    "household_no_malformed": D("HH009", "household", "household_no", "户编号位数与全县其他户不同"),
    "illness_cause_without_patient": D("HH010", "household", "cause_main", "主要致贫原因为因病，但户内无人患病"),
    # coverage: a poor person not served
    "not_insured": D("CV001", "coverage", "", "贫困人口不在参保名单中"),
    "insurance_suspended": D("CV002", "coverage", "insured_status", "参保状态为暂停或终止参保"),
    "subsidy_missing": D("CV003", "coverage", "subsidy_amount", "参保但没有资助（资助类别空、资助金额 0）"),
    "subsidised_not_enrolled": D("CV004", "coverage", "insured_status", "有资助金额却未参保"),
    "chronic_not_signed": D("CV005", "coverage", "", "慢病患者不在签约名单中"),
    "too_few_followups": D("CV006", "coverage", "followups", "慢病签约后全年随访不足 4 次"),
    "serious_not_in_ledger": D("CV007", "coverage", "", "大病患者不在救治台账中"),
    "serious_awaiting_treatment": D("CV007", "coverage", "treat_status", "大病患者救治状态为待救治"),
    "settlement_poverty_flag_missing": D("CV008", "coverage", "poverty_flag", "贫困人口住院结算未标记扶贫人员类别"),
    "flagged_poor_not_in_roster": D("CV009", "coverage", "id_no", "结算标为建档立卡，但此人不在花名册中"),
    # consistency: two lists disagree
    "name_homophone": D("CS001", "consistency", "name", "另一名单把姓名录成同音字（丽/莉、英/瑛、付/傅）"),
    "name_traditional": D("CS001", "consistency", "name", "另一名单把姓名录成繁体字"),
    "name_dot_dropped": D("CS001", "consistency", "name", "另一名单的少数民族姓名漏了间隔号"),
    "other_valid_id": D("CS002", "consistency", "id_no", "同名同出生日期，结算名单用了另一个（合法的）身份证号"),
    "id_digit_typo": D("CS003", "consistency", "id_no", "结算名单的身份证号错了一位"),
    "id_digits_swapped": D("CS003", "consistency", "id_no", "结算名单的身份证号相邻两位颠倒"),
    "dead_still_served": D("CS004", "consistency", "", "死亡后仍在参保、签约名单中或有住院结算"),
    "ethnicity_differs": D("CS005", "consistency", "ethnicity", "救治台账的民族与花名册不同"),
    "village_differs": D("CS006", "consistency", "village", "参保名单的村与花名册不同"),
    "poverty_type_differs": D("CS007", "consistency", "subsidy_category", "参保资助类别与花名册贫困户属性不符（特困/低保）"),
    "signed_after_moving_out": D("CS008", "consistency", "sign_date", "因迁出解约后又签约"),
    # settlement
    "money_not_adding_up": D("ST001", "settlement", "basic_pay", "各项支付之和加个人负担不等于医疗费总额"),
    "negative_amount": D("ST002", "settlement", "assist_pay", "医疗救助支出为负数"),
    "ratio_below_floor": D("ST003", "settlement", "self_pay", "实际报销比例低于 90%"),
    "stated_ratio_wrong": D("ST004", "settlement", "reimb_ratio", "填报的实际报销比例与按金额算出的不符"),
    "discharge_before_admission": D("ST005", "settlement", "discharge_date", "出院日期早于入院日期"),
    "duplicate_settlement": D("ST006", "settlement", "", "同一次住院结算录入两次（答案在第二行）"),
    "deposit_charged": D("ST007", "settlement", "deposit", "贫困患者住院交了预交金（未落实先诊疗后付费）"),
    "self_pay_over_cap": D("ST008", "settlement", "self_pay", "全年个人负担超过 5000 元"),
    "waiver_missing": D("ST009", "settlement", "waiver", "减免金额为 0（未落实费用减免）"),
    "serious_insurance_unpaid": D("ST010", "settlement", "serious_pay", "大额费用大病保险却未支付"),
}
del D

MIN_EACH = 3  # even a small bundle has every kind this often
RATE = 0.0006  # of the rows (households for household kinds) of the list the defect sits in


@dataclass
class Answer:
    kind: str
    table: Table
    row: Row
    related_table: Table | None = None
    related: Row | None = None
    field: str | None = None  # when the kind's cell varies

    @property
    def field_key(self) -> str:
        return self.field if self.field is not None else DEFECTS[self.kind].field


Injector = Callable[["Bundle", int], None]
INJECTORS: dict[str, tuple[Injector, Callable[["Bundle"], int]]] = {}


def injects(kind: str, base: Callable[[Bundle], int] = lambda b: len(b.P.rows)):
    """Register the function that injects `kind`; `base` is the count RATE applies to."""
    def register(fn: Injector) -> Injector:
        assert kind in DEFECTS, kind
        INJECTORS[kind] = (fn, base)
        return fn
    return register


def inject(rng: random.Random, county: County, tables: dict[str, Table],
           village_teams: dict[str, tuple[str, str]]) -> list[Answer]:
    """Inject every kind of DEFECTS into the clean lists; return one answer per defective row."""
    bundle = Bundle(rng, county, tables, village_teams)
    for kind in DEFECTS:
        fn, base = INJECTORS[kind]
        fn(bundle, max(MIN_EACH, round(base(bundle) * RATE)))
    for table in tables.values():
        table.purge()
    return bundle.answers


class Bundle:
    """The lists being spoiled, and who is already the target of a defect."""

    def __init__(self, rng: random.Random, county: County, tables: dict[str, Table],
                 village_teams: dict[str, tuple[str, str]]):
        self.rng = rng
        self.county = county
        self.tables = tables
        self.P, self.I, self.S = tables[POVERTY], tables[INSURANCE], tables[CONTRACT]
        self.T, self.B, self.D = tables[TREATMENT], tables[SETTLEMENT], tables[DEATH]
        self.village_teams = village_teams
        self.answers: list[Answer] = []
        self._people = county.people()
        rng.shuffle(self._people)
        self._households = list(county.households)
        rng.shuffle(self._households)
        self._dead = county.dead()
        self.by_village: dict[str, list[Household]] = {}
        for h in county.households:
            self.by_village.setdefault(h.village, []).append(h)
        self._taken: set[int] = set()  # people and households that carry a defect
        self._touched: set[int] = set()  # households with a member who does

    def answer(self, kind: str, table: Table, row: Row, related_table: Table | None = None,
               related: Row | None = None, field: str | None = None) -> None:
        self.answers.append(Answer(kind, table, row, related_table, related, field))

    def _scan(self, pool: list, n: int, where: Callable) -> list:
        """Up to n items of pool satisfying `where`, starting at a random place (pool is shuffled)."""
        out = []
        for item in _wrapped(pool, self.rng.randrange(len(pool))):
            if where(item):
                out.append(item)
                if len(out) == n:
                    break
        return out

    def people(self, n: int, where: Callable[[Person], bool] = lambda p: True,
               having: Iterable[Table] = ()) -> list[Person]:
        """Up to n living people in the roster who carry no defect yet; they are reserved."""
        having = tuple(having)
        chosen = self._scan(self._people, n, lambda p: id(p) not in self._taken
                            and id(p.household) not in self._taken and all(t.rows_of(p) for t in having) and where(p))
        for p in chosen:
            self._taken.add(id(p))
            self._touched.add(id(p.household))
        return chosen

    def households(self, n: int, where: Callable[[Household], bool] = lambda h: True) -> list[Household]:
        """Up to n households none of whose members carries a defect; they are reserved whole."""
        chosen = self._scan(self._households, n, lambda h: self.free(h) and where(h))
        for h in chosen:
            self._taken.add(id(h))
        return chosen

    def free(self, h: Household) -> bool:
        return id(h) not in self._taken and id(h) not in self._touched

    def dead(self, n: int, where: Callable[[Person], bool]) -> list[Person]:
        chosen = self._scan(self._dead, n, lambda p: id(p) not in self._taken and where(p))
        self._taken.update(id(p) for p in chosen)
        return chosen

    def reserve(self, target: Person | Household) -> None:
        self._taken.add(id(target))

    def row(self, table: Table, p: Person) -> Row:
        return table.rows_of(p)[0]

    def set_roster(self, people: Iterable[Person], key: str, value) -> None:
        for p in people:
            self.P.set(self.row(self.P, p), key, value)

    def rename(self, p: Person, **cells) -> list[tuple[Table, Row]]:
        """Change name / id_no / sex on every row of the person in every list."""
        touched = []
        for table in self.tables.values():
            for row in table.rows_of(p):
                for key, value in cells.items():
                    if key in table.col:
                        table.set(row, key, value)
                touched.append((table, row))
        return touched

    def new_id(self, code: str, birth: date, male: bool) -> str:
        return with_check(id_stem(self.rng, code, birth, male, self.county.taken_ids))

    def new_name(self, sex: str, birth: date, surname: str | None = None) -> str:
        while ((name := han_name(self.rng, sex, surname)), birth) in self.county.taken_names:
            pass
        self.county.taken_names.add((name, birth))
        return name


def _wrapped(pool: list, start: int):
    """pool from `start` to the end, then from the beginning, without copying a big list."""
    for i in range(start, len(pool)):
        yield pool[i]
    for i in range(start):
        yield pool[i]


# --- a wrong cell in the roster ------------------------------------------------------------------

Change = Callable[["Bundle", Person, object], object]


def roster_edit(kind: str, key: str, change: Change, where: Callable[[Person], bool] = lambda p: True) -> None:
    """Register a kind made by changing one roster cell of a person."""
    @injects(kind)
    def run(b: Bundle, n: int) -> None:
        for p in b.people(n, where):
            row = b.row(b.P, p)
            b.P.set(row, key, change(b, p, b.P.get(row, key)))
            b.answer(kind, b.P, row)


def excel_number(digits: str) -> float:
    """What Excel keeps of a long number typed into a number cell: 15 significant digits."""
    return float(int(digits[:15]) * 10 ** (len(digits) - 15))


def excel_like(number: str) -> bool:
    """A digit string Excel could have left of a number (a double, or 15 digits and zeros): hv would
    take a typo that looks like this for Excel damage (ID006), so typos avoid it."""
    return number.isdigit() and (int(float(number)) == int(number) or number.endswith("000"))


def mistyped(b: Bundle, id_no: str, positions: Iterable[int], digits: str = "0123456789") -> str:
    """id_no with one character at one of `positions` typed wrong."""
    positions = tuple(positions)
    while True:
        i = b.rng.choice(positions)
        typo = id_no[:i] + b.rng.choice([c for c in digits if c != id_no[i]]) + id_no[i + 1:]
        if not excel_like(typo):
            return typo


def _mistyped_check(b: Bundle, p: Person, id_no: str) -> str:
    """One sequence digit or the check character typed wrong (birth date and sex digit intact)."""
    return mistyped(b, id_no, (14, 15)) if b.rng.random() < 0.6 else mistyped(b, id_no, (17,), "0123456789X")


def _bad_birth(b: Bundle, p: Person, id_no: str) -> str:
    month_day = b.rng.choice(("13" + id_no[12:14], "0230", "0431", "00" + id_no[12:14]))
    return with_check(id_no[:10] + month_day + id_no[14:17])


FULL_WIDTH = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")


def _cosmetic(b: Bundle, p: Person, id_no: str) -> str:
    if id_no.endswith("X") and b.rng.random() < 0.5:
        return id_no[:17] + "x"
    if b.rng.random() < 0.5:
        return id_no.translate(FULL_WIDTH)
    return f"{id_no[:6]} {id_no[6:14]} {id_no[14:]}"


roster_edit("id_excel_damaged", "id_no", lambda b, p, v: excel_number(v))
roster_edit("code_stored_as_number", "person_no", lambda b, p, v: excel_number(v))
roster_edit("id_checksum", "id_no", _mistyped_check)
roster_edit("id_wrong_length", "id_no", lambda b, p, v: v[:(i := b.rng.randrange(6, 15))] + v[i + 1:],
            where=lambda p: p.id_no[16:] != "00")
roster_edit("id_legacy_15", "id_no", lambda b, p, v: v[:6] + v[8:17], where=lambda p: p.birth.year < 2000)
roster_edit("id_bad_birth_date", "id_no", _bad_birth)
roster_edit("id_unknown_province", "id_no",
            lambda b, p, v: with_check(b.rng.choice(("24", "26", "27", "38", "47", "56")) + v[2:17]))
roster_edit("id_unknown_county", "id_no",
            lambda b, p, v: with_check(v[:4] + b.rng.choice(("87", "93", "96")) + v[6:17]))
roster_edit("id_normalisable", "id_no", _cosmetic)
roster_edit("id_placeholder", "id_no", lambda b, p, v: b.rng.choice(("无", "暂无", "未办", "/")))


@injects("date_unparseable", base=lambda b: len(b.T.rows))
def _date_unparseable(b: Bundle, n: int) -> None:
    for p in b.people(n, having=(b.T,)):
        row = b.row(b.T, p)
        d = day_between(b.rng, date(2017, 1, 1), date(YEAR, 9, 30))
        b.T.set(row, "diagnosis_date", b.rng.choice((f"{d.year}年13月{d.day}日", f"{d.year}.2.30",
                                                     f"{d.year % 100}/{d.month}/{d.day}")))
        b.answer("date_unparseable", b.T, row)


@injects("id_duplicate_row", base=lambda b: len(b.I.rows))
def _duplicate_insurance(b: Bundle, n: int) -> None:
    for p in b.people(n, having=(b.I,)):
        first = b.row(b.I, p)
        b.answer("id_duplicate_row", b.I, b.I.copy(first), b.I, first)


@injects("id_copied_to_other", base=lambda b: len(b.T.rows))
def _id_copied(b: Bundle, n: int) -> None:
    """A relative of the same sex entered with the patient's ID (the clerk copied the line)."""
    def relative(p: Person) -> Person | None:
        return next((q for q in p.household.members if q is not p and q.sex == p.sex and not b.T.rows_of(q)), None)

    for p in b.people(n, lambda p: relative(p) is not None, having=(b.T,)):
        q = relative(p)
        b.reserve(q)
        first = b.row(b.T, p)
        twin = b.T.copy(first)
        for key, value in (("name", q.name), ("sex", q.sex), ("age", q.age)):
            b.T.set(twin, key, value)
        b.answer("id_copied_to_other", b.T, twin, b.T, first)


@injects("id_residence_permit")
def _residence_permit(b: Bundle, n: int) -> None:
    """A person holding a 港澳台 residence permit: the same number on every list."""
    for p in b.people(n):
        p.id_no = b.new_id(b.rng.choice(("810000", "820000", "830000")), p.birth, p.sex == MALE)
        for table, row in b.rename(p, id_no=p.id_no):
            b.answer("id_residence_permit", table, row)


# --- person fields -------------------------------------------------------------------------------

TWO_CHAR_SURNAMES = {s for s in names.SURNAMES if len(s) == 2}


def _han(p: Person) -> bool:
    return "·" not in p.name and p.name[:2] not in TWO_CHAR_SURNAMES


def _shifted_birth(b: Bundle, p: Person, born: date) -> date:
    shifted = born + timedelta(days=b.rng.choice((-1, 1)) * b.rng.randint(20, 400))
    return shifted if shifted <= REF_DATE else born - (shifted - born)


def _spaced_name(b: Bundle, p: Person, name: str) -> str:
    if "·" in name:
        return name.replace("·", b.rng.choice(("•", "．", "・")))
    return name[0] + b.rng.choice((" ", "　")) + name[1:]


roster_edit("sex_contradicts_id", "sex", lambda b, p, v: FEMALE if v == MALE else MALE,
            where=lambda p: not p.serious)  # the treatment ledger has a sex column too (CS005)
roster_edit("birth_date_contradicts_id", "birth_date", _shifted_birth)
roster_edit("name_needs_cleaning", "name", _spaced_name)
roster_edit("phone_malformed", "phone",
            lambda b, p, v: v[:-1] if b.rng.random() < 0.5 else v + str(b.rng.randrange(10)))
roster_edit("labour_implausible_for_age", "labour", lambda b, p, v: "普通劳动力" if p.age < 16 else "技能劳动力",
            where=lambda p: 6 <= p.age < 16 or p.age > 75)


def name_everywhere(kind: str, change: Callable[[Bundle, str], str], where: Callable[[Person], bool]) -> None:
    """Register a kind where the name was wrong at the source: every list carries it."""
    @injects(kind)
    def run(b: Bundle, n: int) -> None:
        for p in b.people(n, where):
            for table, row in b.rename(p, name=change(b, p.name)):
                b.answer(kind, table, row)


name_everywhere("name_invalid_chars", lambda b, name: name[:-1] + "?" if b.rng.random() < 0.5 else name + "2", _han)
name_everywhere("name_too_short", lambda b, name: name[0], _han)


@injects("age_contradicts_id", base=lambda b: len(b.T.rows))
def _age_off(b: Bundle, n: int) -> None:
    for p in b.people(n, having=(b.T,)):
        row = b.row(b.T, p)
        b.T.set(row, "age", p.age + b.rng.randint(3, 9) * (1 if p.age < 12 or b.rng.random() < 0.5 else -1))
        b.answer("age_contradicts_id", b.T, row)


def roster_choice(kind: str, options: Callable[[Person], list[tuple[str, str]]]) -> None:
    """Register a kind whose wrong cell depends on the person: options are (key, wrong value)."""
    @injects(kind)
    def run(b: Bundle, n: int) -> None:
        for p in b.people(n, lambda p: bool(options(p))):
            key, value = b.rng.choice(options(p))
            row = b.row(b.P, p)
            b.P.set(row, key, value)
            b.answer(kind, b.P, row, field=key)


roster_choice("code_not_in_vocabulary", lambda p: [("labour", "能劳动")] + [("education", "初小")] * bool(p.education)
              + [("health_status", "良好")] * (p.health == "健康"))
roster_choice("code_legacy_label", lambda p: [("relation", "之配偶")] * (p.relation == SPOUSE)
              + [("ethnicity", "毛难族"), ("ethnicity", "崩龙族")] * (p.disease == ""))
roster_choice("education_and_school", lambda p: [("education", "")] if p.education else
              [("education", "初中" if p.age >= 12 else "小学")] * (p.age >= 6))
roster_choice("insurance_flags_contradict", lambda p: [("employee_insured", "是"), ("resident_insured", "否")])


# --- households ----------------------------------------------------------------------------------


def household_edit(kind: str, spoil: Callable[[Bundle, Household], Person | None],
                   where: Callable[[Household], bool] = lambda h: True) -> None:
    """Register a household-level kind. The answer sits on the row of the member `spoil` returns
    (the second 户主 or 配偶: the row whose cell is wrong), else on the 户主 row."""
    @injects(kind, base=lambda b: len(b.county.households))
    def run(b: Bundle, n: int) -> None:
        for h in b.households(n, where):
            member = spoil(b, h)
            b.answer(kind, b.P, b.row(b.P, member or h.members[0]))


def _member(h: Household, *relations: str) -> Person | None:
    return next((p for p in h.members if p.relation in relations), None)


def _set_relation(b: Bundle, p: Person, relation: str) -> Person:
    b.P.set(b.row(b.P, p), "relation", relation)
    return p


def _same_sex_spouse(b: Bundle, h: Household) -> Person:
    """The spouse is re-made as a man (same birth date), with a name and ID to match."""
    spouse = _member(h, SPOUSE)
    spouse.sex = MALE
    spouse.name = b.new_name(MALE, spouse.birth)
    spouse.id_no = b.new_id(spouse.id_no[:6], spouse.birth, male=True)
    b.rename(spouse, name=spouse.name, id_no=spouse.id_no, sex=MALE)
    return spouse


def _dropped_digit(number: str, rng: random.Random) -> str:
    i = rng.randrange(6, 14)
    return number[:i] + number[i + 1:]


household_edit("household_two_heads", lambda b, h: _set_relation(b, _member(h, SPOUSE), HEAD),
               where=lambda h: _member(h, SPOUSE) is not None)
household_edit("household_two_spouses", lambda b, h: _set_relation(b, _member(h, "之儿媳", "之女婿"), SPOUSE),
               where=lambda h: _member(h, SPOUSE) is not None
               and (in_law := _member(h, "之儿媳", "之女婿")) is not None and in_law.sex != h.members[0].sex)
household_edit("spouses_same_sex", _same_sex_spouse,
               where=lambda h: h.members[0].sex == MALE and (s := _member(h, SPOUSE)) is not None and not s.disease)
household_edit("household_size_wrong", lambda b, h: b.set_roster(
    h.members, "hh_size", len(h.members) + (1 if len(h.members) == 1 or b.rng.random() < 0.5 else -1)))
household_edit("household_attribute_differs", lambda b, h: b.P.set(
    b.row(b.P, h.members[-1]), "poverty_status", "未脱贫" if h.status == "已脱贫" else "已脱贫"),
    where=lambda h: len(h.members) >= 2)
household_edit("household_no_malformed",
               lambda b, h: b.set_roster(h.members, "household_no", _dropped_digit(h.number, b.rng)))
household_edit("illness_cause_without_patient", lambda b, h: b.set_roster(h.members, "cause_main", "因病"),
               where=lambda h: not any(p.disease for p in h.members) and h.cause != "因病")


@injects("household_without_head", base=lambda b: len(b.county.households))
def _without_head(b: Bundle, n: int) -> None:
    """The head left every list (moved, or dropped by mistake); the answer is on the first row left."""
    for h in b.households(n, lambda h: len(h.members) >= 2):
        head = h.members[0]
        for table in b.tables.values():
            table.remove(list(table.rows_of(head)))
        b.set_roster(h.members[1:], "hh_size", len(h.members) - 1)
        b.answer("household_without_head", b.P, b.row(b.P, h.members[1]))


SWAPPED = {"之子": "之女", "之女": "之子", "之孙子": "之孙女", "之孙女": "之孙子"}


@injects("relation_implausible", base=lambda b: len(b.county.households))
def _relation_implausible(b: Bundle, n: int) -> None:
    """A child labelled as the other sex, or a young son labelled as the head's father."""
    for h in b.households(n, lambda h: _member(h, *SWAPPED) is not None):
        child = _member(h, *SWAPPED)
        wrong = "之父" if child.relation == "之子" and b.rng.random() < 0.4 else SWAPPED[child.relation]
        _set_relation(b, child, wrong)
        b.answer("relation_implausible", b.P, b.row(b.P, child))


@injects("person_in_two_households", base=lambda b: len(b.county.households))
def _in_two_households(b: Bundle, n: int) -> None:
    """A member also listed (as 其他) in a later household of the same village, so the copy is the
    second of the two rows."""
    def later(h: Household) -> Household | None:
        return next((o for o in b.by_village[h.village] if o.index > h.index and b.free(o)), None)

    for h in b.households(n, lambda h: len(h.members) >= 2 and later(h) is not None):
        other, person = later(h), h.members[-1]
        b.reserve(other)
        first = b.row(b.P, person)
        twin = b.P.copy(first, order=(other.index, 99))
        cells = dict(household_no=other.number, person_no=f"{other.number}{len(other.members) + 1:02d}",
                     relation="其他", hh_poverty_type=other.poverty_type, poverty_status=other.status,
                     cause_main=other.cause, phone=other.phone, hh_size=len(other.members) + 1)
        for key, value in cells.items():
            b.P.set(twin, key, value)
        b.set_roster(other.members, "hh_size", len(other.members) + 1)
        b.answer("person_in_two_households", b.P, twin, b.P, first)


# --- coverage: a poor person not served ----------------------------------------------------------


def missing_from(kind: str, table: Callable[[Bundle], Table], where: Callable[[Person], bool] = lambda p: True) -> None:
    """Register a kind where the person's rows are left out of a list; the answer is the roster row."""
    @injects(kind)
    def run(b: Bundle, n: int) -> None:
        target = table(b)
        for p in b.people(n, where, having=(target,)):
            target.remove(list(target.rows_of(p)))
            b.answer(kind, b.P, b.row(b.P, p))


def other_list_edit(kind: str, table: Callable[[Bundle], Table], cells: Callable[[Bundle, Person], dict],
                    where: Callable[[Person], bool] = lambda p: True, related: bool = True) -> None:
    """Register a kind made by changing cells of the person's row in another list; the related row
    is the person's roster row."""
    @injects(kind, base=lambda b: len(table(b).rows))
    def run(b: Bundle, n: int) -> None:
        target = table(b)
        for p in b.people(n, where, having=(target,)):
            row = b.rng.choice(target.rows_of(p))
            for key, value in cells(b, p).items():
                target.set(row, key, value)
            b.answer(kind, target, row, *((b.P, b.row(b.P, p)) if related else ()))


FOLLOWED_UP = ("高血压", "糖尿病", "严重精神障碍")  # ≥4 follow-ups a year (国家基本公共卫生服务规范)

missing_from("not_insured", lambda b: b.I)
missing_from("chronic_not_signed", lambda b: b.S, lambda p: bool(p.chronic))
missing_from("serious_not_in_ledger", lambda b: b.T)
other_list_edit("insurance_suspended", lambda b: b.I, lambda b, p: {"insured_status": b.rng.choice(("暂停参保", "终止参保"))})
other_list_edit("subsidy_missing", lambda b: b.I,
                lambda b, p: {"subsidy_category": "", "subsidy_amount": 0, "personal_amount": CONTRIBUTION})
other_list_edit("subsidised_not_enrolled", lambda b: b.I, lambda b, p: {"insured_status": "未参保"})
other_list_edit("too_few_followups", lambda b: b.S, lambda b, p: {"followups": b.rng.randint(0, 3)},
                where=lambda p: p.chronic in FOLLOWED_UP, related=False)
other_list_edit("serious_awaiting_treatment", lambda b: b.T, lambda b, p: {"treat_status": "待救治"})
other_list_edit("settlement_poverty_flag_missing", lambda b: b.B, lambda b, p: {"poverty_flag": ""})


@injects("flagged_poor_not_in_roster", base=lambda b: len(b.B.rows))
def _not_in_roster(b: Bundle, n: int) -> None:
    """Someone from outside the roster settled as 建档立卡贫困人口."""
    for _ in range(n):
        sex = b.rng.choice((MALE, FEMALE))
        born = day_between(b.rng, date(1940, 1, 1), date(1995, 12, 31))
        id_no = b.new_id(b.rng.choice((COUNTY_CODE, *NEIGHBOUR_CODES)), born, sex == MALE)
        row = settlement_row(b.B, b.rng, None, b.new_name(sex, born), id_no, stays(b.rng, 1)[0])
        b.answer("flagged_poor_not_in_roster", b.B, row)


# --- consistency: two lists disagree -------------------------------------------------------------

SERVICE_LISTS = (INSURANCE, CONTRACT, TREATMENT, SETTLEMENT)


def other_list_name(kind: str, change: Callable[[str], str], where: Callable[[str], bool]) -> None:
    """Register a kind where another clerk typed the name differently in one service list."""
    @injects(kind)
    def run(b: Bundle, n: int) -> None:
        for p in b.people(n, lambda p: where(p.name)):
            table = b.tables[b.rng.choice([k for k in SERVICE_LISTS if b.tables[k].rows_of(p)])]
            row = b.rng.choice(table.rows_of(p))
            table.set(row, "name", change(p.name))
            b.answer(kind, table, row, b.P, b.row(b.P, p))


def _homophone(name: str) -> str:
    i = next(i for i in range(len(name) - 1, 0, -1) if name[i] in names.HOMOPHONES)
    return name[:i] + names.HOMOPHONES[name[i]] + name[i + 1:]


other_list_name("name_homophone", _homophone,
                lambda name: "·" not in name and any(c in names.HOMOPHONES for c in name[1:]))
other_list_name("name_traditional", lambda name: "".join(names.TRADITIONAL.get(c, c) for c in name),
                lambda name: any(c in names.TRADITIONAL for c in name))
other_list_name("name_dot_dropped", lambda name: name.replace("·", ""), lambda name: "·" in name)


def _digits_swapped(b: Bundle, p: Person) -> dict:
    v = p.id_no
    swaps = [v[:i] + v[i + 1] + v[i] + v[i + 2:] for i in range(6, 16) if v[i] != v[i + 1]]
    return {"id_no": b.rng.choice([s for s in swaps if not excel_like(s)])}


def _another_valid_id(b: Bundle, p: Person) -> dict:
    """Same birth date and sex, another address code and sequence: a valid ID of nobody in the roster."""
    code = b.rng.choice([c for c in (COUNTY_CODE, *NEIGHBOUR_CODES) if c != p.id_no[:6]])
    return {"id_no": b.new_id(code, p.birth, p.sex == MALE)}


other_list_edit("other_valid_id", lambda b: b.B, _another_valid_id)
other_list_edit("id_digit_typo", lambda b: b.B, lambda b, p: {"id_no": mistyped(b, p.id_no, range(6, 17))})
other_list_edit("id_digits_swapped", lambda b: b.B, _digits_swapped)
other_list_edit("ethnicity_differs", lambda b: b.T, lambda b, p: {"ethnicity": "回族" if p.ethnicity == "汉族" else "汉族"})
other_list_edit("village_differs", lambda b: b.I, lambda b, p: {
    "village": b.rng.choice([v for v in b.county.villages[p.household.town] if v != p.household.village])})


def _other_category(b: Bundle, p: Person) -> dict:
    category = "低保对象" if p.household.poverty_type == "特困供养贫困户" else "特困人员"
    subsidy = dict(SUBSIDY.values())[category]
    return {"subsidy_category": category, "subsidy_amount": subsidy, "personal_amount": CONTRIBUTION - subsidy}


other_list_edit("poverty_type_differs", lambda b: b.I, _other_category,
                where=lambda p: p.household.poverty_type in ("特困供养贫困户", "低保贫困户"))


@injects("dead_still_served")
def _dead_still_served(b: Bundle, n: int) -> None:
    """Died before the year but never taken off the lists: still on the roster (no rule for that),
    insured and signed for the year, sometimes a stay settled after the death. Each service row
    is a defect pointing at the death register."""
    for p in b.dead(n, lambda p: p.death.year < YEAR and b.free(p.household)):
        h = p.household
        b.reserve(h)
        h.members.append(p)
        poverty_row(b.P, p, len(h.members) - 1)
        b.set_roster(h.members, "hh_size", len(h.members))
        served = [(b.I, insurance_row(b.I, p)), (b.S, contract_row(b.S, b.rng, p, b.village_teams[h.village]))]
        if b.rng.random() < 0.5:
            admit = day_between(b.rng, date(YEAR, 1, 2), date(YEAR, 12, 5))
            discharge = admit + timedelta(days=b.rng.randint(3, 15))
            served.append((b.B, settlement_row(b.B, b.rng, p, p.name, p.id_no, (admit, discharge, discharge))))
        for table, row in served:
            b.answer("dead_still_served", table, row, b.D, b.row(b.D, p))


@injects("signed_after_moving_out", base=lambda b: len(b.S.rows))
def _signed_after_moving_out(b: Bundle, n: int) -> None:
    """An earlier contract ended with 解约原因 迁出; the current one was signed after it."""
    for p in b.people(n, having=(b.S,)):
        later = b.row(b.S, p)
        signed = day_between(b.rng, date(2018, 3, 1), date(2018, 6, 30))
        stopped = signed + timedelta(days=b.rng.randint(150, 300))
        earlier = contract_row(b.S, b.rng, p, b.village_teams[p.household.village], order=-1,
                               sign_date=signed.isoformat(), sign_end=(signed + timedelta(days=364)).isoformat(),
                               sign_status="解约", followups=4, followup_date=slashed(stopped - timedelta(days=20)),
                               stop_date=slashed(stopped), stop_reason="迁出")
        b.answer("signed_after_moving_out", b.S, later, b.S, earlier)


# --- settlements ---------------------------------------------------------------------------------


def settlement_edit(kind: str, cells: Callable[[Bundle, Table, Row], dict],
                    where: Callable[[Bundle, Table, Row], bool] = lambda b, t, r: True) -> None:
    """Register a kind made by changing cells of one settlement row."""
    @injects(kind, base=lambda b: len(b.B.rows))
    def run(b: Bundle, n: int) -> None:
        for p in b.people(n, lambda p: any(where(b, b.B, r) for r in b.B.rows_of(p)), having=(b.B,)):
            row = b.rng.choice([r for r in b.B.rows_of(p) if where(b, b.B, r)])
            for key, value in cells(b, b.B, row).items():
                b.B.set(row, key, value)
            b.answer(kind, b.B, row)


def _money(b: Bundle, **kwargs) -> dict:
    return settlement_money(b.rng, False, **kwargs)


def _real_ratio(t: Table, row: Row) -> float:
    total = t.get(row, "total_cost")
    return (total - t.get(row, "self_pay")) / total


def _negative_assistance(b: Bundle, t: Table, row: Row) -> dict:
    """医疗救助 written as a refund: −a; 统筹 takes 2a so the row still adds up."""
    assist = t.get(row, "assist_pay")
    return {"assist_pay": -assist, "basic_pay": round(t.get(row, "basic_pay") + 2 * assist, 2)}


def _discharged_before(b: Bundle, t: Table, row: Row) -> dict:
    y, m, d = map(int, t.get(row, "admit_date").split("/"))
    return {"discharge_date": slashed(date(y, m, d) - timedelta(days=b.rng.randint(1, 5)))}


def _wrong_ratio(b: Bundle, t: Table, row: Row) -> dict:
    real, off = _real_ratio(t, row), b.rng.uniform(0.02, 0.06)
    return {"reimb_ratio": percent(real + off if real + off < 0.999 else real - off)}


def _over_cap(b: Bundle, t: Table, row: Row) -> dict:
    ratio = b.rng.uniform(0.91, 0.93)
    return _money(b, total=b.rng.uniform(5_200, 7_000) / (1 - ratio), ratio=ratio, self_limit=10_000.0)


settlement_edit("money_not_adding_up",
                lambda b, t, r: {"basic_pay": round(t.get(r, "basic_pay") - b.rng.uniform(20, 300), 2)},
                where=lambda b, t, r: t.get(r, "basic_pay") > 400)
settlement_edit("negative_amount", _negative_assistance,
                where=lambda b, t, r: t.get(r, "assist_pay") <= (t.get(r, "total_cost") - t.get(r, "basic_pay")) / 2)
settlement_edit("ratio_below_floor", lambda b, t, r: _money(b, total=b.rng.uniform(2_500, 5_000),
                                                            ratio=b.rng.uniform(0.75, 0.88)))
settlement_edit("stated_ratio_wrong", _wrong_ratio)
settlement_edit("discharge_before_admission", _discharged_before)
settlement_edit("deposit_charged", lambda b, t, r: {"deposit": float(b.rng.randint(10, 50) * 100)})
settlement_edit("self_pay_over_cap", _over_cap)
settlement_edit("waiver_missing", lambda b, t, r: {"waiver": 0.0})
settlement_edit("serious_insurance_unpaid",
                lambda b, t, r: _money(b, total=b.rng.uniform(30_000, 60_000), serious_paid=False))


@injects("duplicate_settlement", base=lambda b: len(b.B.rows))
def _duplicate_settlement(b: Bundle, n: int) -> None:
    """The same stay entered twice (at most two stays before, so the yearly self pay stays under the cap)."""
    for p in b.people(n, lambda p: len(b.B.rows_of(p)) <= 2, having=(b.B,)):
        first = b.rng.choice(b.B.rows_of(p))
        b.answer("duplicate_settlement", b.B, b.B.copy(first), b.B, first)
