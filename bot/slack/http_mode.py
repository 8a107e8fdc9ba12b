"""HTTP mode: Slack posts events, commands and actions to one path; GET on the health path answers,
and GET on the calendar path (with its secret token) serves the register's dates as iCalendar.

A threading HTTP server from the standard library hands each request to `App.dispatch`, which
verifies the signature (bad signature or a timestamp older than five minutes: 401) and acks
at once; the answering itself runs in the answer pool, so a request thread is never held long.
"""

from __future__ import annotations

import hmac
import json
import logging
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

from slack_bolt import App
from slack_bolt.request import BoltRequest
from slack_bolt.response import BoltResponse

log = logging.getLogger(__name__)

MAX_BODY = 1_000_000  # bytes; Slack's payloads are far smaller
CALENDAR_TYPE = "text/calendar; charset=utf-8"


@dataclass(frozen=True)
class CalendarRoute:
    """GET `path`?token=`token` answers with the bytes `make()` returns (an .ics file).

    Calendar programs subscribe to a URL and cannot send headers, so the secret is in the URL, as
    with any calendar's secret address. A wrong or missing token gets the same 404 as an unknown
    path."""

    path: str
    token: str
    make: Callable[[], bytes]


class BoltHTTPServer(ThreadingHTTPServer):
    """Serves one Bolt app on `events_path` and a health probe on `health_path`."""

    daemon_threads = True

    def __init__(
        self,
        address: tuple[str, int],
        app: App,
        events_path: str,
        health_path: str,
        health_fn: Callable[[], None] | None = None,
        calendar: CalendarRoute | None = None,
    ) -> None:
        super().__init__(address, _Handler)
        self.app = app
        self.events_path = events_path
        self.health_path = health_path
        self.health_fn = health_fn
        self.calendar = calendar

    @property
    def port(self) -> int:
        """The port actually bound (useful when 0 was asked for)."""
        return int(self.server_address[1])

    def start_in_thread(self) -> threading.Thread:
        """Serve in a daemon thread; stop with `shutdown()` then `server_close()`."""
        thread = threading.Thread(
            target=self.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True
        )
        thread.name = "slack-http"
        thread.start()
        return thread


class _Handler(BaseHTTPRequestHandler):
    server: BoltHTTPServer
    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:
        path, _, query = self.path.partition("?")
        if path != self.server.events_path:
            self._send(404, {}, "")
            return
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            self._send(413, {}, "")
            return
        body = self.rfile.read(length).decode("utf-8")
        headers: dict[str, str | Sequence[str]] = {k.lower(): v for k, v in self.headers.items()}
        response: BoltResponse = self.server.app.dispatch(
            BoltRequest(body=body, query=query, headers=headers)
        )
        self._send(response.status, response.headers, response.body)

    def do_GET(self) -> None:
        path, _, query = self.path.partition("?")
        calendar = self.server.calendar
        if calendar is not None and path == calendar.path:
            self._calendar(calendar, query)
            return
        if path != self.server.health_path:
            self._send(404, {}, "")
            return
        try:
            if self.server.health_fn is not None:
                self.server.health_fn()
        except Exception as exc:
            log.warning("Health probe failed: %s", exc)
            self._send(503, {"content-type": ["application/json"]}, json.dumps({"ok": False}))
            return
        self._send(200, {"content-type": ["application/json"]}, json.dumps({"ok": True}))

    def _calendar(self, calendar: CalendarRoute, query: str) -> None:
        given = (parse_qs(query).get("token") or [""])[0]
        if not hmac.compare_digest(given.encode(), calendar.token.encode()):
            self._send(404, {}, "")
            return
        try:
            data = calendar.make()
        except Exception as exc:
            log.warning("Calendar not served: %s", exc)
            self._send(503, {}, "")
            return
        self._send(200, {"content-type": [CALENDAR_TYPE]}, data)

    def _send(
        self,
        status: int,
        headers: Mapping[str, Sequence[str]],
        body: str | bytes | dict[str, object],
    ) -> None:
        if isinstance(body, bytes):
            data = body
        else:
            data = (body if isinstance(body, str) else json.dumps(body)).encode("utf-8")
        self.send_response(status)
        for name, values in headers.items():
            if name.lower() == "content-length":
                continue
            for value in values:
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: object) -> None:
        # the method and path only: a query may carry the calendar's secret token
        log.debug("%s %s %s", self.address_string(), self.command, self.path.partition("?")[0])
