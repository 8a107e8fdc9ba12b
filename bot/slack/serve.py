"""`python -m bot serve` and `python -m bot health`: start-up checks, Socket Mode or HTTP, shutdown.

Start-up stops with one line naming the variable when a token is missing or Slack rejects it,
and with what Slack answered ("invalid_auth"); tokens never appear in that line or in logs.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import logging
import signal
import socket
import sys
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from pydantic import SecretStr
from slack_bolt import App
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.ics import deadline_calendar
from bot.slack.answering import AnswerFn
from bot.slack.app import answer_pool, build_app, make_client
from bot.slack.digest import DigestScheduler
from bot.slack.home import SnapshotFn
from bot.slack.http_mode import BoltHTTPServer, CalendarRoute
from bot.slack.redact import install_redaction
from config.collections import EVERYONE
from config.settings import Settings, SlackSettings
from retrieval.errors import ConfigError
from retrieval.pgstore import close_shared_pools

log = logging.getLogger(__name__)

HealthFn = Callable[[], None]


class SlackStartupError(ConfigError):
    """Slack cannot be used: a token is missing or rejected, or Slack cannot be reached."""


@dataclass
class RunningBot:
    """A bot that is connected and serving; `stop()` disconnects and lets answers finish."""

    pool: ThreadPoolExecutor
    socket_handler: SocketModeHandler | None = None
    http_server: BoltHTTPServer | None = None
    stopped: threading.Event = field(default_factory=threading.Event)

    @property
    def port(self) -> int | None:
        """The HTTP port in HTTP mode, else None."""
        return self.http_server.port if self.http_server else None

    def stop(self, wait: bool = True) -> None:
        """Disconnect from Slack, then finish (wait=True) or drop queued answers."""
        if self.stopped.is_set():
            return
        self.stopped.set()
        if self.socket_handler is not None:
            _close_socket_mode(self.socket_handler)
        if self.http_server is not None:
            self.http_server.shutdown()
            self.http_server.server_close()
        self.pool.shutdown(wait=wait, cancel_futures=not wait)


def _close_socket_mode(handler: SocketModeHandler) -> None:
    """Close the Socket Mode client without waiting out its receive and queue timeouts.

    The built-in client closes the socket only after a blocked recv() times out (3 s) and stops
    its message loop only after a queue read times out (1 s); shutting the socket down and
    queueing an empty message wake both at once.
    """
    client = handler.client
    client.auto_reconnect_enabled = False
    client.closed = True
    client.message_queue.put(None)
    session = client.current_session
    sock = session.sock if session is not None else None
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)
    handler.close()


def check_tokens(slack: SlackSettings) -> None:
    """Raise SlackStartupError naming the first variable the chosen mode needs but lacks."""
    require("SLACK_BOT_TOKEN", slack.bot_token)
    if slack.mode == "http":
        require("SLACK_SIGNING_SECRET", slack.signing_secret)
    else:
        require("SLACK_APP_TOKEN", slack.app_token)


def require(name: str, value: SecretStr | None) -> str:
    """The secret's value, or SlackStartupError naming the variable when it is empty."""
    if value is None or not value.get_secret_value().strip():
        raise SlackStartupError(
            f"{name} is not set; put it in .env or the environment (see docs/slack.md)"
        )
    return value.get_secret_value().strip()


def check_bot_token(client: WebClient, api_url: str) -> dict[str, str]:
    """auth.test with the bot token; returns team and bot user, or raises SlackStartupError."""
    try:
        result = client.auth_test()
    except SlackApiError as exc:
        raise SlackStartupError(
            f"SLACK_BOT_TOKEN was rejected by Slack: {exc.response.get('error')} "
            "(use the xoxb- Bot User OAuth Token from OAuth & Permissions)"
        ) from None
    except Exception as exc:
        raise SlackStartupError(
            f"Slack at SLACK_API_URL={api_url} cannot be reached: {_reason(exc)}"
        ) from None
    return {"team": str(result.get("team", "")), "user": str(result.get("user", ""))}


def open_socket_url(client: WebClient, app_token: str) -> str:
    """apps.connections.open with the app token: the WebSocket URL, or SlackStartupError."""
    try:
        return str(client.apps_connections_open(app_token=app_token)["url"])
    except SlackApiError as exc:
        raise SlackStartupError(
            f"SLACK_APP_TOKEN was rejected by Slack: {exc.response.get('error')} "
            "(use an xapp- App-Level Token with the connections:write scope)"
        ) from None
    except Exception as exc:
        raise SlackStartupError(f"Socket Mode URL could not be opened: {_reason(exc)}") from None


def _reason(exc: Exception) -> str:
    """Why a request failed, without the request itself (urllib errors carry a `reason`)."""
    return str(getattr(exc, "reason", "") or type(exc).__name__)


