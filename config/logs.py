"""Logging, set up once per command (`python -m bot ...`, `python -m ingest`, ...).

Each command calls `configure` once, right after reading its settings and before the embedding
model or faiss is imported. Lines go to stderr as "LEVEL logger: message". Imports nothing of
ours, so every package may call it.
"""

from __future__ import annotations

import logging
import os
import sys

FORMAT = "%(levelname)s %(name)s: %(message)s"
# libraries that log their start-up at INFO (faiss's loader, sentence-transformers loading a
# model, HTTP requests): details for -v, not for someone waiting for an answer or a summary
LIBRARIES = (
    "faiss",
    "sentence_transformers",
    "transformers",
    "huggingface_hub",
    "httpx",
    "httpcore",
    "urllib3",
    "filelock",
)


def configure(
    level: str | int = logging.INFO,
    verbose: bool = False,
    console: bool = False,
    *,
    quiet_libraries: bool = False,
) -> None:
    """Send log records to stderr, once per process (a no-op for the handler and root level when
    the root logger has handlers already, as `logging.basicConfig`).

    `level` is LOG_LEVEL: what is logged by default. `console`: a person reads prompts and
    answers on this terminal, so only warnings and errors are logged (whatever lower LOG_LEVEL
    says) and loading the model draws no progress bars. `quiet_libraries`: our INFO lines stay,
    the libraries' INFO lines and progress bars go (`python -m ingest`). `verbose` (-v) logs
    INFO lines of everyone, libraries included, and leaves the progress bars alone; it
    overrides both. Raises ValueError for a level name logging does not know.
    """
    wanted = _level(level)
    if verbose:
        wanted = min(wanted, logging.INFO)
    elif console:
        wanted = max(wanted, logging.WARNING)
    logging.basicConfig(level=wanted, format=FORMAT)
    if verbose or not (console or quiet_libraries):
        return
    for name in LIBRARIES:
        logging.getLogger(name).setLevel(max(wanted, logging.WARNING))
    _no_progress_bars()


def _level(level: str | int) -> int:
    if isinstance(level, int):
        return level
    number = logging.getLevelNamesMapping().get(level.strip().upper())
    if number is None:
        raise ValueError(f"LOG_LEVEL={level!r} is not a logging level (DEBUG, INFO, WARNING …)")
    return number


def _no_progress_bars() -> None:
    """No tqdm bars while transformers loads weights: huggingface_hub's switch, which
    transformers reads when it is imported (the calls cover libraries imported earlier)."""
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    if "huggingface_hub" in sys.modules:
        from huggingface_hub.utils import disable_progress_bars

        disable_progress_bars()
    if "transformers" in sys.modules:
        from transformers.utils import logging as transformers_logging

        transformers_logging.disable_progress_bar()
