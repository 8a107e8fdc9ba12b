"""Payloads shaped like Slack's: Events API callbacks, slash commands and block actions."""

from __future__ import annotations

import itertools
from typing import Any

from tests.slack.fake_slack import APP_ID, BOT_USER, TEAM

_counter = itertools.count(1)


def next_ts() -> str:
    """A fresh message timestamp."""
    return f"1699999999.{next(_counter):06d}"


def event_callback(event: dict[str, Any], event_id: str | None = None) -> dict[str, Any]:
    """Wrap `event` the way the Events API delivers it."""
    return {
        "token": "verification-token",
        "team_id": TEAM,
        "api_app_id": APP_ID,
        "event": event,
        "type": "event_callback",
        "event_id": event_id or f"Ev{next(_counter):08d}",
        "event_time": 1700000000,
        "authorizations": [{"team_id": TEAM, "user_id": BOT_USER, "is_bot": True}],
    }


def mention(
    question: str, channel: str = "C0GENERAL", user: str = "U0ASKER", thread_ts: str | None = None
) -> dict[str, Any]:
    """An app_mention event: "<@UBOT> question"."""
    ts = next_ts()
    event = {
        "type": "app_mention",
        "user": user,
        "text": f"<@{BOT_USER}> {question}",
        "ts": ts,
        "channel": channel,
        "event_ts": ts,
    }
    if thread_ts:
        event["thread_ts"] = thread_ts
    return event


