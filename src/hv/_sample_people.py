"""The synthetic county's people (hv.sample): households that are right by every rule.

Everything a rule compares is made consistent here once — ID numbers with sex and birth date,
relations with ages and sexes, household attributes with the members' health — so the lists
built from these people are clean until hv.sample injects a defect on purpose.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import accumulate

import polars as pl

from hv import _sample_names as names
from hv.config import CHRONIC_DISEASES
from hv.idnumber import check_char

REF_DATE = date(2020, 12, 31)
COUNTY = "罗山县"
COUNTY_CODE = "411521"
# Other 信阳 counties (people who married in or moved), and 信阳地区 codes in use before 1998.
NEIGHBOUR_CODES = ("411522", "411523", "411524", "411525", "411526", "411527", "411528", "411502", "411503")
OLD_CODES = ("413028", "413021", "413023", "413025")

MALE, FEMALE = "男", "女"
HEAD, SPOUSE = "户主", "配偶"
# Relations below the head's generation and above it, with the sex each implies.
RELATION_SEX = {"之子": MALE, "之女": FEMALE, "之儿媳": FEMALE, "之女婿": MALE, "之孙子": MALE, "之孙女": FEMALE,
                "之外孙子": MALE, "之外孙女": FEMALE, "之父": MALE, "之母": FEMALE}
SIZE_WEIGHTS = {1: 15, 2: 22, 3: 20, 4: 20, 5: 13, 6: 7, 7: 3}

HEALTHY, CHRONIC, SERIOUS, DISABLED = "健康", "长期慢性病", "患有大病", "残疾"
CHILD_SERIOUS = ("儿童先心病", "儿童白血病", "儿童淋巴瘤", "神经母细胞瘤", "唇腭裂", "地中海贫血")
CHILD_SERIOUS_MALE = ("尿道下裂", "血友病")
ADULT_SERIOUS = ("胃癌", "食管癌", "结肠癌", "直肠癌", "终末期肾病", "肺癌", "肝癌", "急性心肌梗死", "耐多药结核病")
ELDER_SERIOUS = ("白内障", "脑卒中", "慢性阻塞性肺气肿")
FEMALE_SERIOUS = ("乳腺癌", "宫颈癌")
CHRONIC_WEIGHTS = dict(zip(CHRONIC_DISEASES, (50, 25, 10, 15), strict=True))

OTHER_CAUSES = ("缺技术", "缺劳力", "缺资金", "缺土地", "交通条件落后", "自身发展动力不足", "因灾")
ETHNICITIES = {"汉族": 964, "回族": 20, "维吾尔族": 6, "满族": 4, "蒙古族": 3, "土家族": 3}


@dataclass(slots=True, eq=False)
class Household:
    index: int
    number: str
    town: str
    village: str
    ethnicity: str
    poverty_type: str = ""
    status: str = ""
    cause: str = ""
    phone: str = ""
    members: list[Person] = field(default_factory=list)
    dead: list[Person] = field(default_factory=list)


@dataclass(slots=True, eq=False)
class Person:
    household: Household
    relation: str
    sex: str
    birth: date
    name: str = ""
    id_no: str = ""
    ethnicity: str = ""
    health: str = HEALTHY
    disease: str = ""
    education: str = ""
    school: str = ""
    labour: str = ""
    person_no: str = ""
    death: date | None = None

    @property
    def age(self) -> int:
        """Age at the bundle's reference date (31 December: the birth year decides)."""
        return REF_DATE.year - self.birth.year

    @property
    def chronic(self) -> str:
        return self.disease if self.disease in CHRONIC_DISEASES else ""

    @property
    def serious(self) -> str:
        return self.disease if self.disease and self.disease not in CHRONIC_DISEASES else ""


class Weighted:
    """random.choices with the cumulative weights computed once."""

    def __init__(self, weights: dict[str, float]):
        self.items = list(weights)
        self.cum = list(accumulate(weights.values()))

    def pick(self, rng: random.Random) -> str:
        return rng.choices(self.items, cum_weights=self.cum)[0]


