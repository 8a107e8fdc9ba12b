"""Fixtures: the fake Slack, the hash-embedder sample index, digest settings pointing at both."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from config.settings import DigestSettings, Settings, SlackSettings
from tests.register.conftest import hash_index
from tests.slack.conftest import fake_slack, no_proxy
from tests.slack.fake_slack import APP_TOKEN, BOT_TOKEN, FakeSlack

__all__ = ["fake_slack", "hash_index", "no_proxy"]  # fixtures used by the tests here
CHANNEL = "C0DIGEST"


@pytest.fixture
def digest_settings(
    fake_slack: FakeSlack, hash_index: Path, tmp_path: Path
) -> Callable[..., Settings]:
    """Settings for the fake Slack and the sample index; keywords override DigestSettings."""

    def make(**digest: Any) -> Settings:
        slack = SlackSettings(
            bot_token=SecretStr(BOT_TOKEN), app_token=SecretStr(APP_TOKEN),
            api_url=fake_slack.api_url,
        )  # fmt: skip
        values: dict[str, Any] = {"channel": CHANNEL, **digest}
        return Settings(  # type: ignore[call-arg]  # _env_file: pydantic-settings keyword
            _env_file=None,
            index_dir=hash_index,
            data_dir=tmp_path / "var",
            slack=slack,
            digest=DigestSettings(**values),
        )

    return make
