"""Fixtures: a fake Slack on loopback, settings pointing at it, and a real bot connected to it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from bot.slack import RunningBot, start_bot
from bot.slack.answering import AnswerFn
from config.settings import Settings, SlackSettings
from tests.slack.fake_slack import APP_TOKEN, BOT_TOKEN, PROXY_VARIABLES, FakeSlack

SIGNING_SECRET = "fake-signing-secret-0123456789"


@pytest.fixture(autouse=True)
def no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    """slack_sdk's Socket Mode client reads proxy variables and ignores NO_PROXY: clear them."""
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def fake_slack() -> Iterator[FakeSlack]:
    """A running fake Slack; stopped after the test."""
    fake = FakeSlack().start()
    yield fake
    fake.stop()


@pytest.fixture
def make_settings(fake_slack: FakeSlack, tmp_path: Path) -> Callable[..., Settings]:
    """Settings for the fake Slack (no .env read); keyword arguments override SlackSettings."""

    def make(**slack: Any) -> Settings:
        values: dict[str, Any] = {
            "bot_token": SecretStr(BOT_TOKEN),
            "app_token": SecretStr(APP_TOKEN),
            "signing_secret": SecretStr(SIGNING_SECRET),
            "api_url": fake_slack.api_url,
            "host": "127.0.0.1",
            "port": 0,
            "workers": 4,
            "feedback_salt": SecretStr("test-salt"),
        }
        values.update(slack)
        slack_settings = SlackSettings(**values)
        # _env_file=None: a developer's .env must not leak into tests (pydantic-settings kwarg
        # that mypy does not know without the pydantic plugin).
        return Settings(_env_file=None, data_dir=tmp_path / "var", slack=slack_settings)  # type: ignore[call-arg]

    return make


@pytest.fixture
def settings(make_settings: Callable[..., Settings]) -> Settings:
    """Default settings: Socket Mode, all channels allowed."""
    return make_settings()


@pytest.fixture
def run_bot(fake_slack: FakeSlack) -> Iterator[Callable[..., RunningBot]]:
    """Start real bots with `run_bot(settings, answer_fn)`; stopped before the fake Slack is."""
    bots: list[RunningBot] = []

    def run(settings: Settings, answer_fn: AnswerFn, **kwargs: Any) -> RunningBot:
        bot = start_bot(settings, answer_fn, **kwargs)
        bots.append(bot)
        return bot

    yield run
    for bot in bots:
        bot.stop(wait=True)  # let answers in flight reach the fake before it stops
