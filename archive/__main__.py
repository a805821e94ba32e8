"""Entry point of `python -m archive`."""

import os
import sys

from archive.cli import main

if __name__ == "__main__":
    if sys.stdout.encoding.lower().replace("-", "") != "utf8":
        sys.stdout.reconfigure(encoding="utf-8")  # type: ignore[union-attr]
    try:
        sys.exit(main())
    except BrokenPipeError:
        # `python -m archive export … | head` closed the pipe: not an error.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(0)
