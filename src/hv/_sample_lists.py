"""The six lists of the synthetic bundle (hv.sample), built clean from the county's people.

A list is a Table of Rows: cells in column order, the person the row is about, and (after
layout) the sheet and Excel row a clerk sees. Dates are written in the style the list's clerk
uses; xlsx lists may hold real date cells (date objects), CSV lists only text.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from hv import _sample_names as names
from hv._sample_people import COUNTY, REF_DATE, County, Person

YEAR = REF_DATE.year


class Row(list):
    """One record: its cells, the person it is about, its sort key, and where it landed."""

    __slots__ = ("person", "order", "sheet", "number")

    def __init__(self, cells, person: Person | None, order: tuple):
        super().__init__(cells)
        self.person = person
        self.order = order
        self.sheet = ""
        self.number = 0


@dataclass
class Table:
    """A list: file name, (canonical key, header) per column, rows."""

    kind: str
    file: str
    columns: list[tuple[str, str]]
    rows: list[Row] = field(default_factory=list)

    def __post_init__(self):
        self.col = {key: i for i, (key, _) in enumerate(self.columns)}
        self._keys = [key for key, _ in self.columns]
        self._blanks = [""] * len(self.columns)
        self._by_person: dict[int, list[Row]] = {}
        self._gone: set[int] = set()

    @property
    def headers(self) -> list[str]:
        return [header for _, header in self.columns]

    def add(self, person: Person | None, order: tuple, **cells) -> Row:
        row = Row(map(cells.get, self._keys, self._blanks), person, order)
        self.rows.append(row)
        self._by_person.setdefault(id(person), []).append(row)
        return row

    def copy(self, row: Row, order: tuple | None = None) -> Row:
        """A second row with the same cells, right after the first unless `order` says where."""
        twin = Row(row, row.person, order or (*row.order, 1))
        self.rows.append(twin)
        self._by_person.setdefault(id(row.person), []).append(twin)
        return twin

    def get(self, row: Row, key: str):
        return row[self.col[key]]

    def set(self, row: Row, key: str, value) -> None:
        row[self.col[key]] = value

    def rows_of(self, person: Person) -> list[Row]:
        return self._by_person.get(id(person), [])

    def remove(self, rows: list[Row]) -> None:
        """Take rows out of the list (the row list itself is rebuilt once, by `purge`)."""
        for r in rows:
            self._by_person[id(r.person)].remove(r)
            self._gone.add(id(r))

    def purge(self) -> None:
        if self._gone:
            self.rows = [r for r in self.rows if id(r) not in self._gone]
            self._gone.clear()


# Date styles the clerks of the different lists use (all parsed by hv).
def iso(d: date) -> str:
    return d.isoformat()


def slashed(d: date) -> str:
    return f"{d.year}/{d.month}/{d.day}"


def chinese(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def compact(d: date) -> str:
    return d.strftime("%Y%m%d")


def dotted(d: date) -> str:
    return f"{d.year}.{d.month}.{d.day}"


def day_between(rng: random.Random, first: date, last: date) -> date:
    return first + timedelta(days=rng.randint(0, (last - first).days))


POVERTY = "poverty"
INSURANCE = "insurance"
CONTRACT = "contract"
TREATMENT = "treatment"
SETTLEMENT = "settlement"
DEATH = "death"

POVERTY_COLUMNS = [
    ("seq", "序号"), ("county", "县"), ("town", "乡镇"), ("village", "行政村"), ("household_no", "户编号"),
    ("person_no", "人编号"), ("name", "姓名"), ("sex", "性别"), ("id_no", "证件号码"), ("birth_date", "出生日期"),
    ("ethnicity", "民族"), ("relation", "与户主关系"), ("hh_size", "人数"), ("hh_poverty_type", "贫困户属性"),
    ("poverty_status", "脱贫属性"), ("cause_main", "主要致贫原因"), ("health_status", "健康状况"), ("disease", "所患疾病"),
    ("education", "文化程度"), ("school_status", "在校生状况"), ("labour", "劳动技能"),
    ("resident_insured", "是否参加城乡居民基本医疗保险"), ("employee_insured", "是否参加城镇职工基本医疗保险"),
    ("serious_insured", "是否参加大病保险"), ("phone", "联系电话"),
]


def poverty_row(table: Table, p: Person, member: int) -> Row:
    h = p.household
    return table.add(
        p, (h.index, member), county=COUNTY, town=h.town, village=h.village, household_no=h.number,
        person_no=p.person_no, name=p.name, sex=p.sex, id_no=p.id_no, birth_date=p.birth, ethnicity=p.ethnicity,
        relation=p.relation, hh_size=len(h.members), hh_poverty_type=h.poverty_type, poverty_status=h.status,
        cause_main=h.cause, health_status=p.health, disease=p.disease, education=p.education, school_status=p.school,
        labour=p.labour, resident_insured="是", employee_insured="否", serious_insured="是", phone=h.phone,
    )


def poverty_list(county: County) -> Table:
    table = Table(POVERTY, "建档立卡贫困人口花名册.xlsx", POVERTY_COLUMNS)
    for h in county.households:
        for k, p in enumerate(h.members):
            poverty_row(table, p, k)
    return table


INSURANCE_COLUMNS = [
    ("name", "姓名"), ("id_no", "身份证号"), ("insured_status", "参保状态"), ("insurance_type", "险种类型"),
    ("subsidy_category", "资助类别"), ("subsidy_amount", "资助金额"), ("personal_amount", "个人缴费"), ("year", "缴费年度"),
    ("town", "乡镇"), ("village", "村"),
]
CONTRIBUTION = 280  # 2020 城乡居民医保 individual contribution, yuan
SUBSIDY = {"一般贫困户": ("建档立卡贫困人口", 140), "低保贫困户": ("低保对象", 180), "特困供养贫困户": ("特困人员", 280)}


def insurance_row(table: Table, p: Person) -> Row:
    h = p.household
    category, subsidy = SUBSIDY[h.poverty_type]
    return table.add(p, (h.index, 0), name=p.name, id_no=p.id_no, insured_status="正常参保",
                     insurance_type="城乡居民基本医疗保险", subsidy_category=category, subsidy_amount=subsidy,
                     personal_amount=CONTRIBUTION - subsidy, year=YEAR, town=h.town, village=h.village)


def insurance_list(county: County) -> Table:
    table = Table(INSURANCE, "医保参保名单.csv", INSURANCE_COLUMNS)
    for p in county.people():
        insurance_row(table, p)
    return table


# Two header rows: groups over the middle columns, the rest merged vertically.
CONTRACT_COLUMNS = [
    ("seq", "序号"), ("name", "姓名"), ("id_no", "身份证号"), ("sign_date", "签约日期"), ("sign_end", "到期日期"),
    ("sign_status", "签约状态"), ("doctor", "签约医生"), ("followups", "随访次数"), ("followup_date", "最近随访日期"),
    ("team", "签约团队"), ("disease", "慢病病种"), ("stop_date", "解约日期"), ("stop_reason", "解约原因"),
]
CONTRACT_GROUPS = {"签约信息": ("sign_date", "doctor"), "履约情况": ("followups", "followup_date")}
SIGN_FROM, SIGN_TO = date(YEAR, 1, 2), date(YEAR, 6, 30)


def teams(rng: random.Random, county: County) -> dict[str, tuple[str, str]]:
    """Each village's family-doctor team and its doctor (a township's villages share five teams)."""
    out = {}
    given = names.MALE_GIVEN + names.FEMALE_GIVEN
    doctor = {}
    for town, villages in county.villages.items():
        for i, village in enumerate(villages):
            team = f"{town}卫生院家庭医生第{'一二三四五'[i % 5]}团队"
            doctor.setdefault(team, rng.choice(list(names.SURNAMES)[:40]) + rng.choice(given) + rng.choice(given))
            out[village] = (team, doctor[team])
    return out


def contract_cells(rng: random.Random, sign: date) -> dict:
    """A one-year contract covering the reference date, followed up at least 4 times."""
    return dict(sign_date=iso(sign), sign_end=iso(sign + timedelta(days=364)),
                sign_status="签约" if rng.random() < 0.7 else "续约", followups=rng.randint(4, 12),
                followup_date=slashed(day_between(rng, date(YEAR, 10, 8), date(YEAR, 12, 28))))


def contract_row(table: Table, rng: random.Random, p: Person, team: tuple[str, str], order: int = 0, **cells) -> Row:
    cells = contract_cells(rng, day_between(rng, SIGN_FROM, SIGN_TO)) | cells
    return table.add(p, (p.household.index, order), name=p.name, id_no=p.id_no, team=team[0], doctor=team[1],
                     disease=p.chronic, **cells)


def contract_list(rng: random.Random, county: County, village_teams: dict[str, tuple[str, str]]) -> Table:
    """应签尽签: every poor person has a contract (CV005 warns about anyone without one)."""
    table = Table(CONTRACT, "家庭医生签约名单.xlsx", CONTRACT_COLUMNS)
    for p in county.people():
        contract_row(table, rng, p, village_teams[p.household.village])
    return table


TREATMENT_COLUMNS = [
    ("seq", "序号"), ("town", "乡镇"), ("village", "村"), ("name", "姓名"), ("sex", "性别"), ("age", "年龄"),
    ("ethnicity", "民族"), ("id_no", "身份证号"), ("disease", "疾病名称"), ("diagnosis_date", "确诊时间"),
    ("treat_mode", "救治方式"), ("treat_status", "救治状态\n（已救治/正在救治/待救治）"), ("treat_hospital", "定点救治医院"),
    ("total_cost", "总费用"), ("self_pay", "个人自付"),
]
TREATMENT_TITLE = f"{COUNTY}{YEAR}年农村贫困人口大病专项救治台账"


def treatment_list(rng: random.Random, county: County) -> Table:
    """Everyone 患有大病 with a disease on the 2019 list, treated or under treatment."""
    table = Table(TREATMENT, "大病专项救治台账.xlsx", TREATMENT_COLUMNS)
    for p in county.people():
        if not p.serious:
            continue
        h = p.household
        total = round(rng.uniform(10_000, 150_000), 2)
        diagnosed = max(p.birth, day_between(rng, date(2016, 1, 1), date(YEAR, 9, 30)))
        table.add(p, (h.index, 0), town=h.town, village=h.village, name=p.name, sex=p.sex, age=p.age,
                  ethnicity=p.ethnicity, id_no=p.id_no, disease=p.serious, diagnosis_date=chinese(diagnosed),
                  treat_mode="大病集中救治" if rng.random() < 0.85 else "重病兜底保障",
                  treat_status="已救治" if rng.random() < 0.7 else "正在救治",
                  treat_hospital=rng.choice(names.CITY_HOSPITALS),
                  total_cost=total, self_pay=min(round(total * rng.uniform(0.03, 0.07), 2), 1500.0))
    return table


SETTLEMENT_COLUMNS = [
    ("seq", "序号"), ("name", "姓名"), ("id_no", "身份证号"), ("hospital", "就诊医院"), ("admit_date", "入院日期"),
    ("discharge_date", "出院日期"), ("settle_date", "结算日期"), ("total_cost", "医疗费总额"),
    ("compliant_cost", "符合政策范围金额"), ("basic_pay", "基本医疗保险统筹基金支出"), ("serious_pay", "居民大病保险资金支出"),
    ("assist_pay", "医疗救助基金支出"), ("supp_pay", "精准扶贫报销支付金额"), ("self_pay", "个人负担总金额"),
    ("reimb_ratio", "实际报销比例"), ("deposit", "预交金"), ("waiver", "减免金额"), ("poverty_flag", "本次结算扶贫人员类别"),
]
POOR_FLAG = "建档立卡贫困人口"
SELF_PAY_LIMIT = 1100.0  # per stay: three stays stay under a 5,000-yuan yearly cap (ST008)
SERIOUS_START = 1000.0  # 大病保险 pays whenever policy-range cost left after basic insurance exceeds this (ST010)
ADMIT_FROM, ADMIT_TO = date(2019, 1, 2), date(YEAR, 12, 5)


def settlement_money(rng: random.Random, county_hospital: bool, *, total: float | None = None,
                     ratio: float | None = None, serious_paid: bool = True, self_limit: float = SELF_PAY_LIMIT) -> dict:
    """Money that adds up to the cent: total = basic + serious + assistance + supplementary + self pay,
    with a real ratio (total − self pay) / total of at least 90 % unless `ratio` says otherwise."""
    cents = round((total or (rng.uniform(2_500, 15_000) if county_hospital else rng.uniform(8_000, 60_000))) * 100)
    compliant = round(cents * rng.uniform(0.88, 0.97))
    deductible = 30_000 if county_hospital else 80_000
    basic_rate = rng.uniform(0.72, 0.82) if county_hospital else rng.uniform(0.6, 0.7)
    basic = max(0, round(compliant * basic_rate) - deductible)
    serious_due = serious_paid and compliant - basic > SERIOUS_START * 100
    serious = round((cents - basic) * rng.uniform(0.25, 0.4)) if serious_due else 0
    ratio = ratio if ratio is not None else rng.uniform(0.905, 0.97)
    self_pay = round(cents * (1 - ratio)) if ratio < 0.9 else min(round(cents * (1 - ratio)), round(self_limit * 100))
    rest = cents - basic - serious - self_pay
    if rest < 2:  # a low ratio leaves nothing for the poverty funds: take it from 大病保险
        serious, rest = max(0, serious + rest - 2), 2
    assist = round(rest * rng.uniform(0.3, 0.6))
    return dict(total_cost=cents / 100, compliant_cost=compliant / 100, basic_pay=basic / 100,
                serious_pay=serious / 100, assist_pay=assist / 100, supp_pay=(rest - assist) / 100,
                self_pay=self_pay / 100, reimb_ratio=percent((cents - self_pay) / cents))


def percent(ratio: float) -> str:
    return f"{ratio * 100:.1f}%"


def stays(rng: random.Random, count: int) -> list[tuple[date, date, date]]:
    """(admission, discharge, settlement) of `count` stays that do not overlap."""
    span = (ADMIT_TO - ADMIT_FROM).days // count
    out = []
    for i in range(count):
        admit = ADMIT_FROM + timedelta(days=i * span + rng.randrange(max(1, span - 25)))
        discharge = admit + timedelta(days=rng.randint(3, 20))
        settle = discharge if rng.random() < 0.8 else min(REF_DATE, discharge + timedelta(days=rng.randint(1, 3)))
        out.append((admit, discharge, settle))
    return out


def settlement_row(table: Table, rng: random.Random, p: Person | None, name: str, id_no: str,
                   stay: tuple[date, date, date]) -> Row:
    admit, discharge, settle = stay
    county_hospital = rng.random() < 0.7
    hospital = rng.choice(names.COUNTY_HOSPITALS if county_hospital else names.CITY_HOSPITALS)
    return table.add(p, (settle, len(table.rows)), name=name, id_no=id_no, hospital=hospital,
                     admit_date=slashed(admit), discharge_date=slashed(discharge), settle_date=compact(settle),
                     deposit=0.0, waiver=round(rng.uniform(20, 300), 2), poverty_flag=POOR_FLAG,
                     **settlement_money(rng, county_hospital))


def settlement_list(rng: random.Random, county: County) -> Table:
    """Stays for about 15 % of people (most of the seriously ill, a third of the chronically ill)."""
    table = Table(SETTLEMENT, "住院结算明细.csv", SETTLEMENT_COLUMNS)
    for p in county.people():
        chance = 0.8 if p.serious else 0.3 if p.chronic else 0.1
        if rng.random() < chance:
            count = rng.choices((1, 2, 3), (70, 22, 8))[0]
            for stay in stays(rng, count):
                settlement_row(table, rng, p, p.name, p.id_no, stay)
    return table


DEATH_COLUMNS = [
    ("seq", "序号"), ("name", "姓名"), ("id_no", "身份证号"), ("sex", "性别"), ("death_date", "死亡日期"),
    ("death_cause", "死亡原因"), ("cancel_date", "销户日期"), ("town", "乡镇"), ("village", "村"),
]


def death_list(rng: random.Random, county: County) -> Table:
    table = Table(DEATH, "死亡人员名单.xlsx", DEATH_COLUMNS)
    for p in county.dead():
        h = p.household
        cancelled = min(REF_DATE, p.death + timedelta(days=rng.randint(5, 60)))
        table.add(p, (p.death, h.index), name=p.name, id_no=p.id_no, sex=p.sex, death_date=p.death,
                  death_cause=rng.choices(("病故", "自然死亡", "意外死亡"), (60, 35, 5))[0], cancel_date=dotted(cancelled),
                  town=h.town, village=h.village)
    return table