def start_bot(
    settings: Settings,
    answer_fn: AnswerFn,
    health_fn: HealthFn | None = None,
    snapshot_fn: SnapshotFn | None = None,
) -> RunningBot:
    """Check the tokens with Slack, then connect (Socket Mode) or listen (HTTP) in background.

    `snapshot_fn` gives the index version in use, for the App Home."""
    slack = settings.slack
    check_tokens(slack)
    client = make_client(settings)
    identity = check_bot_token(client, slack.api_url)
    pool = answer_pool(settings)
    try:
        app = build_app(settings, answer_fn, client, pool=pool, snapshot_fn=snapshot_fn)
        if slack.mode == "http":
            server = _listen(settings, app, health_fn, identity, snapshot_fn)
            return RunningBot(pool=pool, http_server=server)
        return RunningBot(pool=pool, socket_handler=_connect(settings, app, client, identity))
    except BaseException:
        pool.shutdown(wait=False)
        raise


def calendar_route(settings: Settings, snapshot_fn: SnapshotFn | None) -> CalendarRoute | None:
    """The subscribable calendar of the index in use, when SLACK_CALENDAR_TOKEN is set."""
    token = settings.slack.calendar_token
    if token is None or snapshot_fn is None:
        return None
    make = functools.partial(_calendar_now, snapshot_fn)
    return CalendarRoute(settings.slack.calendar_path, token.get_secret_value(), make)


def _calendar_now(snapshot_fn: SnapshotFn) -> bytes:
    # whoever holds the link sees it: the default collection's dates only
    return deadline_calendar(snapshot_fn(EVERYONE), dt.date.today())


def _listen(
    settings: Settings,
    app: App,
    health_fn: HealthFn | None,
    identity: dict[str, str],
    snapshot_fn: SnapshotFn | None = None,
) -> BoltHTTPServer:
    slack = settings.slack
    server = BoltHTTPServer(
        (slack.host, slack.port),
        app,
        slack.events_path,
        slack.health_path,
        health_fn,
        calendar_route(settings, snapshot_fn),
    )
    server.start_in_thread()
    log.info(
        "Serving Slack HTTP mode on %s:%s%s as %s",
        slack.host,
        server.port,
        slack.events_path,
        identity,
    )
    if server.calendar is not None:
        log.info("Serving the deadlines calendar on %s?token=…", server.calendar.path)
    return server


def _connect(
    settings: Settings, app: App, client: WebClient, identity: dict[str, str]
) -> SocketModeHandler:
    app_token = require("SLACK_APP_TOKEN", settings.slack.app_token)
    url = open_socket_url(client, app_token)
    handler = SocketModeHandler(app, app_token=app_token, web_client=client)
    handler.client.wss_uri = (
        url  # issued by the check above; connect() uses it instead of a new one
    )
    handler.connect()
    if not handler.client.is_connected():
        handler.close()
        raise SlackStartupError(
            "Socket Mode WebSocket could not be opened (see the log line above)"
        )
    log.info("Connected to Slack in Socket Mode as %s", identity)
    return handler


def run_serve(
    settings: Settings,
    answer_fn: AnswerFn,
    health_fn: HealthFn | None = None,
    snapshot_fn: SnapshotFn | None = None,
) -> int:
    """`python -m bot serve`: serve until SIGTERM/SIGINT. Exit code 0, or 1 when start-up fails."""
    install_redaction(settings)
    try:
        bot = start_bot(settings, answer_fn, health_fn, snapshot_fn)
    except SlackStartupError as exc:
        log.error("%s", exc)
        return 1
    scheduler = start_digest_scheduler(settings)
    stop = threading.Event()
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop.set())
    try:
        stop.wait()
    finally:
        log.info("Stopping: finishing questions already taken")
        if scheduler is not None:
            scheduler.stop()
        bot.stop(wait=True)
        close_shared_pools()  # PostgreSQL connections (DATABASE_URL), after the last answer
    return 0


def start_digest_scheduler(settings: Settings) -> DigestScheduler | None:
    """The weekly digest thread when DIGEST_CHANNEL is set, else None."""
    if not settings.digest.channel:
        log.info("DIGEST_CHANNEL is not set; no weekly digest is posted")
        return None
    return DigestScheduler(settings, make_client(settings)).start()


def run_health(settings: Settings, health_fn: HealthFn) -> int:
    """`python -m bot health`: 0 when the index loads and Slack accepts the bot token, else 1."""
    install_redaction(settings)
    try:
        health_fn()
    except Exception as exc:
        print(f"unhealthy: the index cannot be loaded: {exc}", file=sys.stderr)
        return 1
    try:
        require("SLACK_BOT_TOKEN", settings.slack.bot_token)
        identity = check_bot_token(make_client(settings), settings.slack.api_url)
    except SlackStartupError as exc:
        print(f"unhealthy: {exc}", file=sys.stderr)
        return 1
    print(f"healthy: index loads; Slack accepts the bot token (team {identity['team']!r})")
    return 0
