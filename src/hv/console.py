"""Terminal output: rich tables on a terminal, plain aligned text in cron mail and pipes."""

from __future__ import annotations

import sys
from collections.abc import Sequence

from rich import box
from rich.console import Console
from rich.table import Table


def make_console(quiet: bool = False, file=None) -> Console:
    """Colour and box drawing only on a terminal (rich also honours NO_COLOR)."""
    console = Console(file=file or sys.stdout, quiet=quiet, highlight=False, soft_wrap=False)
    if not console.is_terminal:  # cron mail and pipes: do not wrap Chinese names at 80 columns
        console.width = 200
    return console


def print_table(console: Console, title: str, headers: Sequence[str], rows: Sequence[Sequence[object]],
                styles: Sequence[str | None] | None = None) -> None:
    table = Table(title=title, box=box.SIMPLE_HEAD if console.is_terminal else box.ASCII2,
                  title_justify="left", show_edge=console.is_terminal)
    for i, header in enumerate(headers):
        table.add_column(header, style=(styles[i] if styles else None), overflow="fold")
    for row in rows:
        table.add_row(*("" if v is None else str(v) for v in row))
    console.print(table)
