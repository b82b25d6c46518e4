#!/usr/bin/env python3
"""check_layers.py SOURCE_DIR - every #include in harness/ points down the
layer list, never up or sideways (DESIGN.md, "Layers"):

    util < smtp < scenario | mta < engine < audit < run < report < cli

scenario and mta are peers: neither may include the other. A header's
layer is the directory it lives in. Exit 1 naming each offending line."""
import os
import re
import sys

RANK = {"util": 0, "smtp": 1, "scenario": 2, "mta": 2, "engine": 3, "audit": 4, "run": 5,
        "report": 6, "cli": 7}
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')


def main():
    top = os.path.join(sys.argv[1], "harness")
    where = {}  # header name -> layer
    for layer in RANK:
        d = os.path.join(top, layer)
        for name in os.listdir(d) if os.path.isdir(d) else []:
            if name.endswith(".h"):
                if name in where:
                    print(f"{name}: in both {where[name]} and {layer}")
                    return 1
                where[name] = layer
    bad = 0
    seen = 0
    for layer in sorted(os.listdir(top)):
        d = os.path.join(top, layer)
        if not os.path.isdir(d):
            continue
        if layer not in RANK:
            print(f"harness/{layer}: a directory that is no layer; add it to the list")
            bad += 1
            continue
        for name in sorted(os.listdir(d)):
            if not name.endswith((".c", ".h")):
                continue
            path = os.path.join(d, name)
            with open(path, encoding="utf-8", errors="replace") as f:
                for n, line in enumerate(f, 1):
                    m = INCLUDE.match(line)
                    if not m:
                        continue
                    seen += 1
                    target = where.get(os.path.basename(m.group(1)))
                    if target is None or target == layer:
                        continue
                    up = RANK[target] > RANK[layer]
                    side = RANK[target] == RANK[layer]
                    if up or side:
                        print(f"harness/{layer}/{name}:{n}: includes {m.group(1)} of layer "
                              f"{target}, {'above' if up else 'beside'} {layer}")
                        bad += 1
    print(f"{seen} includes checked, {bad} pointing up or sideways")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