def direct_message(
    text: str,
    channel: str = "D0DIRECT",
    user: str = "U0ASKER",
    thread_ts: str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """A message.im event."""
    ts = next_ts()
    event = {
        "type": "message",
        "channel_type": "im",
        "user": user,
        "text": text,
        "ts": ts,
        "channel": channel,
        "event_ts": ts,
    }
    if thread_ts:
        event["thread_ts"] = thread_ts
    event.update(extra)
    return event


def slash_command(
    text: str, response_url: str, channel: str = "C0GENERAL", command: str = "/avtal"
) -> dict:
    """The form fields of a slash command invocation, as Socket Mode delivers them."""
    return {
        "token": "verification-token",
        "team_id": TEAM,
        "team_domain": "fake",
        "channel_id": channel,
        "channel_name": "general",
        "user_id": "U0ASKER",
        "user_name": "asker",
        "command": command,
        "text": text,
        "api_app_id": APP_ID,
        "response_url": response_url,
        "trigger_id": f"trigger-{next(_counter)}",
    }


def button_click(
    action_id: str,
    value: str,
    response_url: str,
    channel: str = "C0GENERAL",
    message_ts: str = "1700000000.000001",
    thread_ts: str | None = None,
    ephemeral: bool = False,
    user: str = "U0VOTER",
    message: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A block_actions payload for a click on a button of a message; `message` is the message
    as Slack has it (its text and blocks, as posted), else a short stand-in."""
    payload: dict[str, Any] = {
        "type": "block_actions",
        "user": {"id": user, "username": "voter", "team_id": TEAM},
        "api_app_id": APP_ID,
        "token": "verification-token",
        "team": {"id": TEAM, "domain": "fake"},
        "channel": {"id": channel, "name": "general"},
        "container": {
            "type": "message",
            "message_ts": message_ts,
            "channel_id": channel,
            "is_ephemeral": ephemeral,
        },
        "trigger_id": f"trigger-{next(_counter)}",
        "response_url": response_url,
        "actions": [
            {
                "action_id": action_id,
                "block_id": "feedback",
                "type": "button",
                "value": value,
                "action_ts": "1700000001.000000",
            }
        ],
    }
    if not ephemeral:
        shown = {"type": "message", "ts": message_ts, "bot_id": "BBOT", "text": "svar"}
        shown.update(message or {})
        if thread_ts:
            shown["thread_ts"] = thread_ts
        payload["message"] = shown
    return payload


def app_home_opened(
    user: str = "U0ASKER", tab: str = "home", view: dict[str, Any] | None = None
) -> dict[str, Any]:
    """An app_home_opened event: the user opened the app's Home (or Messages) tab; `view` is
    the view published for them before, which Slack includes once there is one."""
    ts = next_ts()
    event: dict[str, Any] = {
        "type": "app_home_opened",
        "user": user,
        "channel": "D0HOME",
        "tab": tab,
        "event_ts": ts,
    }
    if view is not None:
        event["view"] = view
    return event


def feedback_click(value: str, response_url: str, **kwargs: Any) -> dict[str, Any]:
    """A block_actions payload for a click on one of a feedback_buttons element's two buttons:
    Slack sends the element's action id and the clicked button's `value`."""
    payload = button_click("feedback", value, response_url, **kwargs)
    payload["actions"][0]["type"] = "feedback_buttons"
    payload["actions"][0]["block_id"] = "thumbs"
    return payload


def view_submission(view: dict[str, Any], text: str | None, user: str = "U0VOTER") -> dict:
    """A view_submission payload for the feedback modal `view` (as views.open stored it), with
    `text` typed into its input (None: left empty, as Slack sends an empty optional input)."""
    values = {"comment": {"text": {"type": "plain_text_input", "value": text}}}
    return {
        "type": "view_submission",
        "team": {"id": TEAM, "domain": "fake"},
        "user": {"id": user, "username": "voter", "name": "voter", "team_id": TEAM},
        "api_app_id": APP_ID,
        "token": "verification-token",
        "trigger_id": f"trigger-{next(_counter)}",
        "view": {**view, "state": {"values": values}},
        "response_urls": [],
        "is_enterprise_install": False,
        "enterprise": None,
    }


def assistant_thread_started(
    user: str = "U0ASKER",
    channel: str = "D0PANEL",
    context_channel: str = "C0GENERAL",
    event: str = "assistant_thread_started",
) -> dict[str, Any]:
    """An assistant_thread_started event (or, with `event`, assistant_thread_context_changed):
    the user opened the assistant panel beside `context_channel`; Slack made a thread in the
    app's DM `channel`."""
    ts = next_ts()
    return {
        "type": event,
        "assistant_thread": {
            "user_id": user,
            "context": {"channel_id": context_channel, "team_id": TEAM, "enterprise_id": None},
            "channel_id": channel,
            "thread_ts": ts,
        },
        "event_ts": next_ts(),
    }


def assistant_message(text: str, started: dict[str, Any], user: str = "U0ASKER") -> dict:
    """A message.im event: `text` written in the assistant thread of the `started` event."""
    thread = started["assistant_thread"]
    ts = next_ts()
    return {
        "user": user,
        "type": "message",
        "ts": ts,
        "client_msg_id": f"msg-{next(_counter)}",
        "text": text,
        "team": TEAM,
        "thread_ts": thread["thread_ts"],
        "parent_user_id": BOT_USER,
        "channel": thread["channel_id"],
        "event_ts": ts,
        "channel_type": "im",
    }


def home_button_click(view: dict[str, Any], action_id: str, user: str = "U0ASKER") -> dict:
    """A block_actions payload for a click on the button `action_id` of the Home tab `view` (as
    views.publish stored it): Slack sends the view as the container, no channel and no
    response_url."""
    [button] = [
        element
        for block in view["blocks"]
        if block["type"] == "actions"
        for element in block["elements"]
        if element.get("action_id") == action_id
    ]
    return {
        "type": "block_actions",
        "user": {"id": user, "username": "asker", "name": "asker", "team_id": TEAM},
        "api_app_id": APP_ID,
        "token": "verification-token",
        "container": {"type": "view", "view_id": view["id"]},
        "trigger_id": f"trigger-{next(_counter)}",
        "team": {"id": TEAM, "domain": "fake"},
        "enterprise": None,
        "is_enterprise_install": False,
        "view": view,
        "actions": [
            {
                "action_id": action_id,
                "block_id": "calendar",
                "text": button["text"],
                "value": button.get("value", ""),
                "type": "button",
                "action_ts": next_ts(),
            }
        ],
    }
