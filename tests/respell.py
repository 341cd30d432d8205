"""A `hv sample` bundle re-spelled the way other counties' exports spell it.

hv's own generator writes the headers and code values hv's schemas started from. This step renames
every header and standard code value of a bundle to another real spelling, taken from the public
export code behind tests/field_layouts.py and shared/domain.md (national 47-column export, idap,
fuping, familydoctor, his, NHSA, one-stop reports), and leaves every row where it was: the bundle's
answer key (answers.csv) stays true, so precision and recall can be measured on both spellings.

    python tests/respell.py SRC DST
"""

from __future__ import annotations

import csv
import shutil
import sys
from pathlib import Path

import openpyxl

HEADERS = {
    "建档立卡贫困人口花名册.xlsx": {
        "县": "县(市、区、旗)", "乡镇": "乡(镇)", "行政村": "村（社区）", "人编号": "人口编号", "证件号码": "身份证号码",
        "人数": "家庭人口数", "贫困户属性": "贫困户类型", "脱贫属性": "脱贫标志", "主要致贫原因": "致贫原因1",
        "健康状况": "健康状况或疾病类型", "所患疾病": "大病名称", "在校生状况": "在校生情况",
        "劳动技能": "劳动能力\n页面（劳动技能）",
        "是否参加城乡居民基本医疗保险": "是否参加新型农村合作医疗（城乡居民基本医疗保险）", "联系电话": "成员联系电话",
    },
    "医保参保名单.csv": {
        "参保状态": "人员参保状态", "险种类型": "险种", "资助类别": "资助对象类别", "资助金额": "资助参保金额",
        "个人缴费": "个人缴费金额", "缴费年度": "参保年度", "乡镇": "镇(乡)", "村": "行政村",
    },
    "家庭医生签约名单.xlsx": {
        "签约日期": "签约时间", "到期日期": "协议到期日", "签约状态": "状态", "签约医生": "家庭医生", "随访次数": "签约后随访次数",
        "最近随访日期": "最后一次随访时间", "签约团队": "家庭医生团队", "慢病病种": "所患慢病", "解约日期": "解约时间",
    },
    "大病专项救治台账.xlsx": {
        "村": "村（社区）", "疾病名称": "病种", "确诊时间": "确诊日期", "救治状态\n（已救治/正在救治/待救治）": "救治情况",
        "定点救治医院": "定点医院", "总费用": "住院总费用（元）", "个人自付": "自付金额（元）",
    },
    "住院结算明细.csv": {
        "就诊医院": "医疗机构名称", "医疗费总额": "住院总费用(元)", "符合政策范围金额": "合规费用",
        "基本医疗保险统筹基金支出": "基本医保", "居民大病保险资金支出": "大病保险", "医疗救助基金支出": "医疗救助",
        "精准扶贫报销支付金额": "其他补充保障", "个人负担总金额": "个人自付", "实际报销比例": "实际补偿比例", "预交金": "押金",
        "减免金额": "医院减免", "本次结算扶贫人员类别": "健康扶贫人员类别",
    },
    "死亡人员名单.xlsx": {"死亡日期": "去世时间", "死亡原因": "去世原因", "销户日期": "注销日期", "乡镇": "乡(镇)"},
}
# Standard values as other systems write them, by the header they stand under (after renaming).
VALUES = {
    "脱贫标志": {"已脱贫": "脱贫", "未脱贫": "贫困"},
    "贫困户类型": {"低保贫困户": "低保户", "一般贫困户": "一般户"},
    "致贫原因1": {"因病": "因病致贫", "因残": "因残致贫", "因学": "因学致贫", "因灾": "因灾致贫", "缺劳力": "缺劳动力"},
    "健康状况或疾病类型": {"长期慢性病": "慢性病", "患有大病": "大病"},
    "人员参保状态": {"正常参保": "1"},
    "险种": {"城乡居民基本医疗保险": "390"},
    "状态": {"签约": "已签约", "续约": "续签", "解约": "已解约"},
    "解约原因": {"迁出": "迁出本辖区"},
    "救治方式": {"大病集中救治": "大病集中救治一批", "慢病签约服务管理": "慢病签约服务管理一批", "重病兜底保障": "重病兜底保障一批"},
    "救治情况": {"已救治": "已治疗", "正在救治": "治疗中", "待救治": "未救治"},
    "去世原因": {"病故": "病逝"},
}


def respell(src: Path, dst: Path) -> Path:
    """A copy of the bundle in `src` under `dst`, headers and code values re-spelled, rows unchanged."""
    dst.mkdir(parents=True, exist_ok=True)
    for path in src.iterdir():
        target = dst / path.name
        if path.name in HEADERS and path.suffix == ".xlsx":
            _respell_workbook(path, target, HEADERS[path.name])
        elif path.name in HEADERS:
            _respell_csv(path, target, HEADERS[path.name])
        elif path.is_file():
            shutil.copyfile(path, target)
    return dst


def _respell_workbook(src: Path, dst: Path, headers: dict[str, str]) -> None:
    book = openpyxl.load_workbook(src)
    for sheet in book.worksheets:
        columns: dict[int, str] = {}
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.row <= 6 and (cell.value in headers or cell.value in VALUES):
                    cell.value = headers.get(cell.value, cell.value)
                    columns[cell.column] = cell.value
                elif isinstance(cell.value, str) and cell.column in columns:
                    cell.value = VALUES.get(columns[cell.column], {}).get(cell.value, cell.value)
    book.save(dst)


def _respell_csv(src: Path, dst: Path, headers: dict[str, str]) -> None:
    raw = src.read_bytes()
    encoding = "utf-8-sig" if raw.startswith(b"\xef\xbb\xbf") else "gb18030"
    rows = list(csv.reader(raw.decode(encoding).splitlines()))
    header = [headers.get(h, h) for h in rows[0]]
    out = [header] + [[VALUES.get(h, {}).get(v, v) for h, v in zip(header, row)] for row in rows[1:]]
    with dst.open("w", encoding=encoding, newline="") as fh:
        csv.writer(fh, lineterminator="\r\n").writerows(out)


if __name__ == "__main__":
    respell(Path(sys.argv[1]), Path(sys.argv[2]))
