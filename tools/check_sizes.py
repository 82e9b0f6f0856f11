#!/usr/bin/python3
"""Prints the biggest source files by line count; fails if a core file is too long.

Usage: tools/check_sizes.py   (from anywhere; paths are relative to the repo root)
Exits 1 if a file under src/ or include/ has more than LIMIT lines.
"""
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCANNED = ["include", "src", "python", "tests"]
CHECKED = ["include", "src"]  # the only folders the limit applies to
SUFFIXES = {".hpp", ".h", ".cpp", ".cc", ".def", ".inc", ".py", ".cu", ".cuh"}
LIMIT = 900  # STYLE.md aims for ~600; this is the hard stop
SHOWN = 15


def count_lines(path):
    with open(path, "rb") as f:
        return sum(1 for _ in f)


def main():
    sizes = []
    for top in SCANNED:
        for path in sorted((ROOT / top).rglob("*")):
            if path.is_file() and path.suffix in SUFFIXES:
                sizes.append((count_lines(path), path.relative_to(ROOT).as_posix()))
    sizes.sort(key=lambda s: (-s[0], s[1]))

    total = sum(n for n, _ in sizes)
    print(f"{len(sizes)} source files, {total} lines; the {min(SHOWN, len(sizes))} biggest:")
    for n, name in sizes[:SHOWN]:
        print(f"{n:7d}  {name}")

    too_long = [(n, name) for n, name in sizes
                if name.split("/")[0] in CHECKED and n > LIMIT]
    for n, name in too_long:
        print(f"error: {name} has {n} lines (limit {LIMIT}): split it", file=sys.stderr)
    return 1 if too_long else 0


if __name__ == "__main__":
    sys.exit(main())
