"""Every report of a county-sized run, as a user makes it: `hv check` of the whole 1M-person bundle
(six lists, linked) writing each output, with hv's own write timings (`--timings`) and the run's
peak memory. Three runs, because `--by` turns the .xlsx report into the inspection workbook:

  A: -o report.xlsx -o report.html -o report.json -o report.csv --annotate
  B: --by town -o 督导清单.xlsx
  C: --by village -o 督导清单-村.xlsx

Results are printed and written to bench/out/report_results.json; the outputs stay in
bench/out/reports/ to be opened (bench/print_check.sh for the workbooks, chromium for the HTML).
The peak memory is the whole run's (reading and linking six lists dominate it); what each writer
needs alone is measured by bench/html_bench.py, inspection_bench.py and annotate_bench.py.
"""

from __future__ import annotations

import json
import shutil

from run import BIN, OUT, bundle, measure  # bench/run.py

TARGET_S = 60
HTML_TARGET_MB = 30


def main() -> None:
    folder = bundle()
    reports = OUT / "reports"
    shutil.rmtree(reports, ignore_errors=True)
    reports.mkdir(parents=True)
    check = [BIN / "hv", "check", "--config", folder / "hv.toml", "--fail-on", "never", "-q", "--timings"]
    runs = {
        "A": [*check, *(arg for s in ("xlsx", "html", "json", "csv") for arg in ("-o", reports / f"report.{s}")),
              "--annotate"],
        "B": [*check, "--by", "town", "-o", reports / "督导清单.xlsx"],
        "C": [*check, "--by", "village", "-o", reports / "督导清单-村.xlsx"],
    }
    results = {}
    for name, args in runs.items():
        print(f"run {name}: {' '.join(str(a) for a in args[2:])}", flush=True)
        results[name] = measure(args)
        print(f"  {results[name]}", flush=True)
    html_mb = (reports / "report.html").stat().st_size / 2**20
    writes = {
        "xlsx report": results["A"].get("write_xlsx"), "html": results["A"].get("write_html"),
        "json": results["A"].get("write_json"), "csv": results["A"].get("write_csv"),
        "annotated copies (6 lists)": results["A"].get("write_annotated"),
        "inspection workbook --by town": results["B"].get("write_xlsx"),
        "inspection files --by village": results["C"].get("write_xlsx"),
    }
    summary = {"runs": results, "write_s": writes, "html_mb": round(html_mb, 1),
               "all_under_target": all(v is not None and v < TARGET_S for v in writes.values())
               and html_mb < HTML_TARGET_MB}
    (OUT / "report_results.json").write_text(json.dumps(summary, indent=1, ensure_ascii=False), encoding="utf-8")
    for what, seconds in writes.items():
        print(f"{what}: {seconds} s (target < {TARGET_S} s)")
    print(f"html: {html_mb:.1f} MB (target < {HTML_TARGET_MB} MB); whole runs peak "
          f"{max(r['peak_rss_mb'] for r in results.values())} MB; results in {OUT / 'report_results.json'}")


if __name__ == "__main__":
    main()
