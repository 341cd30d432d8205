"""Person linking on a pair of lists made independently of `hv sample`, in the style of the public
record-linkage benchmarks (an original file and a corrupted copy, FEBRL-like), for Chinese rosters.

A population of N people (LINKAGE_PEOPLE, default 1,000,000) with its own name tables; the left
list holds 98 % of them, the right list 98 %, and each right record is corrupted independently:

    name      2 % homophone (any reading of pypinyin's dictionary), 1.5 % a shape-alike character,
              1 % a dropped character
    ID        2 % one digit changed, 1 % two adjacent digits swapped, 1 % missing
    birth     3 % of the birth-date column missing
    twins     0.5 % of people have a twin: same birth date, surname, village, sex often, and an ID
              whose sequence number is 2 apart

The lists are written as canonical tables to bench/out/linkage-N/; `link()` is timed from parquet in
a fresh process and scored pairwise (precision, recall, F1 of the `link` outcomes), with the same
harness as bench/link_bench.py.

    python bench/linkage_benchmark.py
"""

from __future__ import annotations

import json
import os
import sys
import time
import unicodedata
from datetime import date
from pathlib import Path

import numpy as np
import polars as pl

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

from hv import clean, idnumber  # noqa: E402
from link_bench import accuracy, timed  # noqa: E402  (the timing and scoring harness)

OUT = ROOT / "bench" / "out"
PEOPLE = int(os.environ.get("LINKAGE_PEOPLE", "1000000"))
SEED = 11643

# The hundred commonest surnames with rough weights, and given-name characters of both sexes.
SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔"
            "钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")
GIVEN_MALE = "伟强磊军洋勇杰涛明超刚平辉鹏华飞鑫波斌宇浩凯健俊帆帅旭宁龙林阳峰建国志新兵海东文德成光庆福荣贵顺祥林斌"
GIVEN_FEMALE = "芳娜敏静丽艳娟霞秀英华慧巧美娅玉萍红梅琳兰凤洁琴云莲真环雪荣爱妹香月莺媛艳瑞凡佳嘉琼勤珍贞莉桂娣叶璧璐娅琦晶妍茜秋珊莎锦黛青倩婷姣婉娴瑾颖露瑶怡婵雁蓓纨仪荷丹蓉眉君琴蕊薇菁梦岚苑婕馨瑗琰韵融园艺咏卿聪澜纯毓悦昭冰爽琬茗羽希宁欣飘育滢馥筠柔竹霭凝晓欢霄枫芸菲寒伊亚宜可姬舒影荔枝思丽"
# Characters clerks confuse by shape (keyed both ways).
SHAPE_ALIKE = ["己已", "未末", "土士", "日曰", "戊戌", "人入", "王玉", "大太", "刀力", "天夭", "候侯", "微徽", "拔拨", "析折",
               "崇祟", "汩汨", "贝见", "免兔", "晴睛", "辨辩", "编偏", "往住", "瓜爪", "休体", "壶壸", "茶荼", "斌赋", "娟绢",
               "梅海", "苓芩", "玲岭", "琳淋", "锋峰", "婷亭", "燕晏", "建健", "红江", "明朋", "军车", "华平"]
COUNTIES = ("411521", "411522", "411524", "411526", "411528", "522729", "522730", "513621", "330113", "653228")


def homophones() -> dict[str, str]:
    """Each given-name character -> another character with one of the same toneless readings."""
    from pypinyin.pinyin_dict import pinyin_dict

    def plain(reading: str) -> str:
        return "".join(c for c in unicodedata.normalize("NFD", reading) if not unicodedata.combining(c))

    by_sound: dict[str, list[str]] = {}
    readings: dict[str, list[str]] = {}
    common = set(SURNAMES + GIVEN_MALE + GIVEN_FEMALE) | set("晓小筱孝肖啸萧笑校效")
    for code, text in pinyin_dict.items():
        ch = chr(code)
        sounds = [plain(r) for r in text.split(",")]
        readings[ch] = sounds
        if ch in common or len(by_sound.get(sounds[0], [])) < 3:
            for s in sounds:
                by_sound.setdefault(s, []).append(ch)
    out = {}
    for ch in set(GIVEN_MALE + GIVEN_FEMALE):
        for sound in readings.get(ch, []):
            others = [c for c in by_sound.get(sound, []) if c != ch]
            if others:
                out[ch] = others[0]
                break
    return out


