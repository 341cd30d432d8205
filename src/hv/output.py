"""Writing results: atomically (a temporary file renamed into place) and never over an input."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

import polars as pl

from hv.errors import InputError

TABLE_SUFFIXES = (".parquet", ".csv")


def atomic_write(path: Path, write: Callable[[Path], None]) -> None:
    """Call `write` on a temporary file beside `path`, then rename it into place.

    A run that is killed half-way leaves either the old file or none, never half a report.
    """
    path = Path(path)
    if not path.parent.exists():
        raise InputError("输出目录不存在", "output directory does not exist", file=path.parent)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=path.suffix, dir=path.parent)
    os.close(fd)
    os.chmod(tmp, 0o666 & ~_umask())  # as an ordinary write would create it, not mkstemp's 0600
    try:
        write(Path(tmp))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def refuse_inputs(outputs: Iterable[Path], inputs: Iterable[Path]) -> None:
    """An output path that names an input file would destroy the clerk's data: stop before reading."""
    resolved = {Path(p).resolve() for p in inputs}
    for out in outputs:
        if Path(out).resolve() in resolved:
            raise InputError("输出文件与输入文件相同，hv 不会改写输入文件", "output would overwrite an input file; "
                             "hv never writes its inputs", file=out)


def write_table(frame: pl.DataFrame, path: Path) -> None:
    """A table as parquet or as CSV with a BOM (so that Excel opens the Chinese text correctly)."""
    suffix = Path(path).suffix.lower()
    if suffix == ".parquet":
        atomic_write(path, lambda tmp: frame.write_parquet(tmp))
    elif suffix == ".csv":
        atomic_write(path, lambda tmp: frame.write_csv(tmp, include_bom=True))
    else:
        raise InputError(f"不支持的输出格式 {suffix or '（无扩展名）'}，可用 .parquet 或 .csv",
                         f"unsupported output format {suffix or '(none)'}; use .parquet or .csv", file=path)
