#!/usr/bin/env python3
"""check_functions.py SOURCE_DIR - no function in harness/**/*.c is longer
than FUNCTION_LINES_MAX lines, counted from its opening "{" at column 0 to
its closing "}" at column 0, both included (.clang-format puts a function's
braces there, and nothing else's). Exit 1 naming file:line and the function
of each one over, or of a "{" at column 0 that never closes."""
import os
import re
import sys

# The longest today is about 117 lines (mta_exim.c, adopt_user_config):
# a function past this is doing two jobs.
FUNCTION_LINES_MAX = 120

# The name: the identifier before the first "(" of the signature, whose
# first line starts at column 0 (continuation lines are indented).
NAME = re.compile(r"([A-Za-z_]\w*)\s*\(")


def name_of(lines, brace):
    """The function whose body opens at lines[brace], or "?"."""
    for i in range(brace - 1, max(brace - 8, -1), -1):
        line = lines[i]
        if not line.strip() or line.rstrip().endswith((";", "}")):
            break
        if line[0] not in " \t":
            m = NAME.search(line)
            return m.group(1) if m else "?"
    return "?"


def check(path, shown):
    """([(lines, line number, name) of each function], [problems])"""
    with open(path, encoding="utf-8", errors="replace") as f:
        lines = f.read().split("\n")
    found, problems = [], []
    start = None
    for n, line in enumerate(lines):
        if line.startswith("{"):
            if start is not None:
                problems.append(f"{shown}:{start + 1}: {name_of(lines, start)} has no '}}' "
                                f"at column 0 before line {n + 1}")
            start = n
        elif line.startswith("}") and start is not None:
            found.append((n - start + 1, start + 1, name_of(lines, start)))
            start = None
    if start is not None:
        problems.append(f"{shown}:{start + 1}: {name_of(lines, start)} never closes at column 0")
    return found, problems


def main():
    top = sys.argv[1]
    bad = 0
    functions = 0
    longest = (0, "?", 0, "?")
    for root, dirs, files in os.walk(os.path.join(top, "harness")):
        dirs.sort()
        for name in sorted(files):
            if not name.endswith(".c"):
                continue
            path = os.path.join(root, name)
            shown = os.path.relpath(path, top)
            found, problems = check(path, shown)
            functions += len(found)
            for p in problems:
                print(p)
                bad += 1
            for length, line, fn in found:
                longest = max(longest, (length, shown, line, fn))
                if length > FUNCTION_LINES_MAX:
                    print(f"{shown}:{line}: {fn} is {length} lines long: at most "
                          f"{FUNCTION_LINES_MAX}")
                    bad += 1
    print(f"{functions} functions checked, {bad} over {FUNCTION_LINES_MAX} lines or unclosed; "
          f"the longest: {longest[1]}:{longest[2]}: {longest[3]}, {longest[0]} lines")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
