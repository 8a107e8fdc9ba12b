"""Start-up, shutdown and `health`: clear one-line failures, and no token in any output."""

from __future__ import annotations

import logging
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import SecretStr

from bot.slack import SlackStartupError, run_health, run_serve, start_bot
from bot.slack.redact import RedactTokens
from tests.slack import payloads as p
from tests.slack.answers import Recorder
from tests.slack.fake_slack import APP_TOKEN, BOT_TOKEN

ROOT = Path(__file__).resolve().parents[2]
WRONG_BOT_TOKEN = "xoxb-999-888-thiswrongtokenmustneverbelogged"
WRONG_APP_TOKEN = "xapp-1-A999-777-thiswrongapptokenneverlogged"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.parametrize(
    ("overrides", "variable"),
    [
        ({"bot_token": None}, "SLACK_BOT_TOKEN"),
        ({"app_token": SecretStr("  ")}, "SLACK_APP_TOKEN"),
        ({"mode": "http", "signing_secret": None}, "SLACK_SIGNING_SECRET"),
    ],
)
def test_missing_variable_is_named(make_settings, overrides, variable):
    """A missing token stops start-up with a message naming the variable."""
    with pytest.raises(SlackStartupError, match=f"^{variable} is not set"):
        start_bot(make_settings(**overrides), Recorder())


def test_rejected_bot_token_says_what_slack_answered_and_never_logs_it(make_settings, caplog):
    """A wrong bot token: one error line with Slack's answer (invalid_auth), no token anywhere."""
    settings = make_settings(bot_token=SecretStr(WRONG_BOT_TOKEN))
    with caplog.at_level(logging.DEBUG):
        assert run_serve(settings, Recorder()) == 1
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors == [
        "SLACK_BOT_TOKEN was rejected by Slack: invalid_auth "
        "(use the xoxb- Bot User OAuth Token from OAuth & Permissions)"
    ]
    assert WRONG_BOT_TOKEN not in caplog.text and "thiswrongtoken" not in caplog.text


@pytest.mark.parametrize(
    ("app_token", "answer"),
    [(WRONG_APP_TOKEN, "invalid_auth"), (BOT_TOKEN, "not_allowed_token_type")],
)
def test_rejected_app_token_says_what_slack_answered(fake_slack, make_settings, app_token, answer):
    """A wrong or wrong-kind app token stops start-up naming SLACK_APP_TOKEN and Slack's error."""
    with pytest.raises(SlackStartupError) as info:
        start_bot(make_settings(app_token=SecretStr(app_token)), Recorder())
    assert str(info.value).startswith(f"SLACK_APP_TOKEN was rejected by Slack: {answer} ")
    assert app_token not in str(info.value)
    assert fake_slack.open_sockets() == 0


def test_unreachable_slack_is_one_clear_line(make_settings):
    """SLACK_API_URL pointing nowhere: the error names the variable and the URL, not the token."""
    url = f"http://127.0.0.1:{_free_port()}/api/"
    with pytest.raises(
        SlackStartupError, match=f"^Slack at SLACK_API_URL={url} cannot be reached: "
    ) as info:
        start_bot(make_settings(api_url=url), Recorder())
    assert BOT_TOKEN not in str(info.value)


def test_health_is_zero_when_index_loads_and_token_is_accepted(fake_slack, settings, capsys):
    """`bot health`: exit 0 after health_fn passes and auth.test accepts the token."""
    assert run_health(settings, lambda: None) == 0
    assert capsys.readouterr().out.startswith("healthy:")
    assert [c.method for c in fake_slack.calls()] == ["auth.test"]


def test_health_is_one_when_the_index_cannot_load(fake_slack, settings, capsys):
    """`bot health`: exit 1 with a line naming the index problem."""

    def broken() -> None:
        raise FileNotFoundError("index/current is missing; run `make ingest`")

    assert run_health(settings, broken) == 1
    assert capsys.readouterr().err.strip() == (
        "unhealthy: the index cannot be loaded: index/current is missing; run `make ingest`"
    )


def test_health_is_one_when_slack_rejects_the_token(fake_slack, make_settings, capsys):
    """`bot health`: exit 1 with Slack's answer when the token is wrong; no token printed."""
    assert run_health(make_settings(bot_token=SecretStr(WRONG_BOT_TOKEN)), lambda: None) == 1
    err = capsys.readouterr().err
    assert (
        "SLACK_BOT_TOKEN was rejected by Slack: invalid_auth" in err and WRONG_BOT_TOKEN not in err
    )


def test_redaction_filter_hides_tokens_in_messages_and_tracebacks():
    """Token-shaped strings and configured secrets are replaced in messages and exception text."""
    redactor = RedactTokens(secrets=("custom-signing-secret",))
    record = logging.LogRecord("x", logging.ERROR, __file__, 1, "token %s and %s", None, None)
    record.args = (BOT_TOKEN, "custom-signing-secret")
    try:
        raise ValueError(f"bad {APP_TOKEN}")
    except ValueError:
        record.exc_info = sys.exc_info()
    redactor.filter(record)
    assert record.getMessage() == "token [redacted] and [redacted]"
    assert APP_TOKEN not in (record.exc_text or "") and "[redacted]" in (record.exc_text or "")


def _serve_process(fake_slack, tmp_path: Path, bot_token: str) -> subprocess.Popen[str]:
    """`run_serve` in a child process, configured only through the environment."""
    env = dict(os.environ)
    env.update(
        SLACK_BOT_TOKEN=bot_token,
        SLACK_APP_TOKEN=APP_TOKEN,
        SLACK_API_URL=fake_slack.api_url,
        DATA_DIR=str(tmp_path / "var"),
        PYTHONPATH=str(ROOT),
    )
    code = (
        "import logging, sys\n"
        "logging.basicConfig(level=logging.DEBUG, format='%(levelname)s %(name)s %(message)s')\n"
        "from bot.slack import run_serve\n"
        "from config.settings import Settings\n"
        "from tests.slack.answers import Recorder\n"
        "sys.exit(run_serve(Settings(_env_file=None), Recorder()))\n"
    )
    return subprocess.Popen(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        env=env,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def test_serve_answers_and_stops_cleanly_on_sigterm(fake_slack, tmp_path):
    """`run_serve` from environment variables: connects, answers, and exits 0 on SIGTERM."""
    process = _serve_process(fake_slack, tmp_path, BOT_TOKEN)
    try:
        fake_slack.wait_for(lambda: fake_slack.open_sockets() == 1, 20, "bot connected")
        fake_slack.send("events_api", p.event_callback(p.mention("Vad gäller?")))
        assert fake_slack.wait_calls("chat.postMessage")[0].params["text"].startswith("Svar:")
        process.send_signal(signal.SIGTERM)
        _, err = process.communicate(timeout=20)
    finally:
        process.kill()
    assert process.returncode == 0, err
    assert BOT_TOKEN not in err and APP_TOKEN not in err


def test_serve_with_rejected_token_exits_1_with_one_error_line(fake_slack, tmp_path):
    """A rejected token in a real start-up (DEBUG logging): exit 1, one ERROR line, no token."""
    process = _serve_process(fake_slack, tmp_path, WRONG_BOT_TOKEN)
    _, err = process.communicate(timeout=30)
    assert process.returncode == 1
    errors = [line for line in err.splitlines() if line.startswith(("ERROR", "CRITICAL"))]
    assert errors == [
        "ERROR bot.slack.serve SLACK_BOT_TOKEN was rejected by Slack: invalid_auth "
        "(use the xoxb- Bot User OAuth Token from OAuth & Permissions)"
    ]
    assert "thiswrongtoken" not in err