_SURNAMES = Weighted(names.SURNAMES)
_SIZES = Weighted({str(k): v for k, v in SIZE_WEIGHTS.items()})
_ETHNICITY = Weighted(ETHNICITIES)
_CHRONIC = Weighted(CHRONIC_WEIGHTS)


def places(rng: random.Random) -> dict[str, list[str]]:
    """Each township's villages (8–14 of them), names unique in the county."""
    seen: set[str] = set()
    out: dict[str, list[str]] = {}
    for town in names.TOWNS:
        villages: list[str] = []
        count = rng.randint(8, 14)
        while len(villages) < count:
            village = rng.choice(names.VILLAGE_FIRST) + rng.choice(names.VILLAGE_SECOND) + "村"
            if village not in seen:
                seen.add(village)
                villages.append(village)
        out[town] = villages
    return out


def _born(rng: random.Random, age: int) -> date:
    year = REF_DATE.year - age
    return date(year, 1, 1) + timedelta(days=rng.randrange(365))


def _spouse_age(rng: random.Random, head_age: int) -> int:
    return max(22, head_age + rng.randint(-5, 5))


def _children_ages(rng: random.Random, parents: list[int], count: int, oldest: int = 45) -> list[int]:
    """Children at least 20 years younger than the younger parent (HH007 wants 15)."""
    top = min(parents) - 20
    return [rng.randint(max(0, top - oldest), top) for _ in range(count)]


def compose(rng: random.Random, size: int) -> list[tuple[str, str, int]]:
    """(relation, sex, age) of each member, the head first: a plausible family of `size`."""
    head_sex = MALE if rng.random() < 0.85 else FEMALE
    other = FEMALE if head_sex == MALE else MALE
    if size == 1:
        return [(HEAD, MALE if rng.random() < 0.6 else FEMALE, rng.randint(45, 88))]
    if size == 2 and rng.random() < 0.35:  # a widowed parent and a child
        head_age = rng.randint(45, 82)
        child = "之子" if rng.random() < 0.6 else "之女"
        return [(HEAD, head_sex, head_age), (child, RELATION_SEX[child], _children_ages(rng, [head_age], 1)[0])]
    shape = rng.random() if size >= 4 else 0.0
    if shape < 0.55 or size == 2:  # head, spouse, children
        head_age = rng.randint(28, 60) if size > 2 else rng.randint(40, 85)
        spouse_age = _spouse_age(rng, head_age)
        family = [(HEAD, head_sex, head_age), (SPOUSE, other, spouse_age)]
        for age in _children_ages(rng, [head_age, spouse_age], size - 2, oldest=30):
            child = "之子" if rng.random() < 0.52 else "之女"
            family.append((child, RELATION_SEX[child], age))
        return family
    if shape < 0.85:  # old couple, a married child, grandchildren
        head_age = rng.randint(58, 80)
        spouse_age = max(52, _spouse_age(rng, head_age))
        son = rng.random() < 0.8
        child_age = rng.randint(22, min(head_age, spouse_age) - 20)
        in_law_age = max(22, min(child_age + rng.randint(-4, 4), min(head_age, spouse_age) - 20))
        child, in_law = ("之子", "之儿媳") if son else ("之女", "之女婿")
        family = [(HEAD, head_sex, head_age), (SPOUSE, other, spouse_age), (child, RELATION_SEX[child], child_age),
                  (in_law, RELATION_SEX[in_law], in_law_age)]
        young = ("之孙子", "之孙女") if son else ("之外孙子", "之外孙女")
        for age in _children_ages(rng, [child_age, in_law_age], size - 4, oldest=12):
            grandchild = young[0] if rng.random() < 0.52 else young[1]
            family.append((grandchild, RELATION_SEX[grandchild], age))
        return family
    head_age = rng.randint(30, 52)  # a couple, the head's parents, children
    spouse_age = _spouse_age(rng, head_age)
    family = [(HEAD, head_sex, head_age), (SPOUSE, other, spouse_age)]
    parents = ["之父", "之母"] if size >= 5 and rng.random() < 0.5 else [rng.choice(["之父", "之母"])]
    for parent in parents:
        family.append((parent, RELATION_SEX[parent], min(96, max(head_age, spouse_age) + rng.randint(22, 34))))
    for age in _children_ages(rng, [head_age, spouse_age], size - 2 - len(parents), oldest=25):
        child = "之子" if rng.random() < 0.52 else "之女"
        family.append((child, RELATION_SEX[child], age))
    return family


