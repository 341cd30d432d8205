"""`make bench`: hv's figures on a county-sized bundle, measured on this machine.

Each measured command runs in its own process under /usr/bin/time, which gives wall time and peak
memory (RSS); hv's own phase timings come from `--timings`. Results are printed and written to
bench/out/results.json. Sizes: BENCH_PEOPLE (default 1,000,000).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
BIN = Path(sys.executable).parent
PEOPLE = int(os.environ.get("BENCH_PEOPLE", "1000000"))
SEED = 20201231


def measure(args: list[str]) -> dict:
    """Wall seconds, peak RSS in MB and hv's --timings line of one command in a fresh process."""
    started = time.perf_counter()
    proc = subprocess.run(["/usr/bin/time", "-v", *args], capture_output=True, text=True)
    wall = time.perf_counter() - started
    if proc.returncode not in (0, 1):
        raise SystemExit(f"failed ({proc.returncode}): {' '.join(args)}\n{proc.stderr[-2000:]}")
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", proc.stderr).group(1)) / 1024
    phases = dict(re.findall(r"(\w+)=([\d.]+)s", "".join(re.findall(r"^timings: .*$", proc.stderr, re.M))))
    return {"wall_s": round(wall, 2), "peak_rss_mb": round(rss), **{k: float(v) for k, v in phases.items()}}


def bundle() -> Path:
    """The synthetic county bundle, made once per size and seed and kept in bench/out/."""
    folder = OUT / f"bundle-{PEOPLE}"
    if not (folder / "answers.csv").is_file():
        folder.mkdir(parents=True, exist_ok=True)
        print(f"making a {PEOPLE:,}-person bundle in {folder} …", flush=True)
        started = time.perf_counter()
        subprocess.run([BIN / "hv", "sample", folder, "--people", str(PEOPLE), "--seed", str(SEED), "-q"], check=True)
        print(f"  made in {time.perf_counter() - started:.0f} s", flush=True)
    return folder


def roster_files(folder: Path) -> dict[str, Path]:
    """The poverty roster as the bundle has it (xlsx) and as one GB18030 CSV of the same rows."""
    xlsx = next(p for p in sorted(folder.glob("*.xlsx")) if "花名册" in p.name or "poverty" in p.name)
    csv = folder / "bench-poverty-gb18030.csv"
    if not csv.is_file():
        sys.path.insert(0, str(ROOT / "src"))
        from hv.importer import import_files

        imported = import_files([xlsx])
        table = imported.tables["poverty"]
        raw = [c for c in table.columns if c.endswith("_raw")]
        headers = dict(imported.headers.unique("field").select("field", "column").iter_rows())
        plain = table.select(raw).rename({c: headers.get(c[:-4], c[:-4]) for c in raw})
        csv.write_bytes(plain.write_csv().encode("gb18030"))
    return {"xlsx": xlsx, "csv": csv}


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    folder = bundle()
    results: dict[str, dict] = {"people": PEOPLE}
    for fmt, path in roster_files(folder).items():
        bare = measure([BIN / "python", ROOT / "bench" / "bare_read.py", path])
        imp = measure([BIN / "hv", "import", path, "-o", OUT / f"import-{fmt}.parquet", "-q", "--timings"])
        chk = measure([BIN / "hv", "check", path, "-o", OUT / f"check-{fmt}.csv", "-q", "--timings",
                       "--fail-on", "never", "--ref-date", "2020-12-31"])
        results[f"import_{fmt}"] = {"bare_read": bare, "hv_import": imp,
                                    "overhead_vs_bare": round(imp["wall_s"] / bare["wall_s"] - 1, 3)}
        results[f"check_{fmt}"] = {"hv_check": chk, "vs_import": round(chk["wall_s"] / imp["wall_s"], 3)}
        print(f"{fmt}: bare read {bare['wall_s']} s / {bare['peak_rss_mb']} MB; "
              f"hv import {imp['wall_s']} s / {imp['peak_rss_mb']} MB "
              f"(+{results[f'import_{fmt}']['overhead_vs_bare']:.0%}; files {imp.get('files')} s, "
              f"tables {imp.get('tables')} s, diagnostics {imp.get('diagnostics')} s, write {imp.get('write')} s); "
              f"hv check {chk['wall_s']} s / {chk['peak_rss_mb']} MB (rules {chk.get('rules')} s, "
              f"{chk['wall_s'] / imp['wall_s']:.2f}× import)", flush=True)
    (OUT / "results.json").write_text(json.dumps(results, indent=1, ensure_ascii=False), encoding="utf-8")
    print(f"results in {OUT / 'results.json'}")


if __name__ == "__main__":
    main()