def shape_alike() -> dict[str, str]:
    return {a: b for pair in SHAPE_ALIKE for a, b in (pair, pair[::-1])}


def population(n: int, rng: np.random.Generator) -> pl.DataFrame:
    weights = np.linspace(3.0, 0.3, len(SURNAMES))
    surname = rng.choice(list(SURNAMES), n, p=weights / weights.sum())
    male = rng.random(n) < 0.5
    given_m, given_f = np.array(list(GIVEN_MALE)), np.array(list(GIVEN_FEMALE))
    first = np.where(male, rng.choice(given_m, n), rng.choice(given_f, n))
    second = np.where(male, rng.choice(given_m, n), rng.choice(given_f, n))
    two = rng.random(n) < 0.7
    born = date(1930, 1, 1).toordinal() + rng.integers(0, 365 * 88, n)
    county = rng.choice(COUNTIES, n)
    village = rng.integers(0, 5000, n)
    twin = np.zeros(n, dtype=bool)
    twins = rng.choice(np.arange(1, n), int(n * 0.005), replace=False)
    twins = twins[~np.isin(twins - 1, twins)]
    twin[twins] = True
    for column in (surname, born, county, village, first):  # a twin shares these with the person before
        column[twins] = column[twins - 1]
    two[twins] = two[twins - 1] = True
    same_sex = rng.random(len(twins)) < 0.7
    male[twins] = np.where(same_sex, male[twins - 1], ~male[twins - 1])
    people = pl.DataFrame({
        "person": np.arange(n, dtype=np.uint64), "twin": twin, "surname": surname, "first": first,
        "second": np.where(two, second, ""), "male": male, "county": county, "village_no": village,
        "birth_date": pl.Series(born - date(1970, 1, 1).toordinal(), dtype=pl.Int32).cast(pl.Date),
    })
    # a twin's second character differs from the sibling's; sequence numbers run within county and day
    people = people.with_columns(second=pl.when(pl.col("twin") & (pl.col("second") == pl.col("second").shift(1)))
                                 .then(pl.lit("晓")).otherwise(pl.col("second")))
    rank = pl.int_range(pl.len()).over(["county", "birth_date"])
    seq = (rank * 2 + pl.col("male").cast(pl.Int64) + 100).cast(pl.String).str.zfill(3).str.slice(-3)
    first17 = pl.col("county") + pl.col("birth_date").dt.strftime("%Y%m%d") + seq
    return people.with_columns(id_no=first17 + idnumber.check_char(first17),
                               name=pl.col("surname") + pl.col("first") + pl.col("second"),
                               sex=pl.when("male").then(pl.lit("男")).otherwise(pl.lit("女")),
                               village=pl.lit("村") + pl.col("village_no").cast(pl.String),
                               town=pl.lit("镇") + (pl.col("village_no") // 20).cast(pl.String))


def corrupt(people: pl.DataFrame, rng: np.random.Generator) -> pl.DataFrame:
    """The right list's record of each person, each kind of corruption drawn independently."""
    n = people.height
    draw = {k: rng.random(n) for k in ("homophone", "shape", "drop", "digit", "swap", "no_id", "no_birth")}
    rates = {"homophone": 0.02, "shape": 0.015, "drop": 0.01, "digit": 0.02, "swap": 0.01, "no_id": 0.01,
             "no_birth": 0.03}
    flags = {k: draw[k] < rates[k] for k in rates}
    at = rng.integers(1, 3, n)  # which given character a name typo touches
    digit_at, swap_at, new_digit = rng.integers(0, 17, n), rng.integers(0, 16, n), rng.integers(1, 10, n)
    frame = people.with_columns(**{f"f_{k}": pl.Series(v) for k, v in flags.items()},
                                at=pl.Series(at), digit_at=pl.Series(digit_at), swap_at=pl.Series(swap_at),
                                new_digit=pl.Series(new_digit))
    name, at_ = pl.col("name"), pl.col("at")
    ch = name.str.slice(at_, 1)
    swapped_char = {"homophone": ch.replace_strict(homophones(), default=None),
                    "shape": ch.replace_strict(shape_alike(), default=None)}
    renamed = name
    for kind in ("shape", "homophone"):
        other = swapped_char[kind]
        renamed = pl.when(pl.col(f"f_{kind}") & other.is_not_null()).then(
            name.str.slice(0, at_) + other + name.str.slice(at_ + 1)).otherwise(renamed)
    dropped = name.str.slice(0, at_) + name.str.slice(at_ + 1)
    renamed = pl.when(pl.col("f_drop") & (name.str.len_chars() == 3)).then(dropped).otherwise(renamed)
    id_no, d, s = pl.col("id_no"), pl.col("digit_at"), pl.col("swap_at")
    old = id_no.str.slice(d, 1).cast(pl.Int64)
    changed = id_no.str.slice(0, d) + ((old + pl.col("new_digit")) % 10).cast(pl.String) + id_no.str.slice(d + 1)
    swapped = id_no.str.slice(0, s) + id_no.str.slice(s + 1, 1) + id_no.str.slice(s, 1) + id_no.str.slice(s + 2)
    can_swap = id_no.str.slice(s, 1) != id_no.str.slice(s + 1, 1)
    new_id = (pl.when(pl.col("f_no_id")).then(None).when(pl.col("f_digit")).then(changed)
              .when(pl.col("f_swap") & can_swap).then(swapped).otherwise(id_no))
    typo = pl.concat_str([pl.when(pl.col(f"f_{k}")).then(pl.lit(k)) for k in rates], separator="+",
                         ignore_nulls=True).replace("", None)
    return frame.with_columns(name=renamed, id_no=new_id, typo=typo,
                              birth_date=pl.when(pl.col("f_no_birth")).then(None).otherwise(pl.col("birth_date")))


def canonical(people: pl.DataFrame, kind: str) -> pl.DataFrame:
    """The list as `hv import` hands it over: provenance, cleaned values, name_key, and the answers."""
    return people.select(
        kind=pl.lit(kind), file=pl.lit(f"{kind}.xlsx"), sheet=pl.lit("Sheet1"),
        row=pl.int_range(pl.len(), dtype=pl.Int64) + 2,
        id_no="id_no", id_no_raw="id_no", name="name", name_raw="name", name_key=clean.name_key(pl.col("name")),
        sex="sex", birth_date="birth_date", town="town", village="village",
        person="person", twin="twin", typo=pl.col("typo") if "typo" in people.columns else pl.lit(None, pl.String),
    )


def make_lists(n: int, folder: Path) -> None:
    rng = np.random.default_rng(SEED)
    people = population(n, rng)
    where = rng.random(n)
    left = people.filter(pl.Series(where >= 0.02))
    right = corrupt(people.filter(pl.Series((where < 0.02) | (where >= 0.04))), rng)
    right = right.sample(fraction=1.0, shuffle=True, seed=SEED)  # another clerk's order
    folder.mkdir(parents=True, exist_ok=True)
    canonical(left, "poverty").write_parquet(folder / "left.parquet")
    canonical(right, "insurance").write_parquet(folder / "right.parquet")


def main() -> None:
    folder = OUT / f"linkage-{PEOPLE}"
    if not (folder / "right.parquet").is_file():
        started = time.perf_counter()
        make_lists(PEOPLE, folder)
        print(f"{PEOPLE:,} people: lists made in {time.perf_counter() - started:.1f} s", flush=True)
    result = {**timed(folder), **accuracy(folder)}
    print(f"linkage benchmark, {PEOPLE:,} x {PEOPLE:,}: link {result['link_s']:.2f} s (runs {result['all_link_s']}), "
          f"peak {result['peak_rss_mb']} MB, process CPU {result['process_cpu_s']} s; "
          f"P {result['all']['precision']:.5f} R {result['all']['recall']:.5f} F1 {result['all']['f1']:.5f}; "
          f"corrupted records F1 {result['typo']['f1']:.5f}; possible {result['possible']}; "
          f"recall by corruption {result['recall_by_typo']}", flush=True)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "linkage_results.json").write_text(json.dumps(result, indent=1, ensure_ascii=False), encoding="utf-8")


if __name__ == "__main__":
    main()