def _given(rng: random.Random, sex: str) -> str:
    pool = names.MALE_GIVEN if sex == MALE else names.FEMALE_GIVEN
    return "".join(rng.choice(pool) for _ in range(1 if rng.random() < 0.25 else 2))


def _uyghur_given(rng: random.Random, sex: str) -> str:
    return rng.choice(names.UYGHUR_MALE if sex == MALE else names.UYGHUR_FEMALE)


def _surnames(rng: random.Random, household: Household) -> None:
    """Children carry the father's line (the head's, or her husband's); in-laws and mothers their own."""
    head = household.members[0]
    husband = next((p for p in household.members if p.relation == SPOUSE and p.sex == MALE), None)
    own = {id(p): _SURNAMES.pick(rng) for p in household.members}
    head_line = own[id(head)]
    line = own[id(husband)] if husband else head_line
    son_in_law = next((p for p in household.members if p.relation == "之女婿"), None)
    for p in household.members:
        if p.relation in ("之子", "之女", "之孙子", "之孙女"):
            own[id(p)] = line
        elif p.relation in ("之外孙子", "之外孙女") and son_in_law:
            own[id(p)] = own[id(son_in_law)]
        elif p.relation == "之父":
            own[id(p)] = head_line
    for p in household.members:
        p.name = own[id(p)]


def _uyghur_names(rng: random.Random, household: Household) -> None:
    """Given name · father's given name; children name their father, grandchildren theirs."""
    given = {id(p): _uyghur_given(rng, p.sex) for p in household.members}
    fathers = {"之子": (HEAD, SPOUSE), "之女": (HEAD, SPOUSE), "之孙子": ("之子",), "之孙女": ("之子",),
               "之外孙子": ("之女婿",), "之外孙女": ("之女婿",)}
    for p in household.members:
        father = next((given[id(q)] for q in household.members
                       if q.relation in fathers.get(p.relation, ()) and q.sex == MALE), None)
        p.name = f"{given[id(p)]}·{father or rng.choice(names.UYGHUR_FATHER)}"


def _unique_names(rng: random.Random, household: Household, taken: set[tuple[str, date]]) -> None:
    """No two people share a name and a birth date: CS002 would take them for one person.
    On entry a Han member's name is the surname alone."""
    uyghur = household.ethnicity == "维吾尔族"
    for p in household.members:
        name = p.name if uyghur else han_name(rng, p.sex, p.name)
        while (name, p.birth) in taken:
            name = f"{_uyghur_given(rng, p.sex)}·{rng.choice(names.UYGHUR_FATHER)}" if uyghur \
                else han_name(rng, p.sex, p.name)
        taken.add((name, p.birth))
        p.name = name


def _health(rng: random.Random, p: Person) -> None:
    age = p.age
    if age < 15:
        p_chronic, p_serious = 0.004, 0.012
    else:
        p_chronic = 0.035 if age < 40 else 0.13 if age < 60 else 0.22
        p_serious = 0.012 if age < 40 else 0.04 if age < 60 else 0.05
    r = rng.random()
    parts = []
    if r < p_serious:
        parts.append(SERIOUS)
        if age < 15:
            p.disease = rng.choice(CHILD_SERIOUS + (CHILD_SERIOUS_MALE if p.sex == MALE else ()))
        else:
            pool = ADULT_SERIOUS + (ELDER_SERIOUS if age >= 55 else ()) + (FEMALE_SERIOUS if p.sex == FEMALE else ())
            p.disease = rng.choice(pool)
    elif r < p_serious + p_chronic:
        parts.append(CHRONIC)
        p.disease = "结核病" if age < 15 else _CHRONIC.pick(rng)
    if rng.random() < (0.02 if age < 40 else 0.06):
        parts.append(DISABLED)
    rng.shuffle(parts)
    p.health = ",".join(parts) or HEALTHY


GRADES = "一二三"


