#!/usr/bin/env python3
"""Prints the fault table of docs/reliability.md (Markdown) from the figure files the fault tests wrote
(FaultFigures: one JSON object per fault). Exits 1 when an expected fault has no figure."""
import json
import sys

# the faults of docs/reliability.md, in its order; every one must have a figure
EXPECTED = ["kill-executor", "kill-driver", "crash-mid-save", "checkpoint-files", "nan-partition", "nan-loss",
            "corrupt-images", "schema-errors", "hostile-png", "hostile-eval-png", "hostile-gzip-idx",
            "hostile-safetensors", "hostile-model", "hostile-config-include"]

rows = {}
for path in sys.argv[1:]:
    with open(path, encoding="utf-8") as f:
        row = json.load(f)
    rows[row["id"]] = row

print("| fault | test | figure (recorded) |")
print("|---|---|---|")
missing = []
for key in EXPECTED + sorted(k for k in rows if k not in EXPECTED):
    row = rows.get(key)
    if row is None:
        missing.append(key)
        print("| %s | | **no figure: not run** |" % key)
        continue
    print("| %s | `%s` | %s (%s) |" % (row["fault"], row["test"], row["figure"], row["recorded"]))
if missing:
    print("\nmissing figures: %s" % ", ".join(missing), file=sys.stderr)
    sys.exit(1)
