"""The fastest plain read of a roster, as the yardstick for `hv import` (no mapping, no cleaning).

xlsx: fastexcel (calamine) loads every sheet with every cell as text, as hv does.
csv:  the whole file decoded from GB18030 in one go, then polars' CSV reader, all columns text.
"""

import sys
from pathlib import Path

import fastexcel
import polars as pl


def read(path: Path) -> int:
    if path.suffix == ".csv":
        data = path.read_bytes().decode("gb18030").encode("utf-8")
        return pl.read_csv(data, infer_schema=False).height
    reader = fastexcel.read_excel(path)
    return sum(reader.load_sheet(name, header_row=None, dtypes="string").to_polars().height
               for name in reader.sheet_names)


if __name__ == "__main__":
    print(read(Path(sys.argv[1])))