def _schooling(rng: random.Random, p: Person) -> None:
    """Exactly one of 文化程度 and 在校生状况 is filled (PF010)."""
    age = p.age
    if age < 3:
        p.school = "学龄前儿童"
    elif age < 6:
        p.school = "学前教育"
    elif age < 12:
        p.school = "小学"
    elif age < 15:
        p.school = ("七年级", "八年级", "九年级")[age - 12]
    elif age < 18 and rng.random() < 0.8:
        p.school = ("普通高中" if rng.random() < 0.7 else "中职") + GRADES[age - 15] + "年级"
    elif 18 <= age < 21 and rng.random() < 0.3:
        p.school = ("本科" if rng.random() < 0.4 else "高职高专") + GRADES[age - 18] + "年级"
    elif age < 22:
        p.education = rng.choice(("初中", "初中", "高中"))
    elif age >= 60:
        p.education = rng.choices(("文盲或半文盲", "小学", "初中"), (40, 45, 15))[0]
    elif age >= 40:
        p.education = rng.choices(("小学", "初中", "高中"), (35, 50, 15))[0]
    else:
        p.education = rng.choices(("初中", "高中", "大专", "本科及以上"), (50, 30, 15, 5))[0]


def _labour(rng: random.Random, p: Person) -> None:
    """普通/技能劳动力 only between 16 and 70 (PF011)."""
    age = p.age
    weak = SERIOUS in p.health or DISABLED in p.health
    if age < 16 or p.school:
        p.labour = "无劳动力"
    elif age > 70:
        p.labour = "丧失劳动力" if weak or rng.random() < 0.5 else "弱劳动力或半劳动力"
    elif weak:
        p.labour = rng.choice(("弱劳动力或半劳动力", "丧失劳动力"))
    elif age > 60:
        p.labour = "普通劳动力" if rng.random() < 0.4 else "弱劳动力或半劳动力"
    else:
        p.labour = rng.choices(("普通劳动力", "技能劳动力", "弱劳动力或半劳动力"), (70, 20, 10))[0]


def _household_attributes(rng: random.Random, h: Household) -> None:
    """因病 only with a sick member (HH010), 因残 only with a disabled one."""
    members = h.members
    alone_and_old = len(members) == 1 and members[0].age >= 60
    h.poverty_type = "特困供养贫困户" if alone_and_old and rng.random() < 0.5 else \
        ("一般贫困户" if rng.random() < 0.65 else "低保贫困户")
    h.status = "已脱贫" if rng.random() < 0.93 else "未脱贫"
    sick = any(p.disease for p in members)
    disabled = any(DISABLED in p.health for p in members)
    studying = any(p.school and p.age >= 6 for p in members)
    if sick and rng.random() < 0.75:
        h.cause = "因病"
    elif disabled and rng.random() < 0.6:
        h.cause = "因残"
    elif studying and rng.random() < 0.3:
        h.cause = "因学"
    else:
        h.cause = rng.choice(OTHER_CAUSES)


def _address_code(rng: random.Random, p: Person) -> str:
    married_in = p.relation in (SPOUSE, "之儿媳", "之女婿", "之母")
    if p.birth.year < 1985 and rng.random() < 0.2:
        return rng.choice(OLD_CODES[:1] * 3 + OLD_CODES[1:])
    if rng.random() < (0.35 if married_in else 0.05):
        return rng.choice(NEIGHBOUR_CODES)
    return COUNTY_CODE


def check_chars(first17: list[str]) -> list[str]:
    """GB 11643 check characters of many 17-digit strings in one vectorised pass."""
    frame = pl.DataFrame({"first17": first17}, schema={"first17": pl.String})
    return frame.select(check=check_char(pl.col("first17")))["check"].to_list()


def id_stem(rng: random.Random, code: str, birth: date, male: bool, taken: set[str]) -> str:
    """The first 17 digits of an unused ID: address code, birth date, a sequence whose last digit is
    odd for men. Added to `taken`."""
    stem = code + birth.strftime("%Y%m%d")
    while (candidate := stem + f"{rng.randrange(100):02d}" + str(rng.randrange(5) * 2 + male)) in taken:
        pass
    taken.add(candidate)
    return candidate


