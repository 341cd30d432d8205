"""Person-linking speed and accuracy on two synthetic lists with known answers.

A population of N people (LINK_PEOPLE, default 1,000,000) in households, some with twins (same
birth date, sequence numbers 2 apart, similar names). The left list misses ~2% of them, the right
list another ~2%, and 5% of the right list's people carry one typo: a homophone, a traditional
character, a dropped middle dot, one digit changed, two adjacent digits swapped, or the last 3
digits cut by Excel. Both lists are written as canonical tables to bench/out/link-N/, then
`link()` is timed from parquet in a fresh process (best of 3; /usr/bin/time for peak memory) and
its links are scored against the truth: pairwise precision, recall and F1, overall and on the
typo'd people. Sizes run: 100k, 300k and 1M, up to LINK_PEOPLE.

    python bench/link_bench.py            # generate (once per size), time, score, print
    python bench/link_bench.py --run DIR  # one timed link() of DIR's lists (what the parent runs)
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import polars as pl

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from hv import clean, idnumber  # noqa: E402
from hv import _sample_names as names  # noqa: E402
from hv.link import link  # noqa: E402

OUT = ROOT / "bench" / "out"
PEOPLE = int(os.environ.get("LINK_PEOPLE", "1000000"))
SIZES = sorted({n for n in (100_000, 300_000, 1_000_000) if n <= PEOPLE} | {PEOPLE})
REPEATS = 3
SEED = 20201231
COUNTY_CODES = ("411521", "411522", "411523", "411524", "411525", "411526", "411527", "411528", "413021")
TYPO_SHARE, ONLY_LEFT, ONLY_RIGHT, TWIN_SHARE, UYGHUR_SHARE = 5, 2, 2, 1, 1  # per cent
TYPOS = ("homophone", "traditional", "dot", "digit", "swap", "excel")
TRUTH = ["person", "twin", "typo"]  # the answers, kept beside each list and never shown to link()


def rand(i: pl.Expr, stream: int, modulo: int) -> pl.Expr:
    """A uniform integer in [0, modulo) per row, reproducible: the hash of (row, stream)."""
    return (i.hash(SEED + stream) % modulo).cast(pl.Int64)


def pick(values: list[str] | str, i: pl.Expr, stream: int) -> pl.Expr:
    values = list(values)
    return pl.lit(pl.Series(values)).gather(rand(i, stream, len(values)))


def population(n: int) -> pl.DataFrame:
    """People in households of ~4; a twin repeats the previous person's birth date, sex,
    surname and first given character."""
    i = pl.int_range(n, dtype=pl.UInt64)
    surnames = pl.Series(list(names.SURNAMES))
    cumulative = pl.Series([sum(list(names.SURNAMES.values())[:k + 1]) for k in range(len(surnames))]) * 100
    villages = [f + s + "村" for f in names.VILLAGE_FIRST for s in names.VILLAGE_SECOND]
    people = pl.select(
        person=i,
        new_household=(rand(i, 1, 4) == 0) | (i == 0),
        twin=(rand(i, 2, 100) < TWIN_SHARE) & (i > 0),
        uyghur=rand(i, 3, 100) < UYGHUR_SHARE,
        male=rand(i, 4, 2) == 1,
        birth=pl.lit(date(1935, 1, 1)) + pl.duration(days=rand(i, 5, 365 * 80)),
        given1=pick(names.MALE_GIVEN, i, 6), given1_f=pick(names.FEMALE_GIVEN, i, 7),
        given2=pick(names.MALE_GIVEN, i, 8), given2_f=pick(names.FEMALE_GIVEN, i, 9),
        two_given=rand(i, 10, 10) < 7,
        uyghur_given=pick(names.UYGHUR_MALE, i, 11), uyghur_given_f=pick(names.UYGHUR_FEMALE, i, 12),
        uyghur_father=pick(names.UYGHUR_FATHER, i, 13),
    ).with_columns(twin=pl.col("twin") & ~pl.col("new_household") & ~pl.col("uyghur"))
    people = people.with_columns(twin=pl.col("twin") & ~pl.col("twin").shift(1, fill_value=False))  # no triplets
    # a twin copies from the person before; a new household draws its own place and surname
    previous = ["birth", "male", "given1", "given1_f"]
    people = people.with_columns(
        *(pl.when(pl.col("twin")).then(pl.col(c).shift(1)).otherwise(pl.col(c)).alias(c) for c in previous),
        household=pl.col("new_household").cum_sum(),
        two_given=pl.col("two_given") | pl.col("twin") | pl.col("twin").shift(-1, fill_value=False),
    )
    household = pl.col("household").cast(pl.UInt64)
    draw = people.select(rand(household, 14, int(cumulative[-1])))
    people = people.with_columns(
        surname=surnames.gather(cumulative.search_sorted(draw.to_series(), side="right")),
        county=pick(COUNTY_CODES, household, 15),
        town=pick(names.TOWNS, household, 16),
        village=pick(villages, household, 17),
    )
    first_given = pl.when("male").then("given1").otherwise("given1_f")
    given = first_given + pl.when(~pl.col("two_given")).then(pl.lit("")).when("male").then("given2").otherwise(
        "given2_f")
    uyghur = pl.when("male").then("uyghur_given").otherwise("uyghur_given_f") + "·" + pl.col("uyghur_father")
    people = people.with_columns(name=pl.when("uyghur").then(uyghur).otherwise(pl.col("surname") + given))
    # a twin whose name came out the same as the sibling's gets another second character
    same_as_sibling = pl.col("twin") & (pl.col("name") == pl.col("name").shift(1))
    people = people.with_columns(name=pl.when(same_as_sibling).then(
        pl.col("surname") + first_given + pick(names.MALE_GIVEN + names.FEMALE_GIVEN, i, 18)
    ).otherwise("name"))
    # sequence numbers: in order within (county, birth date), so a twin is its sibling + 2
    rank = pl.int_range(pl.len()).over(["county", "birth"])
    start = (pl.concat_str("county", pl.col("birth").cast(pl.String)).hash(SEED) % 400).cast(pl.Int64) * 2
    seq = ((start + 2 * rank + pl.col("male").cast(pl.Int64)) % 1000).cast(pl.String).str.zfill(3)
    first17 = pl.col("county") + pl.col("birth").dt.strftime("%Y%m%d") + seq
    people = people.with_columns(id_no=first17 + idnumber.check_char(first17))
    return people.select("person", "twin", "id_no", "name",
                         pl.col("birth").alias("birth_date"),
                         pl.when("male").then(pl.lit("男")).otherwise(pl.lit("女")).alias("sex"),
                         "town", "village")


def typo(people: pl.DataFrame) -> pl.DataFrame:
    """5% of the people get one typo of a random kind; a name typo the name cannot take (no
    homophone or traditional character in it, no middle dot) becomes an ID typo."""
    i = pl.col("person")
    name, id_no = pl.col("name"), pl.col("id_no")
    can = {
        "homophone": name.str.contains_any(list(names.HOMOPHONES)),
        "traditional": name.str.contains_any(list(names.TRADITIONAL)),
        "dot": name.str.contains("·", literal=True),
    }
    drawn = pl.lit(pl.Series(TYPOS)).gather(rand(i, 20, len(TYPOS)))
    fallback = pl.lit(pl.Series(TYPOS[3:])).gather(rand(i, 21, 3))
    kind = pl.when(rand(i, 22, 100) >= TYPO_SHARE).then(None).otherwise(
        pl.coalesce(*(pl.when((drawn == k) & ok).then(pl.lit(k)) for k, ok in can.items()),
                    pl.when(drawn.is_in(TYPOS[3:])).then(drawn), fallback))
    digit_at, swap_at = rand(i, 23, 18), rand(i, 24, 17)

    def char(at: pl.Expr, offset: int = 0) -> pl.Expr:
        return id_no.str.slice(at + offset, 1)

    new_digit = ((char(digit_at).cast(pl.Int64, strict=False).fill_null(0) + 1 + rand(i, 25, 9)) % 10)
    changed = id_no.str.slice(0, digit_at) + new_digit.cast(pl.String) + id_no.str.slice(digit_at + 1)
    swapped = id_no.str.slice(0, swap_at) + char(swap_at, 1) + char(swap_at) + id_no.str.slice(swap_at + 2)
    people = people.with_columns(typo=kind)
    typo_is = pl.col("typo").eq
    return people.with_columns(
        name=pl.when(typo_is("homophone")).then(name.str.replace_many(names.HOMOPHONES))
        .when(typo_is("traditional")).then(name.str.replace_many(names.TRADITIONAL))
        .when(typo_is("dot")).then(name.str.replace_all("·", "", literal=True))
        .otherwise(name),
        id_no=pl.when(typo_is("swap") & (char(swap_at) != char(swap_at, 1))).then(swapped)
        .when(typo_is("digit") | typo_is("swap")).then(changed)
        .when(typo_is("excel")).then(id_no.str.slice(0, 15) + "000")
        .otherwise(id_no),
    )


def canonical(people: pl.DataFrame, kind: str, birth_dates: bool) -> pl.DataFrame:
    """The list as `hv import` hands it over: provenance, cleaned values, name_key."""
    return people.select(
        kind=pl.lit(kind), file=pl.lit(f"{kind}.xlsx"), sheet=pl.lit("Sheet1"),
        row=pl.int_range(pl.len(), dtype=pl.Int64) + 2,
        id_no="id_no", id_no_raw="id_no", name="name", name_raw="name", name_key=clean.name_key(pl.col("name")),
        sex="sex", birth_date=pl.col("birth_date") if birth_dates else pl.lit(None, pl.Date),
        town="town", village="village",
        person="person", twin="twin", typo=pl.col("typo") if "typo" in people.columns else pl.lit(None, pl.String),
    )


def make_lists(n: int, folder: Path) -> None:
    people = population(n)
    where = rand(pl.col("person"), 30, 100)
    left = people.filter(where >= ONLY_RIGHT)                              # 0, 1: only in the right list
    right = people.filter((where < ONLY_RIGHT) | (where >= ONLY_RIGHT + ONLY_LEFT))  # 2, 3: only left
    right = typo(right).sort(pl.col("person").hash(SEED + 31))            # another clerk's order
    folder.mkdir(parents=True, exist_ok=True)
    canonical(left, "poverty", birth_dates=True).write_parquet(folder / "left.parquet")
    canonical(right, "insurance", birth_dates=False).write_parquet(folder / "right.parquet")


def run_once(folder: Path) -> None:
    """The child: read both lists (not the answers), link them, write the pairs; prints the seconds."""
    started = time.perf_counter()
    lists = [pl.scan_parquet(folder / name).drop(TRUTH).collect() for name in ("left.parquet", "right.parquet")]
    pairs = link(*lists)
    seconds = time.perf_counter() - started
    pairs.write_parquet(folder / "pairs.parquet")
    print(f"link_seconds={seconds:.3f}")


def timed(folder: Path) -> dict:
    """Seconds of read + link(), the process's peak RSS and CPU seconds (user + system, all threads:
    a figure the machine's other load disturbs less), best of REPEATS fresh processes."""
    runs = []
    for _ in range(REPEATS):
        proc = subprocess.run(["/usr/bin/time", "-v", sys.executable, __file__, "--run", str(folder)],
                              capture_output=True, text=True)
        if proc.returncode:
            raise SystemExit(proc.stderr[-3000:])
        rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", proc.stderr).group(1)) / 1024
        cpu = sum(float(t) for t in re.findall(r"(?:User|System) time \(seconds\): ([\d.]+)", proc.stderr))
        runs.append({"link_s": float(re.search(r"link_seconds=([\d.]+)", proc.stdout).group(1)),
                     "peak_rss_mb": round(rss), "process_cpu_s": round(cpu, 2)})
    best = min(runs, key=lambda r: r["link_s"])
    return {**best, "all_link_s": [r["link_s"] for r in runs]}


