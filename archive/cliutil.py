"""What every `python -m archive` command shares: the user error, read-only opening, tables."""

from __future__ import annotations

import argparse
from typing import TextIO

from archive.db import Archive


class CommandError(Exception):
    """A problem the user can fix; printed as one line."""


def open_readonly(options: argparse.Namespace) -> Archive:
    return Archive(options.archive, readonly=True)


def table(out: TextIO, header: list[str], rows: list[list[str]]) -> None:
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *rows, strict=False)]
    for row in [header, *rows]:
        out.write(
            "  ".join(
                str(cell).ljust(width) for cell, width in zip(row, widths, strict=False)
            ).rstrip()
            + "\n"
        )
