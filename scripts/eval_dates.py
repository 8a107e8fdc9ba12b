"""Print recall and precision of the register's dates on span-labelled real documents.

python scripts/eval_dates.py tests/eval/dates/dates_dev.jsonl [--details]

Skipped, with the reason, when the real documents (../shared/real-corpus) are not beside the
checkout.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from evaluation.dates import evaluate, report
from evaluation.labels import MissingDocuments


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", type=Path, nargs="+", help="date label files (JSONL)")
    parser.add_argument("--details", action="store_true", help="print every miss and extra")
    args = parser.parse_args()
    for path in args.files:
        try:
            tallies = evaluate(path)
        except MissingDocuments as exc:
            print(f"skipped {path}: {exc}")
            continue
        print(report(path.stem, tallies, args.details))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
