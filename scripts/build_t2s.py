#!/usr/bin/env python3
"""Build src/hv/data/t2s.tsv: a character-level traditional -> simplified table.

hv folds names to a match key with polars ``str.replace_many`` over this table,
so opencc is needed only here, at build time.  Every code point of the CJK
Unified Ideographs blocks (the basic block, Extension A, and Extensions B-J) is
passed to opencc's ``t2s`` ONE CHARACTER AT A TIME (no phrase conversion can
apply to a name), and each character that comes back as a different single
character gives one row ``trad<TAB>simp``.

* Output of more than one character: dropped (opencc 1.4.2 gives none).
* Chains (opencc gives 薴 -> 苧, and 苧 -> 苎): the target is followed to its end
  (薴 -> 苎), so that applying the table once is enough and gives the same key
  for every spelling.  The script prints each chain it resolved.
* CJK Compatibility Ideographs (U+F900-FAFF, U+2F800-2FA1F) and the radical
  blocks are not listed: the name key must apply NFKC before this table, which
  maps them to unified ideographs (opencc itself converts them via that same normalisation).

Usage:  python scripts/build_t2s.py        (needs `pip install 'opencc>=1.4,<1.5'`)
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "src" / "hv" / "data" / "t2s.tsv"

# (first, last, label) -- Unicode 17 CJK Unified Ideographs blocks.
BLOCKS = [
    (0x4E00, 0x9FFF, "CJK Unified Ideographs"),
    (0x3400, 0x4DBF, "Extension A"),
    (0x20000, 0x2A6DF, "Extension B"),
    (0x2A700, 0x2B73F, "Extension C"),
    (0x2B740, 0x2B81F, "Extension D"),
    (0x2B820, 0x2CEAF, "Extension E"),
    (0x2CEB0, 0x2EBEF, "Extension F"),
    (0x2EBF0, 0x2EE5F, "Extension I"),
    (0x30000, 0x3134F, "Extension G"),
    (0x31350, 0x323AF, "Extension H"),
    (0x323B0, 0x3347F, "Extension J"),
]
SANITY = {"張": "张", "劉": "刘", "陳": "陈", "豐": "丰", "華": "华"}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Build src/hv/data/t2s.tsv with opencc 1.4.x")
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args(argv)

    try:
        import opencc
    except ImportError:
        raise SystemExit("opencc is not installed: pip install 'opencc>=1.4,<1.5'")
    version = getattr(opencc, "__version__", "?")
    if not version.startswith("1.4."):
        raise SystemExit(f"opencc {version}: this table is pinned to opencc 1.4.x")

    t0 = time.monotonic()
    cc = opencc.OpenCC("t2s")
    raw: dict[str, str] = {}
    per_block: Counter[str] = Counter()
    multi: list[tuple[str, str]] = []
    scanned = 0
    for first, last, label in BLOCKS:
        for cp in range(first, last + 1):
            ch = chr(cp)
            out = cc.convert(ch)
            scanned += 1
            if out == ch:
                continue
            if len(out) != 1:
                multi.append((ch, out))
                continue
            raw[ch] = out
            per_block[label] += 1

    table: dict[str, str] = {}
    chains = []
    for trad, simp in raw.items():
        seen = [trad, simp]
        while simp in raw:
            simp = raw[simp]
            if simp in seen:
                raise SystemExit(f"cycle in opencc t2s: {seen + [simp]}")
            seen.append(simp)
        if len(seen) > 2:
            chains.append(seen)
        if simp != trad:
            table[trad] = simp

    for trad, simp in SANITY.items():
        if table.get(trad) != simp:
            raise SystemExit(f"sanity: {trad} -> {table.get(trad)!r}, expected {simp}")
        if simp in table:
            raise SystemExit(f"sanity: simplified {simp} is a key")

    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", encoding="utf-8", newline="\n") as f:
        f.write("trad\tsimp\n")
        for trad in sorted(table):
            f.write(f"{trad}\t{table[trad]}\n")

    print(f"opencc {version}: scanned {scanned} code points in {len(BLOCKS)} blocks", file=sys.stderr)
    for label, n in per_block.most_common():
        print(f"  {label:24} {n:5} rows", file=sys.stderr)
    print(f"dropped {len(multi)} one-to-many conversions: {multi[:10]}", file=sys.stderr)
    for c in chains:
        print(f"resolved chain: {' -> '.join(c)}", file=sys.stderr)
    print(f"wrote {len(table)} rows to {args.out} in {time.monotonic() - t0:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