def with_check(first17: str) -> str:
    return first17 + check_chars([first17])[0]


def _assign_ids(rng: random.Random, people: list[Person], taken: set[str]) -> None:
    first17 = [id_stem(rng, _address_code(rng, p), p.birth, p.sex == MALE, taken) for p in people]
    for p, stem, check in zip(people, first17, check_chars(first17), strict=True):
        p.id_no = stem + check


def han_name(rng: random.Random, sex: str, surname: str | None = None) -> str:
    return (surname or _SURNAMES.pick(rng)) + _given(rng, sex)


@dataclass
class County:
    households: list[Household]
    villages: dict[str, list[str]]
    taken_ids: set[str]  # first 17 digits of every ID given out
    taken_names: set[tuple[str, date]]

    def people(self) -> list[Person]:
        return [p for h in self.households for p in h.members]

    def dead(self) -> list[Person]:
        return [p for h in self.households for p in h.dead]


MIN_UYGHUR_HOUSEHOLDS = 3  # so that even a small bundle has middle-dot names


def populate(rng: random.Random, people: int) -> County:
    """Households holding `people` living persons, plus about 0.5 % who died in 2016–2020."""
    villages = places(rng)
    towns = list(villages)
    dead_count = max(10, round(people * 0.005))
    total = people + dead_count
    households: list[Household] = []
    count = 0
    while count < total:
        size = min(int(_SIZES.pick(rng)), total - count)
        town = rng.choice(towns[:1] * 2 + towns)  # the county seat's township is the largest
        ethnicity = "维吾尔族" if len(households) < MIN_UYGHUR_HOUSEHOLDS * 7 and len(households) % 7 == 3 \
            else _ETHNICITY.pick(rng)
        h = Household(0, "", town, rng.choice(villages[town]), ethnicity)
        h.members = [Person(h, relation, sex, _born(rng, age)) for relation, sex, age in compose(rng, size)]
        households.append(h)
        count += size
    order = {v: i for i, v in enumerate(v for t in towns for v in villages[t])}
    households.sort(key=lambda h: order[h.village])
    taken_names: set[tuple[str, date]] = set()
    per_village: dict[str, int] = {}
    for index, h in enumerate(households):
        h.index = index
        n = per_village[h.village] = per_village.get(h.village, -1) + 1
        place = f"{towns.index(h.town):02d}{villages[h.town].index(h.village):02d}"
        h.number = f"{COUNTY_CODE}{place}{n // 9:05d}{n % 9 + 1}"  # 16 digits, never ending in 0 (IMP005)
        h.phone = f"1{'3456789'[index % 7]}{(index * 7919 + 104729) % 10**9:09d}"
        (_uyghur_names if h.ethnicity == "维吾尔族" else _surnames)(rng, h)
        _unique_names(rng, h, taken_names)
        for k, p in enumerate(h.members, 1):
            p.ethnicity = h.ethnicity
            p.person_no = f"{h.number}{k:02d}"
            _health(rng, p)
            _schooling(rng, p)
            _labour(rng, p)
    everyone = [p for h in households for p in h.members]
    taken_ids: set[str] = set()
    _assign_ids(rng, everyone, taken_ids)
    _bury(rng, everyone, dead_count)
    for h in households:
        _household_attributes(rng, h)
    return County(households, villages, taken_ids, taken_names)


DEATHS_FROM, DEATHS_TO = date(2016, 1, 1), date(2020, 11, 30)


def _bury(rng: random.Random, everyone: list[Person], count: int) -> None:
    """Members other than heads die, mostly old ones; they leave the household's living members."""
    others = [p for p in everyone if p.relation != HEAD]
    old = [p for p in others if p.age >= 60]
    chosen = rng.sample(old, min(len(old), count * 4 // 5))
    rest = [p for p in others if p.age < 60]
    chosen += rng.sample(rest, count - len(chosen))
    span = (DEATHS_TO - DEATHS_FROM).days
    for p in chosen:
        p.death = max(DEATHS_FROM + timedelta(days=rng.randrange(span)), p.birth + timedelta(days=30))
        p.household.members.remove(p)
        p.household.dead.append(p)
