"""Settings: nested groups from the environment, secrets hidden, every variable documented."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pydantic import BaseModel, ValidationError

from config.settings import Settings

EXAMPLE = Path(__file__).resolve().parents[2] / "config" / ".env.example"


def _variables() -> set[str]:
    names = set()
    for name, field in Settings.model_fields.items():
        ann = field.annotation
        if isinstance(ann, type) and issubclass(ann, BaseModel):
            names.update(f"{name}_{sub}".upper() for sub in ann.model_fields)
        else:
            names.add(name.upper())
    return names


def test_env_example_lists_every_setting() -> None:
    """config/.env.example has a line for every variable the Settings read, and no stale ones."""
    listed = set(re.findall(r"^([A-Z][A-Z0-9_]+)=", EXAMPLE.read_text("utf-8"), re.MULTILINE))
    assert listed == _variables()


def test_every_field_has_a_description() -> None:
    """Every setting explains itself."""
    for name, field in Settings.model_fields.items():
        assert field.description or isinstance(field.annotation, type), name
        ann = field.annotation
        if isinstance(ann, type) and issubclass(ann, BaseModel):
            assert all(f.description for f in ann.model_fields.values()), name


def test_nested_groups_read_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """RETRIEVAL_TOP_K and SLACK_BOT_TOKEN land in their groups; the token stays hidden."""
    monkeypatch.setenv("RETRIEVAL_TOP_K", "7")
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-hemlig-123")
    monkeypatch.setenv("SLACK_APP_TOKEN", "")
    s = Settings(_env_file=None)
    assert s.retrieval.top_k == 7
    assert s.slack.bot_token is not None
    assert s.slack.bot_token.get_secret_value() == "xoxb-hemlig-123"
    assert "xoxb-hemlig-123" not in repr(s) and "xoxb-hemlig-123" not in str(s.model_dump())
    assert s.slack.app_token is None and not s.slack.configured


def test_bad_value_names_the_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    """A value of the wrong type is an error naming the field."""
    monkeypatch.setenv("INGEST_CHUNK_SIZE", "tio")
    with pytest.raises(ValidationError, match="chunk_size"):
        Settings(_env_file=None)
