"""Print precision and recall of deadline and obligation extraction on a labelled JSONL file.

python scripts/eval_extraction.py tests/eval/extraction.jsonl [--details]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from evaluation.extraction import evaluate, format_scores


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", type=Path, help="labelled sentences (JSONL)")
    parser.add_argument("--details", action="store_true", help="print every miss")
    args = parser.parse_args()
    deadlines, obligations = evaluate(args.file)
    print(format_scores(deadlines, obligations, args.details))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
