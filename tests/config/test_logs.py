"""Logging set up once per command: the console logs warnings only, -v brings INFO back."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# a command's own logger, a library's, and whether huggingface_hub's progress bars are off
LOG_EVERY_LEVEL = """
import logging, os
from config import logs
{call}
for name in ("bot.answer", "sentence_transformers.base.model"):
    logging.getLogger(name).info("info from %s", name)
    logging.getLogger(name).warning("warning from %s", name)
print(os.environ.get("HF_HUB_DISABLE_PROGRESS_BARS", ""))
"""


def _run(call: str) -> subprocess.CompletedProcess[str]:
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)}  # no HF_HUB_* from the caller
    return subprocess.run(
        [sys.executable, "-c", LOG_EVERY_LEVEL.format(call=call)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_console_logs_warnings_only_even_at_debug() -> None:
    """console=True: no INFO line from us or a library (LOG_LEVEL=DEBUG or not), warnings still
    show, and huggingface_hub's progress bars are switched off before the model loads."""
    out = _run("logs.configure('DEBUG', console=True)")
    assert out.returncode == 0, out.stderr
    assert "info from" not in out.stderr
    assert "WARNING bot.answer: warning from bot.answer" in out.stderr
    assert "WARNING sentence_transformers.base.model: warning from" in out.stderr
    assert out.stdout.strip() == "1"


def test_quiet_libraries_keeps_our_info_lines() -> None:
    """quiet_libraries=True (python -m ingest): our INFO lines stay, a library's INFO goes."""
    out = _run("logs.configure('info', quiet_libraries=True)")  # LOG_LEVEL in any case
    assert "INFO bot.answer: info from bot.answer" in out.stderr
    assert "info from sentence_transformers" not in out.stderr
    assert "WARNING sentence_transformers.base.model: warning from" in out.stderr


@pytest.mark.parametrize("extra", ["console=True", "quiet_libraries=True"])
def test_verbose_logs_every_info_line(extra: str) -> None:
    """-v: INFO lines of ours and of the libraries, whatever the mode and LOG_LEVEL say."""
    out = _run(f"logs.configure('WARNING', True, {extra})")
    assert "INFO bot.answer: info from bot.answer" in out.stderr
    assert "INFO sentence_transformers.base.model: info from" in out.stderr
    assert out.stdout.strip() == ""


def test_unknown_level_name_is_refused() -> None:
    """LOG_LEVEL=LOUD is a ValueError naming the value, raised before logging is touched."""
    from config import logs

    with pytest.raises(ValueError, match="'LOUD'"):
        logs.configure("LOUD")