def accuracy(folder: Path) -> dict:
    """Pairwise precision, recall and F1 of the `link` outcomes (after the one-to-one step), on
    everyone and on the typo'd people, and the recall of each kind of typo; `possible` pairs are
    counted apart."""
    left = pl.read_parquet(folder / "left.parquet", columns=["person"])
    right = pl.read_parquet(folder / "right.parquet", columns=["person", "typo"])
    pairs = pl.read_parquet(folder / "pairs.parquet")
    pairs = pairs.with_columns(
        correct=left["person"].gather(pairs["left_index"]) == right["person"].gather(pairs["right_index"]),
        typo=right["typo"].gather(pairs["right_index"]))
    links = pairs.filter(pl.col("outcome") == "link")
    truth = right.join(left, on="person", how="semi")  # one true pair per right row of a person in both lists
    typo_truth = truth.filter(pl.col("typo").is_not_null())

    def figures(found: pl.DataFrame, true_pairs: int) -> dict:
        hits = found["correct"].sum()
        precision = hits / found.height if found.height else 1.0
        recall = hits / true_pairs if true_pairs else 1.0
        f1 = 2 * precision * recall / (precision + recall) if hits else 0.0
        return {"pairs": true_pairs, "links": found.height, "precision": round(precision, 6),
                "recall": round(recall, 6), "f1": round(f1, 6)}

    found_by_kind = links.filter("correct").group_by("typo").len("found")
    by_kind = typo_truth.group_by("typo").len().join(found_by_kind, on="typo", how="left").sort("typo")
    possible = pairs.filter(pl.col("outcome") == "possible")
    return {
        "all": figures(links, truth.height),
        "typo": figures(links.filter(pl.col("typo").is_not_null()), typo_truth.height),
        "possible": possible.height, "possible_correct": int(possible["correct"].sum()),
        "recall_by_typo": {kind: round((found or 0) / n, 4) for kind, n, found in by_kind.iter_rows()},
    }


def main() -> None:
    results = {}
    for n in SIZES:
        folder = OUT / f"link-{n}"
        if not (folder / "right.parquet").is_file():
            started = time.perf_counter()
            make_lists(n, folder)
            print(f"{n:,} people: lists made in {time.perf_counter() - started:.1f} s", flush=True)
        results[n] = {**timed(folder), **accuracy(folder)}
        r = results[n]
        print(f"{n:>9,} people: link {r['link_s']:.2f} s (runs {r['all_link_s']}), peak {r['peak_rss_mb']} MB, "
              f"process CPU {r['process_cpu_s']} s; "
              f"all P {r['all']['precision']:.5f} R {r['all']['recall']:.5f} F1 {r['all']['f1']:.5f}; "
              f"typo'd P {r['typo']['precision']:.5f} R {r['typo']['recall']:.5f} F1 {r['typo']['f1']:.5f}; "
              f"possible {r['possible']} ({r['possible_correct']} right); recall by typo {r['recall_by_typo']}",
              flush=True)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "link_results.json").write_text(json.dumps(results, indent=1), encoding="utf-8")
    print(f"results in {OUT / 'link_results.json'}")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--run"]:
        run_once(Path(sys.argv[2]))
    else:
        main()
