"""Which indexed decisions are on the same matter, and how close each pair of them is.

    python scripts/same_matter.py [--index DIR]

For every pair of decisions (document type "beslut") in the index (default INDEX_DIR; `make
eval-index` builds var/eval-index with the sample corpus, the real documents and the domain
document) it prints the cosine of the two documents' mean chunk vectors, whether one committee
took both, whether they share a case number, and what `bot.newer.same_matter` makes of them;
then the highest cosine between decisions of one committee name that it does not join. This is
the measurement behind `bot.newer.SAME_MATTER`.
"""

from __future__ import annotations

import argparse
import itertools
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bot.newer import SAME_MATTER, case_number, same_matter, similarity  # noqa: E402
from config.settings import Settings  # noqa: E402
from retrieval.index import open_current  # noqa: E402
from retrieval.types import DocType  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    """Print the decisions' pairwise similarities; 0 always (a measurement, not a check)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, default=None, help="index folder (INDEX_DIR)")
    args = parser.parse_args(argv)
    snapshot = open_current(args.index or Settings().index_dir)
    decisions = [d for d in snapshot.documents.values() if d.doctype == DocType.DECISION]
    print(f"{len(decisions)} decisions in {snapshot.version}; SAME_MATTER = {SAME_MATTER}")
    rows = []
    for a, b in itertools.combinations(decisions, 2):
        body = bool(a.body) and a.body.lower() == b.body.lower()
        case = bool(a.reference and b.reference) and (
            case_number(a.reference) == case_number(b.reference)
        )
        rows.append((similarity(a.path, b.path, snapshot), body, case, a, b))
    print(f"{'cosine':>7}  {'committee':9}  {'case':4}  same matter  documents")
    for cos, body, case, a, b in sorted(rows, key=lambda r: -r[0]):
        joined = same_matter(a, b, snapshot)
        print(
            f"{cos:7.3f}  {'same' if body else '-':9}  {'same' if case else '-':4}  "
            f"{'yes' if joined else 'no':11}  "
            f"{a.name} ({a.date or '?'}) | {b.name} ({b.date or '?'})"
        )
    apart = [cos for cos, body, _, a, b in rows if body and not same_matter(a, b, snapshot)]
    if apart:
        print(f"highest cosine of one committee's decisions not joined: {max(apart):.3f}")
    snapshot.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
