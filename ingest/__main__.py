"""`python -m ingest [PATH ...] [--index DIR] [--json]`.

Exit status: 0 all went well, 1 some files failed (the rest was published), 2 usage or
configuration error. Ingestion knows nothing of Slack: `python -m bot ingest ... --announce`
runs this same command with an announcer that posts the added and changed documents.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from config import logs
from config.collections import DEFAULT_COLLECTION
from config.settings import Settings
from ingest.pipeline import IngestOptions, IngestReport, ingest
from retrieval.embedder import load_embedder, model_name
from retrieval.errors import SamverkanError

log = logging.getLogger(__name__)


# posts the names of added and updated documents; raises SamverkanError when it cannot
Announcer = Callable[[Settings, Sequence[str], Sequence[str]], object]


def parse_args(
    argv: list[str] | None, announces: bool = False, prog: str = "python -m ingest"
) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog=prog,
        description="Index PDF, DOCX, Markdown and text files for samverkansbot.",
    )
    parser.add_argument("paths", nargs="*", type=Path, help="files or folders (default: corpus)")
    parser.add_argument("--index", type=Path, help="index folder (default: INDEX_DIR)")
    parser.add_argument("--json", action="store_true", help="print a JSON summary")
    if announces:
        parser.add_argument(
            "--announce",
            action="store_true",
            help="post added and changed documents to DIGEST_CHANNEL in Slack",
        )
    parser.add_argument(
        "-v", "--verbose", action="store_true", help="log INFO lines, the libraries' too"
    )
    return parser.parse_args(argv)


def main(
    argv: list[str] | None = None,
    announcer: Announcer | None = None,
    prog: str = "python -m ingest",
) -> int:
    """Ingest; with an `announcer`, `--announce` posts what was added and changed."""
    args = parse_args(argv, announcer is not None, prog)
    try:
        settings = Settings()
        logs.configure(settings.log_level, args.verbose, quiet_libraries=True)
    except Exception as exc:
        print(f"configuration error: {exc}", file=sys.stderr)
        return 2
    if settings.ingest.nice:
        os.nice(settings.ingest.nice)  # answering on the same cores goes first
    opts = IngestOptions(
        index_dir=args.index or settings.index_dir,
        corpus_dir=settings.corpus_dir,
        chunk_size=settings.ingest.chunk_size,
        chunk_overlap=settings.ingest.chunk_overlap,
        max_file_mb=settings.ingest.max_file_mb,
        ann_threshold=settings.retrieval.ann_threshold,
        decompound=settings.retrieval.decompound,
    )
    paths = args.paths or [settings.corpus_dir]
    emb = settings.embedding
    try:
        name = model_name(emb.model)
        report = ingest(
            paths, opts, name, lambda: load_embedder(emb.model, emb.batch_size, emb.threads)
        )
    except SamverkanError as exc:  # config, lock, a missing path: nothing was changed
        print(f"error: {exc}", file=sys.stderr)
        return 2
    # --announce exists only when an announcer was given
    if announcer is not None and args.announce and not _announce(announcer, settings, report):
        return 2
    summary, copied = report.to_json(), None
    if settings.database_url:
        copied = _copy_to_postgres(settings, opts.index_dir)
        if copied is None:
            return 2
        summary["postgresql"] = copied
    if args.json:
        print(json.dumps(summary, ensure_ascii=False))
    else:
        print(_summary(report, opts.index_dir))
        if copied is not None:
            print(copied["message"])
    return 1 if report.failed else 0


def _copy_to_postgres(settings: Settings, index_dir: Path) -> dict[str, object] | None:
    """DATABASE_URL set: copy the published version there (replicas answer from it)."""
    from ingest.pgpublish import describe, publish_to_postgres
    from retrieval.pgschema import where

    assert settings.database_url is not None
    dsn = settings.database_url.get_secret_value()
    try:
        result = publish_to_postgres(index_dir, dsn)
    except SamverkanError as exc:
        print(f"error: {exc} (the local index was published)", file=sys.stderr)
        return None
    return {
        "version": result.version,
        "source": result.source,
        "copied": result.copied,
        "message": describe(result, where(dsn)),
    }


def _announce(announcer: Announcer, settings: Settings, report: IngestReport) -> bool:
    """Post the notice of the documents the digest channel may see (SLACK_CHANNEL_COLLECTIONS);
    the index is already published whatever Slack answers."""
    seen = settings.slack.collections_for(settings.digest.channel)

    def visible(keys: list[str]) -> list[str]:
        return [k for k in keys if report.collections.get(k, DEFAULT_COLLECTION) in seen]

    try:
        announcer(settings, visible(report.added), visible(report.updated))
    except SamverkanError as exc:
        print(f"error: {exc} (the index was published)", file=sys.stderr)
        return False
    return True


def _summary(r: IngestReport, index_dir: Path) -> str:
    lines = [
        f"{len(r.added)} added, {len(r.updated)} updated, {len(r.unchanged)} unchanged, "
        f"{len(r.removed)} removed, {len(r.failed)} failed; "
        f"{r.chunks} chunks ({r.embedded} embedded)"
    ]
    if r.published:
        lines.append(f"published {r.version} in {index_dir}")
    else:
        lines.append(f"nothing changed; {index_dir} is up to date")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
