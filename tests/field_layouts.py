"""Real export layouts, rebuilt from their header texts and filled with clean synthetic people.

Each layout reproduces what a public system writes (or a clerk keeps): its title and note rows,
merged group headers, column order and header texts, and the code values it writes. The sources
are the public export code named in each layout's `source`. The people are made here, not by
`hv sample`: households of one to six with consistent relations, sexes, ages and valid ID numbers,
so that every finding hv makes on a layout is a false alarm. Tests read them from here
(tests/test_field_layouts.py); `make bench` prints how hv fares on all of them.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import xlsxwriter

DATA_YEAR = 2020
REF_DATE = date(2020, 12, 31)
COUNTIES = {"411521": ("罗山县", ["周党镇", "青山镇"]), "522729": ("长顺县", ["广顺镇", "摆所镇"])}
VILLAGES = ["东村", "西岗村", "南湾村", "北山村"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程魏吕丁沈姚卢崔钟谭陆范金石廖贾夏付方白邹孟熊秦邱江尹"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚华建国红梅玉志金凤文春燕海德福顺桂荣"
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def check_char(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, WEIGHTS))
    return "10X98765432"[total % 11]


@dataclass
class Person:
    household: int
    household_no: str
    relation: str  # plain: 户主 配偶 子 女 父 母
    name: str
    male: bool
    born: date
    id_no: str
    county: str
    town: str
    village: str
    phone: str
    household_size: int = 1
    head_name: str = ""
    head_id: str = ""
    health: str = "健康"
    disease: str = ""
    dead: date | None = None
    household_sick: bool = False  # someone in the household is chronically or seriously ill

    @property
    def sex(self) -> str:
        return "男" if self.male else "女"

    def age(self, on: date = REF_DATE) -> int:
        return on.year - self.born.year - ((on.month, on.day) < (self.born.month, self.born.day))

    @property
    def student(self) -> bool:
        return 6 <= self.age() <= 17

    @property
    def child(self) -> bool:
        return self.age() < 16


def people(seed: int, households: int = 10) -> list[Person]:
    """Households of one to six: a head, a spouse of the other sex, children 22–32 years younger, a
    widowed parent at times. Every ID is valid and agrees with sex and birth date."""
    rng = random.Random(seed)
    out: list[Person] = []
    serial = 0
    for h in range(households):
        county_code = rng.choice(list(COUNTIES))
        county, towns = COUNTIES[county_code]
        town, village = rng.choice(towns), rng.choice(VILLAGES)
        household_no = f"{county_code}{rng.randrange(10**9, 10**10)}"
        surname = rng.choice(SURNAMES)
        phone = f"1{rng.choice('3589')}{rng.randrange(10**8, 10**9)}"
        head_male = rng.random() < 0.8
        head_born = date(rng.randrange(1945, 1985), rng.randrange(1, 13), rng.randrange(1, 29))
        members = [("户主", head_male, head_born, surname)]
        if rng.random() < 0.8:
            members.append(("配偶", not head_male, head_born + timedelta(days=rng.randrange(-1500, 1500)),
                            rng.choice(SURNAMES)))
        for _ in range(rng.randrange(0, 3)):
            child_born = head_born + timedelta(days=365 * rng.randrange(22, 33) + rng.randrange(300))
            if child_born.year <= DATA_YEAR - 1:
                male = rng.random() < 0.5
                members.append(("子" if male else "女", male, child_born, surname))
        if rng.random() < 0.2 and head_born.year > 1960:
            members.append(("母", False, head_born - timedelta(days=365 * rng.randrange(24, 30)), rng.choice(SURNAMES)))
        for relation, male, born, family in members:
            serial += 1
            sequence = rng.randrange(1, 499) * 2 + (1 if male else 0)
            first17 = f"{county_code}{born:%Y%m%d}{sequence:03d}"
            name = family + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))
            out.append(Person(h, household_no, relation, name, male, born, first17 + check_char(first17), county,
                              town, village, phone))
        size = len(members)
        for p in out[-size:]:
            p.household_size = size
            p.head_name, p.head_id = out[-size].name, out[-size].id_no
    for i, p in enumerate(out):
        if i % 7 == 3 and p.age() >= 30:
            p.health, p.disease = "长期慢性病", "高血压"
        elif i % 11 == 5 and p.age() >= 20:
            p.health, p.disease = "患有大病", "胃癌"
    sick = {p.household for p in out if p.health != "健康"}
    for p in out:
        p.household_sick = p.household in sick
    return out


def cause(p: Person) -> str:
    return "因病" if p.household_sick else "缺技术"


# --- how each system writes a value -------------------------------------------------------------

POVERTY_RELATION = {"户主": "户主", "配偶": "配偶", "子": "之子", "女": "之女", "母": "之母"}
PLAIN_RELATION = {"户主": "户主", "配偶": "配偶", "子": "儿子", "女": "女儿", "母": "母亲"}


def education(p: Person) -> str:
    return "" if p.student or p.age() < 6 else ("初中" if p.age() < 60 else "小学")


def school(p: Person) -> str:
    a = p.age()
    if a < 6:
        return "学龄前儿童"
    if a <= 11:
        return "小学"
    if a <= 14:
        return ("七年级", "八年级", "九年级")[a - 12]
    if a <= 17:
        return ("普通高中一年级", "普通高中二年级", "普通高中三年级")[a - 15]
    return ""


def labour(p: Person) -> str:
    a = p.age()
    if a < 16:
        return "无劳动力"
    if a > 65:
        return "丧失劳动力"
    return "弱劳动力或半劳动力" if p.health != "健康" else "普通劳动力"


def work_months(p: Person) -> str:
    return "6" if labour(p) == "普通劳动力" and p.relation in ("子", "女") else "0"


def work_place(p: Person) -> str:
    return "浙江省宁波市" if work_months(p) == "6" else ""


def ymd(d: date) -> str:
    return f"{d:%Y-%m-%d}"


def cn_date(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def death_day(p: Person) -> date:
    return date(2019, 1 + p.born.day % 12, 1 + p.born.month)


def money(x: float) -> str:
    return f"{x:.2f}"


def settlement(p: Person) -> dict[str, float]:
    """One inpatient settlement that adds up and reimburses the poor above 90 %."""
    total = 3000 + (int(p.id_no[10:14]) % 17) * 731.5
    basic, serious, assist = round(total * 0.62, 2), round(total * 0.10, 2), round(total * 0.12, 2)
    supp = round(total * 0.08, 2)
    self_pay = round(total - basic - serious - assist - supp, 2)
    return {"total": total, "basic": basic, "serious": serious, "assist": assist, "supp": supp, "self": self_pay,
            "fund": round(basic + serious + assist + supp, 2)}


Value = Callable[[Person], object]


@dataclass
class Layout:
    """One export layout: where it comes from, what kind of list it is, how its sheet looks."""

    name: str
    kind: str  # what hv must read it as
    source: str
    file: str
    columns: Sequence[tuple[str, Value]]
    title: Sequence[str] = ()  # rows above the header, each merged over the width
    groups: Sequence[tuple[str, int, int]] = ()  # (text, first column, last column) merged over the header
    rows: Callable[[list[Person]], list[Person]] = lambda ps: ps
    seed: int = 1
    sheet: str = "Sheet1"
    footer: Sequence[str] = ()

    def write(self, folder: Path) -> Path:
        path = folder / self.file
        persons = self.rows(people(self.seed))
        headers = [h for h, _ in self.columns]
        body = [["" if (v := fn(p)) is None else str(v) for _, fn in self.columns] for p in persons]
        if path.suffix == ".csv":
            lines = [*self.title, ",".join(headers), *(",".join(r) for r in body)]
            path.write_bytes(("\n".join(lines) + "\n").encode("gb18030"))
            return path
        wb = xlsxwriter.Workbook(str(path))
        ws = wb.add_worksheet(self.sheet)
        width = len(headers)
        row = 0
        for text in self.title:
            ws.merge_range(row, 0, row, width - 1, text) if width > 1 else ws.write_string(row, 0, text)
            row += 1
        if self.groups:
            covered = set()
            for text, first, last in self.groups:
                if last > first:
                    ws.merge_range(row, first, row, last, text)
                else:
                    ws.write_string(row, first, text)
                covered.update(range(first, last + 1))
            for c, h in enumerate(headers):
                if c not in covered:
                    ws.merge_range(row, c, row + 1, c, h)
            row += 1
            for c, h in enumerate(headers):
                if c in covered:
                    ws.write_string(row, c, h)
        else:
            for c, h in enumerate(headers):
                ws.write_string(row, c, h)
        row += 1
        for values in body:
            for c, v in enumerate(values):
                if v != "":
                    ws.write_string(row, c, v)
            row += 1
        for text in self.footer:
            ws.write_string(row, 0, text)
            row += 1
        wb.close()
        return path


def heads_only(ps: list[Person]) -> list[Person]:
    return [p for p in ps if p.relation == "户主"]


def adults(ps: list[Person]) -> list[Person]:
    return [p for p in ps if p.age() >= 18]


# --- the layouts --------------------------------------------------------------------------------

NATIONAL_47 = [
    ("省", lambda p: "河南省"), ("市", lambda p: "信阳市"), ("县", lambda p: p.county), ("乡", lambda p: p.town),
    ("村", lambda p: p.village), ("户编号", lambda p: p.household_no), ("人口编号", lambda p: p.id_no[-6:]),
    ("姓名", lambda p: p.name), ("性别", lambda p: p.sex), ("出生日期", lambda p: ymd(p.born)),
    ("证件类型", lambda p: "居民身份证"), ("证件号码", lambda p: p.id_no), ("民族", lambda p: "汉族"),
    ("户联系电话", lambda p: p.phone), ("成员联系电话", lambda p: p.phone if p.age() >= 18 else ""),
    ("年度", lambda p: DATA_YEAR), ("与户主关系", lambda p: POVERTY_RELATION[p.relation]),
    ("文化程度", education), ("在校生状况", school), ("劳动技能", labour), ("务工时间（月）", work_months),
    ("健康状况", lambda p: p.health), ("政治面貌", lambda p: "群众"), ("务工企业名称", lambda p: ""),
    ("是否享受低保", lambda p: "否"), ("是否参加城镇职工基本养老保险", lambda p: "否"),
    ("是否参加大病保险", lambda p: "是"), ("是否参加新型农村合作医疗（城乡居民基本医疗保险）", lambda p: "是"),
    ("是否参加城乡居民基本养老保险", lambda p: "是" if p.age() >= 16 else "否"), ("失学或辍学原因", lambda p: ""),
    ("是否会讲普通话", lambda p: "是"), ("是否参加商业补充医疗保险", lambda p: "否"), ("是否国外务工", lambda p: "否"),
    ("产业分类", lambda p: ""), ("是否接受大病医疗救助", lambda p: "否"), ("是否接受其他健康扶贫", lambda p: "是"),
    ("公益性岗位类型", lambda p: ""), ("公益性岗位(月数)", lambda p: "0"), ("就业渠道", lambda p: ""),
    ("残疾类别", lambda p: ""), ("务工所在地", work_place), ("户主姓名", lambda p: p.head_name),
    ("户主证件号码", lambda p: p.head_id), ("是否参加城镇职工基本医疗保险", lambda p: "否"),
    ("是否特困供养人员", lambda p: "否"), ("残疾证办证年度", lambda p: ""), ("识别标准", lambda p: "国家标准"),
]

IDAP_32 = [
    ("序号", lambda p: ""), ("数据日期", lambda p: "20220930"), ("县(市、区、旗)", lambda p: p.county),
    ("乡(镇)", lambda p: p.town), ("行政村", lambda p: p.village), ("自然村", lambda p: "一组"),
    ("户编号", lambda p: p.household_no), ("人编号", lambda p: p.id_no[-6:]), ("姓名", lambda p: p.name),
    ("证件号码", lambda p: p.id_no), ("人数", lambda p: p.household_size),
    ("与户主关系", lambda p: POVERTY_RELATION[p.relation]), ("民族", lambda p: "汉族"), ("文化程度", education),
    ("在校生状况", school), ("健康状况", lambda p: p.health), ("劳动技能", labour), ("务工时间（月）", work_months),
    ("是否参加大病保险", lambda p: "是"), ("致贫原因1", cause),
    ("危房户", lambda p: "否"), ("是否解决安全饮用水", lambda p: "是"), ("人均纯收入", lambda p: "8650.5"),
    ("户联系电话", lambda p: p.phone), ("人联系电话", lambda p: p.phone if p.age() >= 18 else ""),
    ("首次识别时间", lambda p: "2014-10-01"), ("人员识别时间", lambda p: "2014-10-01"),
    ("户类型", lambda p: "脱贫户" if p.household % 3 else "一般农户"),
    ("易返贫致贫户(监测对象)类型", lambda p: "" if p.household % 3 else "边缘易致贫户"),
    ("风险是否消除", lambda p: "" if p.household % 3 else "否"),
    ("风险识别时间", lambda p: "" if p.household % 3 else "2021-06-01"), ("风险消除时间", lambda p: ""),
]


LAYOUTS: list[Layout] = []


def layout(*args, **kwargs) -> Layout:
    item = Layout(*args, **kwargs)
    LAYOUTS.append(item)
    return item


layout("national-47", "poverty", "shared/domain.md S8: 28-rule checker's 47-column person export", "扶贫对象信息.xlsx",
       NATIONAL_47)
layout("idap-ytprkmd", "poverty", "xiaoxinllleee/idap-service SgtzglYtprkmd (已脱贫人口名单, 2022)", "已脱贫人口名单.xlsx",
       IDAP_32, title=["已脱贫人口名单报表", "导出人:张三"], sheet="已脱贫人口名单")
layout("idap-byyzprkmd", "poverty", "xiaoxinllleee/idap-service SgtzglByyzprkmd (边缘易致贫人口名单)", "导出.xlsx",
       IDAP_32, title=["边缘易致贫人口名单报表", "导出人:李四"], sheet="边缘易致贫人口名单", seed=2)
layout("idap-tpjchmd", "poverty", "xiaoxinllleee/idap-service Tpjchmd (脱贫户及监测户名单)", "名单.xlsx", [
    ("姓名", lambda p: p.name), ("证件号码", lambda p: p.id_no), ("健康状况", lambda p: p.health), ("劳动技能", labour),
    ("致贫原因1", cause), ("联系电话", lambda p: p.phone), ("户类型", lambda p: "脱贫户"),
    ("易返贫致贫户(监测对象)类型", lambda p: ""), ("风险是否消除", lambda p: "")], seed=3)
layout("fuping-jcdx", "poverty", "Gzuwkj/fuping （自定义）监测对象信息, header on row 3", "（自定义）监测对象信息 (22).xlsx", [
    ("县", lambda p: p.county), ("乡", lambda p: p.town), ("村", lambda p: p.village), ("户编号", lambda p: p.household_no),
    ("人编号", lambda p: p.id_no[-6:]), ("姓名", lambda p: p.name), ("证件类型", lambda p: "居民身份证"),
    ("证件号码", lambda p: p.id_no), ("性别", lambda p: p.sex), ("出生日期", lambda p: ymd(p.born)),
    ("民族", lambda p: "汉族"), ("与户主关系", lambda p: POVERTY_RELATION[p.relation]),
    ("户类型", lambda p: "脱贫户" if p.household % 4 else "监测户"),
    ("监测对象类别", lambda p: "" if p.household % 4 else "脱贫不稳定户"), ("文化程度", education),
    ("在校生状况", school), ("健康状况", lambda p: p.health), ("劳动技能", labour), ("务工所在地", work_place),
    ("是否参加城乡居民基本医疗保险", lambda p: "是"), ("是否参加城镇职工基本医疗保险", lambda p: "否"),
    ("是否参加大病保险", lambda p: "是"), ("享受低保政策情况", lambda p: "未享受"),
    ("享受特困供养政策情况", lambda p: "未享受"), ("风险是否已消除", lambda p: "" if p.household % 4 else "是"),
    ("识别监测时间", lambda p: "" if p.household % 4 else "202110"),
    ("消除监测时间", lambda p: "" if p.household % 4 else "202209"),
    ("致贫/返贫风险1", lambda p: "" if p.household % 4 else "因病"), ("人均纯收入（元）", lambda p: "9120"),
    ("户联系电话", lambda p: p.phone), ("家庭成员联系电话", lambda p: p.phone if p.age() >= 18 else ""),
    ("健康帮扶", lambda p: "城乡居民基本医疗保险个人缴费补贴")],
       title=["（自定义）监测对象信息", "导出时间：2023-12-18"], seed=4)
layout("fuping-huxx", "poverty", "Gzuwkj/fuping （乡村建设）户信息: one row per household", "（乡村建设）户信息_20231218.xlsx", [
    ("县(市、区、旗)", lambda p: p.county), ("乡(镇)", lambda p: p.town), ("行政村", lambda p: p.village),
    ("户编号", lambda p: p.household_no), ("户主姓名", lambda p: p.name), ("证件号码", lambda p: p.id_no),
    ("户类型", lambda p: "脱贫户"), ("家庭人口数", lambda p: p.household_size), ("卫生厕所是否能正常使用", lambda p: "是")],
       title=["（乡村建设）户信息", "导出时间：2023-12-18"], rows=heads_only, seed=5)
layout("household-heads", "poverty", "a list of households keyed by the head (户主姓名 / 户主身份证号)", "监测户清单.xlsx", [
    ("户编号", lambda p: p.household_no), ("户主姓名", lambda p: p.name), ("户主身份证号", lambda p: p.id_no),
    ("家庭人口数", lambda p: p.household_size), ("户类型", lambda p: "监测户"),
    ("监测对象类别", lambda p: "突发严重困难户"), ("风险是否消除", lambda p: "否")], rows=heads_only, seed=6)

JDLK_COLUMNS = [
    ("序号", lambda p: ""), ("行政区划代码", lambda p: p.id_no[:6] + "101001"), ("县", lambda p: p.county),
    ("乡镇", lambda p: p.town), ("村", lambda p: p.village), ("所属建档立卡对象", lambda p: "扶贫开发对象"),
    ("户编号", lambda p: p.household_no), ("家庭人口数", lambda p: p.household_size),
    ("是否脱贫", lambda p: "是" if p.household % 2 else "否"), ("姓名", lambda p: p.name), ("性别", lambda p: p.sex),
    ("出生日期", lambda p: ymd(p.born)), ("身份证号", lambda p: p.id_no),
    ("与户主关系", lambda p: PLAIN_RELATION[p.relation]), ("婚姻状况", lambda p: "初婚" if p.age() >= 22 else "未婚"),
    ("联系电话", lambda p: p.phone), ("服务类型", lambda p: "高血压;糖尿病" if p.disease == "高血压" else "普通服务人群"),
    ("大病名称", lambda p: p.disease if p.disease == "胃癌" else ""),
    ("纸质签约", lambda p: "已签约"), ("电子签约", lambda p: "已签约"),
    ("签约服务开始时间", lambda p: "2020-03-01"), ("签约服务终止时间", lambda p: "2021-02-28"),
    ("未落实签约原因", lambda p: ""), ("签约后随访次数", lambda p: "4"), ("最后一次随访时间", lambda p: "2020-11-20"),
    ("签约后随访次数", lambda p: "4"), ("最后一次随访时间", lambda p: "2020-11-20"),
]
layout("familydoctor-jdlkhcb", "poverty", "zzr156/familydoctor jdlkhcb.xls (健康扶贫对象花名册, 3-row header)",
       "jdlkhcb.xlsx", JDLK_COLUMNS, title=["健康扶贫对象花名册"],
       groups=[("建档立卡所属区域", 1, 4), ("建档情况", 6, 8), ("基本信息", 9, 15), ("建档立卡贫困户类型", 16, 17),
               ("签约情况", 18, 22), ("高血压患者", 23, 24), ("糖尿病患者", 25, 26)], seed=7)
layout("familydoctor-jdlk-roster", "poverty", "zzr156/familydoctor ArchivingAction (建档立卡居民花名册, variant B)",
       "建档立卡居民花名册.xlsx", [
           ("健康档案号", lambda p: "35" + p.id_no[6:18]), ("县", lambda p: p.county), ("街道(乡镇)", lambda p: p.town),
           ("社区(村)", lambda p: p.village), ("姓名", lambda p: p.name), ("身份证", lambda p: p.id_no),
           ("联系电话", lambda p: p.phone), ("低保户", lambda p: "否"), ("特困户", lambda p: "否"),
           ("签约状态", lambda p: "已签约"), ("是否脱贫", lambda p: "是"), ("未签原因", lambda p: "")],
       title=["罗山县建档立卡居民花名册", "  填报机构：周党镇卫生院                     填报日期：2020年12月31日",
              " 建档立卡人数：40; 未建档人数：0; 未建档已签约人数：0; 已建档未签约人数：0; 脱贫人数：40; 异常数据：0"], seed=8)
layout("familydoctor-sign", "contract", "zzr156/familydoctor SignAction (居民签约信息)", "居民签约信息.xlsx", [
    ("签约编号", lambda p: "QY" + p.id_no[-8:]), ("姓名", lambda p: p.name), ("年龄", lambda p: p.age()),
    ("性别", lambda p: p.sex), ("身份证", lambda p: p.id_no), ("联系电话", lambda p: p.phone),
    ("村/居委会", lambda p: p.village), ("详细地址", lambda p: f"{p.village}{p.household % 30 + 1}号"),
    ("人口经济性质", lambda p: "建档立卡贫困人口"), ("服务类型", lambda p: "高血压,糖尿病" if p.disease == "高血压" else "普通人群"),
    ("医保类型", lambda p: "居民医保"), ("签约时间", lambda p: "2020-03-01"), ("协议时间", lambda p: "2020/03/01至2021/02/28"),
    ("签约状态", lambda p: "已签约已缴费 "), ("签约团队", lambda p: "周党镇一团队"), ("签约操作人", lambda p: "管理员"),
    ("公卫补助", lambda p: "20"), ("医保预支付", lambda p: "50"), ("财政补贴", lambda p: "0"), ("自费", lambda p: "0"),
    ("签约医生", lambda p: "陈建华")], sheet="居民签约信息", seed=9)
layout("familydoctor-unsign", "contract", "zzr156/familydoctor SignAction.exportDissolutionData (解约信息)", "解约信息.xlsx", [
    ("签约单主键", lambda p: "JY" + p.id_no[-8:]), ("姓名", lambda p: p.name), ("性别", lambda p: p.sex),
    ("身份证", lambda p: p.id_no), ("社保卡号", lambda p: "A" + p.id_no[-8:]), ("解约时间", lambda p: "2020-02-28"),
    ("解约原因", lambda p: "签约到期，自动解约"), ("续签时间", lambda p: "2020-03-01"),
    ("服务套餐主键", lambda p: "FW01"), ("服务套餐名称", lambda p: "贫困重点人群服务包"), ("签约团队", lambda p: "周党镇一团队"),
    ("签约医生", lambda p: "陈建华"), ("签约来源", lambda p: "WEB签约")], sheet="解约信息", seed=10)
layout("familydoctor-assess", "contract", "zzr156/familydoctor AssessmentAction (绩效考核统计)", "绩效考核统计信息.xlsx", [
    ("序号", lambda p: ""), ("姓名", lambda p: p.name), ("签约编号", lambda p: "QY" + p.id_no[-8:]), ("性别", lambda p: p.sex),
    ("年龄", lambda p: p.age(date(2020, 12, 31))), ("身份证号", lambda p: p.id_no), ("签约时间", lambda p: "2020-03-01"),
    ("考核完成", lambda p: "是"), ("到期日期", lambda p: "2021-02-28"), ("当前得分", lambda p: "86"), ("当前评级", lambda p: "优")],
       title=["绩效考核统计", "日期：2020年12月31日"], sheet="绩效考核统计表", seed=11)
layout("his-sign", "contract", "rw-bsoft/his SCM_SignContractRecord_List.sc (签约表, grouped header)", "签约表.xlsx", [
    ("是否收费", lambda p: "是"), ("姓名", lambda p: p.name), ("性别", lambda p: p.sex), ("出生日期", lambda p: ymd(p.born)),
    ("身份证号码", lambda p: p.id_no), ("本人电话", lambda p: p.phone), ("联系人电话", lambda p: p.phone),
    ("现住址", lambda p: p.village), ("签约包型", lambda p: "基础包"), ("签约医生", lambda p: "陈建华"),
    ("签约团队", lambda p: "一团队"), ("签约周期", lambda p: "1年"), ("签约日期", lambda p: "2020-02-20"),
    ("开始日期", lambda p: "2020-03-01"), ("结束日期", lambda p: "2021-02-28"), ("签约状态", lambda p: "签约"),
    ("签约来源", lambda p: "电脑"), ("录入日期", lambda p: "2020-02-20"), ("录入人", lambda p: "管理员"),
    ("录入单位", lambda p: "卫生院"), ("备注", lambda p: ""), ("人群分类", lambda p: "高血压" if p.disease == "高血压" else "一般人群")],
       groups=[("居民信息 ", 1, 7), ("签约确认", 9, 9), ("签约信息", 12, 16)], seed=12)
layout("jsd-qyxx", "contract", "rw-bsoft/his JSD_Qyxx.sc (捷士达签约信息)", "捷士达签约信息.xlsx", [
    ("身份证", lambda p: p.id_no), ("姓名", lambda p: p.name), ("签约团队", lambda p: "一团队"), ("签约年限", lambda p: "1"),
    ("服务类型", lambda p: "基本服务"), ("服务项目", lambda p: "健康管理"),
    ("人员类型", lambda p: "建档立卡贫困人口"), ("签约日期", lambda p: "2020-03-01"), ("特色服务", lambda p: "否"),
    ("特色服务项目", lambda p: ""), ("家庭医生", lambda p: "陈建华")], seed=13)


def exit_reason(p: Person) -> str:
    return "死亡"


layout("population-deaths", "death", "tianxq2017/Temp EditWjBdsw.aspx (卫计全员人口变动死亡信息)", "人口变动信息.xlsx", [
    ("户人编号", lambda p: p.household_no[-8:] + p.id_no[-2:]), ("姓名", lambda p: p.name), ("性别", lambda p: p.sex),
    ("身份证号", lambda p: p.id_no), ("小区或组名称", lambda p: "一组"), ("门牌号", lambda p: str(p.household + 1)),
    ("出生日期", lambda p: ymd(p.born)), ("民族", lambda p: "汉族"), ("文化程度", lambda p: "小学"),
    ("户口性质", lambda p: "农业"), ("婚姻状况", lambda p: "初婚"), ("初婚日期", lambda p: ""),
    ("与户主关系", lambda p: PLAIN_RELATION[p.relation]), ("户籍所在地", lambda p: p.county), ("现居住地", lambda p: p.village),
    ("配偶姓名", lambda p: ""), ("配偶公民身份号码", lambda p: ""), ("父亲姓名", lambda p: ""), ("父亲公民身份号码", lambda p: ""),
    ("母亲姓名", lambda p: ""), ("母亲公民身份号码", lambda p: ""), ("居住状况", lambda p: "常住"),
    ("退出系统日期", lambda p: ymd(death_day(p))), ("退出系统原因", exit_reason)], rows=adults, seed=14)
layout("pension-funeral", "death", "tianxq2017/Temp EditRsBzff.aspx (丧葬补助金发放表)", "丧葬补助金发放表.xlsx", [
    ("村（社区）", lambda p: p.village), ("死亡人姓名", lambda p: p.name), ("身份证号码", lambda p: p.id_no),
    ("死亡月份", lambda p: f"{death_day(p):%Y-%m}"), ("停发月份", lambda p: f"{death_day(p) + timedelta(days=31):%Y-%m}"),
    ("扣除80月份", lambda p: ""), ("扣除95月份", lambda p: ""), ("应发金额", lambda p: "1500"), ("实发金额", lambda p: "1500"),
    ("银行账号", lambda p: "6228" + p.id_no[-12:])], rows=adults, seed=15)
layout("cremation-stats", "death", "A1500/cam fisCremationDeadInfoListExcel.jsp (逝者统计报表)", "逝者统计报表.xlsx", [
    ("序号", lambda p: ""), ("姓名", lambda p: p.name), ("性别", lambda p: p.sex), ("出生年月", lambda p: f"{p.born:%Y-%m}"),
    ("年龄", lambda p: p.age(death_day(p))), ("证件号码", lambda p: p.id_no), ("户口所在地", lambda p: p.county),
    ("死亡原因", lambda p: "病故"), ("入馆时间", lambda p: ymd(death_day(p))),
    ("火化时间", lambda p: ymd(death_day(p) + timedelta(days=2))), ("骨灰去向", lambda p: "户口所在地公益性公墓安葬（放）")],
       title=["逝者统计报表", "统计单位：罗山县殡仪馆"], footer=["制表人：罗山县殡仪馆", "制表时间：2020-12-31"],
       rows=adults, sheet="逝者统计报表", seed=16)
layout("cremation-export", "death", "A1500/cam fisFuneralDeadInfoExcel.jsp (火化数据查询导出)", "火化数据查询导出.xlsx", [
    ("户口所在地", lambda p: p.county), ("殡仪馆名称", lambda p: "罗山县殡仪馆"), ("逝者姓名", lambda p: p.name),
    ("性别", lambda p: p.sex), ("年龄", lambda p: p.age(death_day(p))), ("证件号码", lambda p: p.id_no),
    ("享受惠民政策", lambda p: "1"), ("死亡原因", lambda p: "02"), ("入馆时间", lambda p: ymd(death_day(p))),
    ("去世时间", lambda p: ymd(death_day(p))), ("火化时间", lambda p: ymd(death_day(p) + timedelta(days=2))),
    ("骨灰去向", lambda p: "户口所在地公益性公墓安葬（放）")],
       title=["火化数据查询导出", "导出单位：罗山县殡仪馆"], rows=adults, sheet="火化数据分所属地区统计", seed=17)


def one_stop(p: Person) -> dict[str, float]:
    s = settlement(p)
    return {**s, "insurance": round(s["basic"] + s["serious"] + s["supp"], 2)}


layout("civil-one-stop", "settlement", "A1500/cam samMBalanceExcel.jsp (一站式结算民政报表)", "一站式结算民政报表.xlsx", [
    ("住院号", lambda p: "ZY" + p.id_no[-7:]), ("姓名", lambda p: p.name), ("性别", lambda p: p.sex), ("年龄", lambda p: p.age()),
    ("身份证号", lambda p: p.id_no), ("医疗救助类型", lambda p: "农村低保"), ("医疗救助证书编号", lambda p: "DB" + p.id_no[-6:]),
    ("救助对象属地", lambda p: p.town), ("优抚证书类型", lambda p: ""), ("优抚证书编号", lambda p: ""),
    ("入住医院", lambda p: "罗山县人民医院"), ("病种", lambda p: "肺炎"), ("住院总费用(元)", lambda p: money(one_stop(p)["total"])),
    ("纳入保险报销费用(元)", lambda p: money(one_stop(p)["total"] * 0.9)),
    ("保险支付金额(元)", lambda p: money(one_stop(p)["insurance"])), ("优抚医院减免(元)", lambda p: "0"),
    ("优抚补助基数(元)", lambda p: "0"), ("优抚补助金额(元)", lambda p: "0"), ("救助基数(元)", lambda p: money(one_stop(p)["total"])),
    ("救助金额(元)", lambda p: money(one_stop(p)["assist"])), ("其他救助金额(元)", lambda p: "0"),
    ("救助日期", lambda p: "2020-06-15"), ("自付费用(元)", lambda p: money(one_stop(p)["self"]))],
       title=["一站式结算民政报表", "日期：2020-12-31"], rows=adults, seed=18)
layout("nhsa-personal", "settlement", "jsdcdzkj/ybpt PersonalSettlement (个人结算信息, NHSA fields)", "结算信息.xlsx", [
    ("机构编号", lambda p: "H41152100001"), ("机构名称", lambda p: "罗山县人民医院"), ("姓名", lambda p: p.name),
    ("身份证号", lambda p: p.id_no), ("医疗类别", lambda p: "普通住院"), ("结算类别", lambda p: "住院"),
    ("结算时间", lambda p: "2020-06-15 10:30:00"), ("医疗费总额", lambda p: money(settlement(p)["total"])),
    ("统筹基金支出", lambda p: money(settlement(p)["basic"])), ("大额医疗补助基金支出", lambda p: "0"),
    ("公务员医疗补助资金支出", lambda p: "0"), ("个人账户支出", lambda p: "0"),
    ("现金支付金额", lambda p: money(settlement(p)["self"])), ("医院垫付", lambda p: "0"),
    ("医疗救助基金支出", lambda p: money(settlement(p)["assist"])),
    ("补充医疗保险基金支出", lambda p: money(settlement(p)["supp"])),
    ("大病补充医疗保险基金支出", lambda p: money(settlement(p)["serious"])), ("其它基金支付", lambda p: "0"),
    ("病种编号", lambda p: "J18.9"), ("病种名称", lambda p: "肺炎"), ("全自费金额", lambda p: "0"),
    ("超限价自费费用", lambda p: "0"), ("先行自付金额", lambda p: "0"), ("起付标准", lambda p: "300"),
    ("支付地点类别", lambda p: "本地"), ("基本医疗统筹支付比例", lambda p: "0.62")], rows=adults, seed=19)
layout("nhsa-pharmacy", "settlement", "MedicalSetOutData (医保结算, NHSA 2207 wording, easyexcel)", "医保结算.xlsx", [
    ("门店编号", lambda p: "M001"), ("门店名称", lambda p: "罗山县人民医院"), ("销售单号", lambda p: "X" + p.id_no[-9:]),
    ("就医地医保区划", lambda p: "411521"), ("参保地医保区划", lambda p: "411521"), ("结算ID", lambda p: "S" + p.id_no[-10:]),
    ("就诊ID", lambda p: "V" + p.id_no[-10:]), ("人员编号", lambda p: "411521" + p.id_no[-10:] + "0001"),
    ("人员姓名", lambda p: p.name), ("人员证件类型", lambda p: "居民身份证"), ("证件号码", lambda p: p.id_no),
    ("性别", lambda p: p.sex), ("民族", lambda p: "汉族"), ("出生日期", lambda p: ymd(p.born)), ("年龄", lambda p: p.age(date(2020, 6, 15))),
    ("险种类别", lambda p: "城乡居民基本医疗保险"), ("人员类别", lambda p: "建档立卡贫困人口"), ("公务员标志", lambda p: "否"),
    ("结算时间", lambda p: "2020-06-15"), ("医疗类别", lambda p: "普通住院"),
    ("医疗费总额", lambda p: money(settlement(p)["total"])), ("全自费金额", lambda p: "0"), ("超限价自费费用", lambda p: "0"),
    ("先行自付金额", lambda p: "0"), ("符合政策范围金额", lambda p: money(settlement(p)["total"])),
    ("实际支付起付线", lambda p: "300"), ("基本医疗保险统筹基金支出", lambda p: money(settlement(p)["basic"])),
    ("基本医疗保险统筹基金支付比例", lambda p: "0.62"), ("公务员医疗补助资金支出", lambda p: "0"),
    ("企业补充医疗保险基金支出", lambda p: "0"), ("居民大病保险资金支出", lambda p: money(settlement(p)["serious"])),
    ("职工大额医疗费用补助基金支出", lambda p: "0"), ("医疗救助基金支出", lambda p: money(settlement(p)["assist"])),
    ("其他支出", lambda p: money(settlement(p)["supp"])), ("基金支付总额", lambda p: money(settlement(p)["fund"])),
    ("个人负担总金额", lambda p: money(settlement(p)["self"])), ("个人账户支出", lambda p: "0"),
    ("个人现金支付", lambda p: money(settlement(p)["self"])), ("余额", lambda p: "0")], rows=adults, seed=20)
layout("outpatient-claims", "settlement", "daxiaochengzi/YiBinNew MedicalExpenseReportExcelDto (门诊居民报账)",
       "门诊居民报账.xlsx", [
           ("患者姓名", lambda p: p.name), ("家庭住址", lambda p: p.village), ("身份证号", lambda p: p.id_no),
           ("就诊日期", lambda p: "2020-05-10"), ("就诊机构", lambda p: "周党镇卫生院"), ("诊断", lambda p: "上呼吸道感染"),
           ("门诊费用", lambda p: "86.5"), ("门诊报销", lambda p: "43.25"), ("历年结转", lambda p: "0"),
           ("报销日期", lambda p: "2020-05-10"), ("联系电话", lambda p: p.phone), ("经办人", lambda p: "管理员"),
           ("标记", lambda p: "1"), ("参保地", lambda p: p.county)], seed=21)
layout("subsidy-flag", "insurance", "com.tjhq.wsjrj.mjz.importbase SfcbExcelVo (是否资助参保 template)",
       "是否资助参保AI数据导入模板.xlsx", [
           ("所属年份", lambda p: "2020"), ("所属月份", lambda p: "12"), ("姓名", lambda p: p.name),
           ("身份证号", lambda p: p.id_no), ("是否资助参保", lambda p: "是")], seed=22)
layout("death-with-disease", "death", "a 民政 death list that names the illness beside the cause (死亡/救治 tie)",
       "死亡人员名单.xlsx", [
           ("姓名", lambda p: p.name), ("性别", lambda p: p.sex), ("身份证号", lambda p: p.id_no),
           ("死亡日期", lambda p: ymd(death_day(p))), ("死亡原因", lambda p: "病故"),
           ("疾病名称", lambda p: p.disease or "肺炎"), ("民族", lambda p: "汉族")], rows=adults, seed=32)
layout("death-info", "death", "com.tjhq.wsjrj.mjz.importbase SwxxExcelVo (人员死亡信息 template)",
       "人员死亡信息AI数据导入模板.xlsx", [
           ("所属年份", lambda p: "2020"), ("所属月份", lambda p: "12"), ("姓名", lambda p: p.name),
           ("身份证号", lambda p: p.id_no), ("死亡时间", lambda p: ymd(death_day(p))), ("是否死亡", lambda p: "是"),
           ("数据来源", lambda p: "公安")], rows=adults, seed=23)
layout("chronic-card", "treatment", "com.tjhq.wsjrj.mjz.importbase MbkbzExcelVo (慢病卡病种 template)",
       "慢病卡病种AI数据导入模板.xlsx", [
           ("所属年份", lambda p: "2020"), ("所属月份", lambda p: "12"), ("姓名", lambda p: p.name),
           ("身份证号", lambda p: p.id_no), ("慢病卡病种", lambda p: "高血压")], rows=adults, seed=24)
layout("rural-revitalisation", "poverty", "com.tjhq.wsjrj.mjz.importbase XczxExcelVo (乡村振兴 template)",
       "乡村振兴AI数据导入模板.xlsx", [
           ("所属年份", lambda p: "2022"), ("所属月份", lambda p: "9"), ("身份证号", lambda p: p.id_no),
           ("户主姓名", lambda p: p.head_name), ("户主身份证号码", lambda p: p.head_id),
           ("与户主关系", lambda p: POVERTY_RELATION[p.relation]), ("家庭成员", lambda p: p.name),
           ("户类型", lambda p: "脱贫户"), ("监测对象类型", lambda p: ""), ("风险是否消除", lambda p: ""),
           ("识别年度", lambda p: "2014")], seed=25)
layout("fpb-2017", "poverty", "shared/domain.md S12: 扶贫表 with 公安 columns (2017), header cells with line breaks",
       "扶贫表.xlsx", [
           ("县(市、区、旗)", lambda p: p.county), ("镇(乡)", lambda p: p.town), ("行政村", lambda p: p.village),
           ("户编号", lambda p: p.household_no), ("人编号", lambda p: p.id_no[-6:]), ("姓名", lambda p: p.name),
           ("性别", lambda p: p.sex), ("证件号码", lambda p: p.id_no), ("人数", lambda p: p.household_size),
           ("与户主关系", lambda p: POVERTY_RELATION[p.relation]), ("民族", lambda p: "汉族"), ("文化程度", education),
           ("在校生状况", school), ("健康状况", lambda p: p.health), ("劳动能力\n页面（劳动技能）", labour),
           ("务工状况", lambda p: "省外务工" if work_months(p) == "6" else ""), ("务工时间（月）", work_months),
           ("是否参加新农合\n页面（是否参加新型农村合作医疗）", lambda p: "是"), ("是否参加新型养老保险", lambda p: "是"),
           ("是否参加城镇职工基本养老保险", lambda p: "否"), ("脱贫属性", lambda p: "已脱贫"), ("贫困户属性", lambda p: "一般贫困户"),
           ("主要致贫原因", cause), ("人均纯收入", lambda p: "5120"), ("联系电话", lambda p: p.phone),
           ("开户银行名称", lambda p: "农村信用社"), ("银行卡号", lambda p: "6228" + p.id_no[-12:]),
           ("公安姓名", lambda p: p.name), ("公安性别", lambda p: p.sex), ("公安民族", lambda p: "汉族"),
           ("公安户类型", lambda p: "农业户口"), ("公安人员状态", lambda p: "正常")], seed=26)
layout("roster-with-note", "poverty", "a clerk's roster with a merged 注 row above the header that names 村（社区）",
       "花名册.xlsx", [
           ("序号", lambda p: ""), ("乡镇", lambda p: p.town), ("村（社区）", lambda p: p.village), ("户编号", lambda p: p.household_no),
           ("姓名", lambda p: p.name), ("性别", lambda p: p.sex), ("身份证号", lambda p: p.id_no),
           ("与户主关系", lambda p: PLAIN_RELATION[p.relation]), ("家庭人口数", lambda p: p.household_size),
           ("脱贫属性", lambda p: "已脱贫"), ("健康状况", lambda p: p.health)],
       title=["2020年建档立卡贫困人口花名册", "注：1.本表由村（社区）填写，乡镇审核；2.身份证号须为18位。"], seed=27)
layout("insurance-statuses", "insurance", "a 资助参保 list with 停保 and other schemes (大病保险, 长期护理保险)", "参保名单.csv", [
    ("姓名", lambda p: p.name), ("身份证号", lambda p: p.id_no),
    ("险种", lambda p: ("城乡居民基本医疗保险", "大病保险", "长期护理保险")[p.household % 3]),
    ("参保状态", lambda p: ("正常参保", "停保", "暂停参保", "终止参保")[p.household % 4] if p.household % 3 else "正常参保"),
    ("缴费年度", lambda p: "2020"), ("是否资助参保", lambda p: "是"), ("资助金额", lambda p: "280")], seed=28)
layout("treatment-three-batches", "treatment", "a 大病专项救治 ledger writing 三个一批 in full", "大病专项救治台账.xlsx", [
    ("姓名", lambda p: p.name), ("身份证号", lambda p: p.id_no), ("疾病名称", lambda p: "胃癌"),
    ("救治方式", lambda p: "大病集中救治一批"), ("救治状态", lambda p: "已救治"), ("定点救治医院", lambda p: "罗山县人民医院")],
       rows=adults, seed=29)
layout("contract-statuses", "contract", "a signing list with the statuses family-doctor systems write", "签约名单.xlsx", [
    ("姓名", lambda p: p.name), ("身份证号", lambda p: p.id_no), ("签约日期", lambda p: "2020-03-01"),
    ("到期日期", lambda p: "2021-02-28"),
    ("签约状态", lambda p: ("已签约", "续签", "待签约", "已退约", "解约中")[p.household % 5]),
    ("解约原因", lambda p: ("", "", "", "本人拒绝  ", "迁出本辖区")[p.household % 5]),
    ("签约医生", lambda p: "陈建华"), ("随访次数", lambda p: "4")], seed=30)
layout("settlement-own-words", "settlement", "a county's settlement list naming its columns its own way", "住院结算.xlsx", [
    ("姓名", lambda p: p.name), ("身份证号", lambda p: p.id_no), ("入院日期", lambda p: "2020-06-10"),
    ("出院日期", lambda p: "2020-06-15"), ("总费用", lambda p: money(settlement(p)["total"])),
    ("基本医保", lambda p: money(settlement(p)["basic"])), ("大病保险", lambda p: money(settlement(p)["serious"])),
    ("医疗救助", lambda p: money(settlement(p)["assist"])), ("其他补充保障", lambda p: money(settlement(p)["supp"])),
    ("个人自付", lambda p: money(settlement(p)["self"])), ("扶贫人员类别", lambda p: "建档立卡贫困人口")], rows=adults, seed=31)


def by_name(name: str) -> Layout:
    return next(item for item in LAYOUTS if item.name == name)
