"""A fake Slack on loopback that speaks the real protocols, for the real Bolt and slack_sdk clients.

- Web API over HTTP at ``/api/<method>`` (form or JSON bodies, ``Authorization: Bearer``),
  answering ``ok: false`` with Slack's error codes for a missing or wrong token, and failures
  (HTTP 429 with Retry-After, or an error code) injected per method.
- Socket Mode over WebSocket: ``apps.connections.open`` hands out ``ws://127.0.0.1:PORT/link/``;
  the fake greets with ``hello``, sends envelopes, records acks with their arrival time and can
  ask the client to reconnect with a ``disconnect`` message.
- ``response_url`` endpoints at ``/respond/<key>`` for slash commands and actions.
- Block Kit checked as Slack checks it: at most 50 blocks per message and 100 per view, section
  texts of at most 3,000 characters and headers of 150; a message that breaks a limit is refused
  with ``invalid_blocks``, a view with ``invalid_arguments``, each with Slack's
  ``response_metadata.messages``. ``views.publish`` keeps the last view per user (`home_view`).
- ``views.open`` as Slack checks it: a ``trigger_id`` is required (``invalid_arguments``) and
  is good once (a second use, or one made stale with `expire_trigger`, is
  ``expired_trigger_id``); the view must be a modal with a title of at most 24 characters.
  Opened modals are kept in order (`opened_views`).
- The assistant panel's ``assistant.threads.setStatus``, ``.setTitle`` and
  ``.setSuggestedPrompts``: ``channel_id`` and ``thread_ts`` (and ``status`` / ``title``) are
  required and prompts are 1-4 ``{title, message}`` objects, else ``invalid_arguments``.
- File uploads as ``files_upload_v2`` makes them: ``files.getUploadURLExternal`` (``filename``
  and a positive integer ``length`` required, else ``invalid_arguments``) hands out an
  ``upload_url`` on this server and a ``file_id``; a POST of the bytes there (raw or multipart)
  answers 200 ``OK - <length>`` (404 for an unknown URL); ``files.completeUploadExternal``
  (``files`` required, else ``invalid_arguments``) shares them: ``file_not_found`` for an id
  not handed out, not uploaded to or already completed, ``channel_not_found`` for a
  ``channel_id`` that is no conversation id. Completed files are kept with their bytes
  (`uploads`). ``conversations.open`` with ``users`` opens the user's DM
  (``users_list_not_supplied`` without it).

Runs in a background thread with its own event loop; every record carries a monotonic time.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from aiohttp import BodyPartReader, WSMsgType, web

# slack_sdk's Socket Mode client reads these and ignores NO_PROXY: tests and benches clear them
PROXY_VARIABLES = (
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "http_proxy",
    "https_proxy",
    "ALL_PROXY",
    "all_proxy",
)
BOT_TOKEN = "xoxb-111-222-fakebottoken"
APP_TOKEN = "xapp-1-A111-333-fakeapptoken"
BOT_USER = "UBOT"
BOT_ID = "BBOT"
TEAM = "T0001"
APP_ID = "A0001"

_APP_TOKEN_METHODS = frozenset({"apps.connections.open"})
MESSAGE_MAX_BLOCKS = 50
VIEW_MAX_BLOCKS = 100
MODAL_TITLE_MAX = 24
MAX_SUGGESTED_PROMPTS = 4
_ASSISTANT_REQUIRED = {
    "assistant.threads.setStatus": ("channel_id", "thread_ts", "status"),
    "assistant.threads.setTitle": ("channel_id", "thread_ts", "title"),
    "assistant.threads.setSuggestedPrompts": ("channel_id", "prompts"),
}
_TEXT_MAX = {"section": 3000, "header": 150}
T = TypeVar("T")


@dataclass(frozen=True)
class Call:
    """One Web API request as the fake received it."""

    method: str
    params: dict[str, Any]
    token: str | None
    status: int
    ok: bool
    at: float
    result: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Ack:
    """A Socket Mode acknowledgement (envelope id and optional payload) and when it arrived."""

    envelope_id: str
    payload: dict[str, Any] | None
    at: float


@dataclass(frozen=True)
class Envelope:
    """An envelope the fake sent and when."""

    envelope_id: str
    type: str
    body: dict[str, Any]
    sent_at: float


@dataclass(frozen=True)
class Upload:
    """A file shared with files.completeUploadExternal: its bytes as POSTed, and where."""

    file_id: str
    filename: str
    title: str
    length: int  # as declared to files.getUploadURLExternal
    data: bytes
    channel_id: str
    initial_comment: str
    thread_ts: str
    at: float


@dataclass
class _Pending:
    file_id: str
    filename: str
    length: int
    data: bytes | None = None


@dataclass
class _Failure:
    status: int
    error: str
    retry_after: int | None


@dataclass
class _State:
    calls: list[Call] = field(default_factory=list)
    acks: dict[str, Ack] = field(default_factory=dict)
    envelopes: list[Envelope] = field(default_factory=list)
    responses: list[tuple[str, dict[str, Any], float]] = field(default_factory=list)
    failures: dict[str, list[_Failure]] = field(default_factory=dict)
    sockets: list[web.WebSocketResponse] = field(default_factory=list)
    connections_opened: int = 0
    home_views: dict[str, dict[str, Any]] = field(default_factory=dict)
    opened_views: list[dict[str, Any]] = field(default_factory=list)
    used_triggers: set[str] = field(default_factory=set)
    pending_uploads: dict[str, _Pending] = field(default_factory=dict)  # by upload URL key
    uploads: list[Upload] = field(default_factory=list)


class FakeSlack:
    """Start with `start()`, point the bot at `api_url`, drive it with `send_*`, read `calls`."""

    def __init__(self) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="fake-slack", daemon=True
        )
        self._lock = threading.Lock()
        self._state = _State()
        self._ts = itertools.count(1)
        self._runner: web.AppRunner | None = None
        self.port = 0

    # ---- lifecycle -------------------------------------------------------------------------

    def start(self) -> FakeSlack:
        """Listen on a free loopback port."""
        self._thread.start()
        self._run(self._start())
        return self

    def stop(self) -> None:
        """Close sockets and the server, end the loop thread."""
        self._run(self._stop(), timeout=15)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)

    @property
    def api_url(self) -> str:
        """What SLACK_API_URL should be."""
        return f"http://127.0.0.1:{self.port}/api/"

    def response_url(self, key: str) -> str:
        """A response_url that records what is posted to it."""
        return f"http://127.0.0.1:{self.port}/respond/{key}"

    # ---- Web API records and failures ------------------------------------------------------

    def calls(self, method: str | None = None, ok: bool | None = None) -> list[Call]:
        """Web API calls so far, optionally of one method and only ok / not ok ones."""
        with self._lock:
            found = list(self._state.calls)
        return [
            c
            for c in found
            if (method is None or c.method == method) and (ok is None or c.ok == ok)
        ]

    def responses(self, key: str | None = None) -> list[dict[str, Any]]:
        """JSON bodies posted to response_urls (all, or those of one key)."""
        with self._lock:
            return [body for k, body, _ in self._state.responses if key is None or k == key]

    def fail_next(
        self,
        method: str,
        error: str = "ratelimited",
        status: int = 200,
        retry_after: int | None = None,
    ) -> None:
        """Make the next call of `method` fail: HTTP 429 with Retry-After, or ok:false `error`."""
        with self._lock:
            self._state.failures.setdefault(method, []).append(_Failure(status, error, retry_after))

    def home_view(self, user: str) -> dict[str, Any] | None:
        """The Home tab view last published for `user`, as Slack stored it."""
        with self._lock:
            return self._state.home_views.get(user)

    def opened_views(self) -> list[dict[str, Any]]:
        """Modals opened with views.open so far, as Slack stored them (with `id`)."""
        with self._lock:
            return list(self._state.opened_views)

    def uploads(self) -> list[Upload]:
        """Files shared with files.completeUploadExternal so far, in order."""
        with self._lock:
            return list(self._state.uploads)

    def expire_trigger(self, trigger_id: str) -> None:
        """Make `trigger_id` stale, as it is 3 seconds after the click."""
        with self._lock:
            self._state.used_triggers.add(trigger_id)

    # ---- Socket Mode -----------------------------------------------------------------------

    @property
    def connections_opened(self) -> int:
        """How many WebSocket connections clients have opened."""
        return self._state.connections_opened

    def open_sockets(self) -> int:
        """WebSocket connections currently open."""
        with self._lock:
            return sum(1 for ws in self._state.sockets if not ws.closed)

    def send(
        self,
        type_: str,
        payload: dict[str, Any],
        retry_attempt: int = 0,
        retry_reason: str = "",
        accepts_response_payload: bool = False,
        socket: int = -1,
    ) -> Envelope:
        """Send an envelope (events_api, slash_commands, interactive) over an open socket.

        `socket` indexes the open sockets in the order they connected (default: the newest), so
        a test can deliver one event to two connections, as Slack may with several replicas.
        """
        envelope_id = str(uuid.uuid4())
        body = {
            "envelope_id": envelope_id,
            "type": type_,
            "payload": payload,
            "accepts_response_payload": accepts_response_payload,
            "retry_attempt": retry_attempt,
            "retry_reason": retry_reason,
        }
        envelope = Envelope(envelope_id, type_, body, time.monotonic())
        with self._lock:
            self._state.envelopes.append(envelope)
        self._run(self._send_json(body, socket))
        return envelope

    def disconnect(self, reason: str = "refresh_requested") -> None:
        """Ask the client to reconnect, as Slack does every few hours."""
        self._run(self._send_json({"type": "disconnect", "reason": reason, "debug_info": {}}))

    def ack(self, envelope_id: str) -> Ack | None:
        """The ack of an envelope, if it arrived."""
        with self._lock:
            return self._state.acks.get(envelope_id)

    # ---- waiting ---------------------------------------------------------------------------

    def wait_for(self, probe: Callable[[], T], timeout: float = 10.0, what: str = "") -> T:
        """Poll `probe` until it returns something truthy; fail the test after `timeout` s."""
        deadline = time.monotonic() + timeout
        while True:
            value = probe()
            if value:
                return value
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out after {timeout}s waiting for {what or probe}")
            time.sleep(0.01)

    def wait_calls(self, method: str, count: int = 1, timeout: float = 10.0) -> list[Call]:
        """Wait until `count` successful calls of `method` arrived; return them."""

        def enough() -> list[Call]:
            found = self.calls(method, ok=True)
            return found if len(found) >= count else []

        return self.wait_for(enough, timeout, f"{count} x {method}")

    # ---- internals -------------------------------------------------------------------------

    def _run(self, coro: Any, timeout: float = 10) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout=timeout)

    async def _start(self) -> None:
        app = web.Application()
        app.router.add_post("/api/{method}", self._web_api)
        app.router.add_get("/link/", self._socket)
        app.router.add_post("/respond/{key}", self._respond)
        app.router.add_post("/upload/v1/{key}", self._upload)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def _stop(self) -> None:
        for ws in list(self._state.sockets):
            await ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    async def _send_json(self, body: dict[str, Any], socket: int = -1) -> None:
        with self._lock:
            open_ = [ws for ws in self._state.sockets if not ws.closed]
        if not open_:
            raise AssertionError("no Socket Mode client is connected to the fake Slack")
        await open_[socket].send_str(json.dumps(body))

    async def _params(self, request: web.Request) -> dict[str, Any]:
        params: dict[str, Any] = dict(request.query)
        if request.content_type == "application/json":
            params.update(await request.json())
        elif request.can_read_body:
            params.update({k: v for k, v in (await request.post()).items() if isinstance(v, str)})
        return params

    async def _web_api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params = await self._params(request)
        auth = request.headers.get("Authorization", "")
        token = auth.removeprefix("Bearer ") if auth.startswith("Bearer ") else params.get("token")
        status, body = self._answer(method, params, token)
        headers = {}
        if status == 429:
            failure_after = body.pop("_retry_after", 1)
            headers["Retry-After"] = str(failure_after)
        call = Call(method, params, token, status, bool(body.get("ok")), time.monotonic(), body)
        with self._lock:
            self._state.calls.append(call)
        return web.json_response(body, status=status, headers=headers)

    def _answer(self, method: str, params: dict[str, Any], token: str | None) -> tuple[int, dict]:
        expected = APP_TOKEN if method in _APP_TOKEN_METHODS else BOT_TOKEN
        if not token:
            return 200, {"ok": False, "error": "not_authed"}
        if token in (APP_TOKEN, BOT_TOKEN) and token != expected:
            return 200, {"ok": False, "error": "not_allowed_token_type"}
        if token != expected:
            return 200, {"ok": False, "error": "invalid_auth"}
        with self._lock:
            queue = self._state.failures.get(method)
            failure = queue.pop(0) if queue else None
        if failure is not None:
            body: dict[str, Any] = {"ok": False, "error": failure.error}
            if failure.status == 429:
                body["_retry_after"] = failure.retry_after or 1
            return failure.status, body
        return 200, self._result(method, params)

    def _result(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        if method == "auth.test":
            return {
                "ok": True,
                "url": "https://fake.slack.com/",
                "team": "Fake",
                "user": "samverkansbot",
                "team_id": TEAM,
                "user_id": BOT_USER,
                "bot_id": BOT_ID,
                "is_enterprise_install": False,
            }
        if method == "apps.connections.open":
            self._state.connections_opened += 1
            return {"ok": True, "url": f"ws://127.0.0.1:{self.port}/link/?ticket={uuid.uuid4()}"}
        ts = f"1700000000.{next(self._ts):06d}"
        if method == "views.publish":
            return self._publish(params)
        if method == "views.open":
            return self._open(params)
        if method in _ASSISTANT_REQUIRED:
            return _assistant_thread(method, params)
        if method == "files.getUploadURLExternal":
            return self._upload_url(params)
        if method == "files.completeUploadExternal":
            return self._complete_upload(params, ts)
        if method == "conversations.open":
            users = str(params.get("users") or "")
            if not users and not params.get("channel"):
                return {"ok": False, "error": "users_list_not_supplied"}
            channel = params.get("channel") or "D" + users.split(",")[0].removeprefix("U")
            return {"ok": True, "channel": {"id": channel}}
        if method in {"chat.postMessage", "chat.update"}:
            problems = block_problems(_json(params.get("blocks")) or [], MESSAGE_MAX_BLOCKS, "")
            if problems:
                return _refused("invalid_blocks", problems, errors=True)
        if method == "chat.postMessage":
            return {
                "ok": True,
                "channel": params.get("channel"),
                "ts": ts,
                "message": {"text": params.get("text", ""), "ts": ts, "bot_id": BOT_ID},
            }
        if method == "chat.postEphemeral":
            return {"ok": True, "message_ts": ts}
        if method in {"chat.update", "reactions.add", "reactions.remove"}:
            return {"ok": True, "channel": params.get("channel"), "ts": params.get("ts", ts)}
        return {"ok": False, "error": "unknown_method"}

    def _publish(self, params: dict[str, Any]) -> dict[str, Any]:
        """views.publish: a Home tab view for user_id, checked like Slack checks it."""
        view, user = _json(params.get("view")), params.get("user_id")
        if not user:
            return _refused("invalid_arguments", ["[ERROR] missing required field: user_id"])
        if not isinstance(view, dict) or view.get("type") != "home":
            return _refused(
                "invalid_arguments", ["[ERROR] must be 'home' [json-pointer:/view/type]"]
            )
        problems = block_problems(view.get("blocks") or [], VIEW_MAX_BLOCKS, "/view")
        if problems:
            return _refused("invalid_arguments", [f"[ERROR] {p}" for p in problems])
        stored = {"id": f"V{uuid.uuid4().hex[:10].upper()}", "team_id": TEAM, **view}
        stored.update({"app_id": APP_ID, "bot_id": BOT_ID, "hash": uuid.uuid4().hex})
        with self._lock:
            self._state.home_views[str(user)] = stored
        return {"ok": True, "view": stored}

    def _open(self, params: dict[str, Any]) -> dict[str, Any]:
        """views.open: a modal for a trigger_id that is fresh and unused."""
        view, trigger = _json(params.get("view")), params.get("trigger_id")
        if not trigger:
            return _refused("invalid_arguments", ["[ERROR] missing required field: trigger_id"])
        if not isinstance(view, dict) or view.get("type") != "modal":
            return _refused(
                "invalid_arguments", ["[ERROR] must be 'modal' [json-pointer:/view/type]"]
            )
        title = (view.get("title") or {}).get("text", "")
        if not title or len(title) > MODAL_TITLE_MAX:
            return _refused(
                "invalid_arguments",
                [f"[ERROR] must be 1-{MODAL_TITLE_MAX} characters [json-pointer:/view/title/text]"],
            )
        problems = block_problems(view.get("blocks") or [], VIEW_MAX_BLOCKS, "/view")
        if problems:
            return _refused("invalid_arguments", [f"[ERROR] {p}" for p in problems])
        with self._lock:
            if trigger in self._state.used_triggers:
                return {"ok": False, "error": "expired_trigger_id"}
            self._state.used_triggers.add(str(trigger))
            stored = {"id": f"V{uuid.uuid4().hex[:10].upper()}", "team_id": TEAM, **view}
            stored.update({"app_id": APP_ID, "bot_id": BOT_ID, "hash": uuid.uuid4().hex})
            stored.setdefault("private_metadata", "")
            stored["state"] = {"values": {}}
            self._state.opened_views.append(stored)
        return {"ok": True, "view": stored}

    def _upload_url(self, params: dict[str, Any]) -> dict[str, Any]:
        """files.getUploadURLExternal: a one-use URL on this server for `length` bytes."""
        for name in ("filename", "length"):
            if not params.get(name):
                return _refused("invalid_arguments", [f"[ERROR] missing required field: {name}"])
        length = str(params["length"])
        if not length.isdigit() or int(length) < 1:
            return _refused(
                "invalid_arguments", ["[ERROR] must be a positive integer [json-pointer:/length]"]
            )
        key, file_id = uuid.uuid4().hex, f"F{uuid.uuid4().hex[:10].upper()}"
        with self._lock:
            self._state.pending_uploads[key] = _Pending(
                file_id, str(params["filename"]), int(length)
            )
        upload_url = f"http://127.0.0.1:{self.port}/upload/v1/{key}"
        return {"ok": True, "upload_url": upload_url, "file_id": file_id}

    async def _upload(self, request: web.Request) -> web.Response:
        """The POST of a file's bytes to its upload URL: raw, or the file part of multipart."""
        if request.content_type.startswith("multipart/"):
            data = b""
            async for part in await request.multipart():
                if isinstance(part, BodyPartReader) and part.filename is not None:
                    data = await part.read()
        else:
            data = await request.read()
        with self._lock:
            pending = self._state.pending_uploads.get(request.match_info["key"])
            if pending is not None:
                pending.data = data
        if pending is None:
            return web.Response(status=404, text="Not Found")
        return web.Response(text=f"OK - {len(data)}")

    def _complete_upload(self, params: dict[str, Any], ts: str) -> dict[str, Any]:
        """files.completeUploadExternal: share the uploaded files in channel_id."""
        files = _json(params.get("files"))
        if not isinstance(files, list) or not files:
            return _refused("invalid_arguments", ["[ERROR] missing required field: files"])
        channel = str(params.get("channel_id") or "")
        if channel and not (channel[0] in "CDG" and channel[1:].isalnum()):
            return {"ok": False, "error": "channel_not_found"}
        with self._lock:
            by_id = {p.file_id: (k, p) for k, p in self._state.pending_uploads.items()}
            found = [by_id.get(str((f or {}).get("id"))) for f in files]
            if any(f is None or f[1].data is None for f in found):
                return {"ok": False, "error": "file_not_found"}
            shared = []
            for entry, item in zip(found, files, strict=True):
                assert entry is not None and entry[1].data is not None
                key, pending = entry
                del self._state.pending_uploads[key]  # completing is allowed once
                upload = Upload(
                    pending.file_id, pending.filename, str(item.get("title") or pending.filename),
                    pending.length, pending.data, channel, str(params.get("initial_comment") or ""),
                    str(params.get("thread_ts") or ""), time.monotonic(),
                )  # fmt: skip
                self._state.uploads.append(upload)
                shared.append({"id": upload.file_id, "title": upload.title, "name": upload.filename,
                               "size": len(upload.data), "timestamp": int(float(ts))})  # fmt: skip
        return {"ok": True, "files": shared}

    async def _respond(self, request: web.Request) -> web.Response:
        body = await request.json()
        with self._lock:
            self._state.responses.append((request.match_info["key"], body, time.monotonic()))
        return web.Response(text="ok")

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoping=True, timeout=1.0)  # close handshake timeout
        await ws.prepare(request)
        with self._lock:
            self._state.sockets.append(ws)
        hello = {
            "type": "hello",
            "num_connections": 1,
            "connection_info": {"app_id": APP_ID},
            "debug_info": {"host": "fake", "approximate_connection_time": 18060},
        }
        await ws.send_str(json.dumps(hello))
        async for msg in ws:
            if msg.type != WSMsgType.TEXT:
                continue
            data = json.loads(msg.data)
            if "envelope_id" in data:
                ack = Ack(data["envelope_id"], data.get("payload"), time.monotonic())
                with self._lock:
                    self._state.acks[ack.envelope_id] = ack
        return ws


def _assistant_thread(method: str, params: dict[str, Any]) -> dict[str, Any]:
    """assistant.threads.*: required fields present (status may be "" to clear it), prompts
    1-4 objects with a title and a message."""
    for name in _ASSISTANT_REQUIRED[method]:
        if params.get(name) is None or (name != "status" and params.get(name) == ""):
            return _refused("invalid_arguments", [f"[ERROR] missing required field: {name}"])
    if method == "assistant.threads.setSuggestedPrompts":
        prompts = _json(params.get("prompts"))
        if not isinstance(prompts, list) or not 1 <= len(prompts) <= MAX_SUGGESTED_PROMPTS:
            return _refused(
                "invalid_arguments",
                [f"[ERROR] must be 1-{MAX_SUGGESTED_PROMPTS} items [json-pointer:/prompts]"],
            )
        for i, prompt in enumerate(prompts):
            if not isinstance(prompt, dict) or not prompt.get("title") or not prompt.get("message"):
                return _refused(
                    "invalid_arguments",
                    [f"[ERROR] missing required field: title [json-pointer:/prompts/{i}]"],
                )
    return {"ok": True}


def _json(value: Any) -> Any:
    """A parameter that may come as a JSON string (form bodies) or as JSON already."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return None
    return value


def _refused(error: str, messages: list[str], errors: bool = False) -> dict[str, Any]:
    """Slack's ok:false body with the problems in response_metadata (and `errors` for blocks)."""
    body: dict[str, Any] = {"ok": False, "error": error}
    if errors:
        body["errors"] = [m.removeprefix("[ERROR] ") for m in messages]
    body["response_metadata"] = {
        "messages": [f"[ERROR] {m.removeprefix('[ERROR] ')}" for m in messages]
    }
    return body


def block_problems(blocks: list[dict[str, Any]], max_blocks: int, pointer: str) -> list[str]:
    """What Slack would refuse in `blocks`: too many of them, or a text over its type's limit."""
    if len(blocks) > max_blocks:
        return [f"no more than {max_blocks} items allowed [json-pointer:{pointer}/blocks]"]
    problems = []
    for i, block in enumerate(blocks):
        limit = _TEXT_MAX.get(block.get("type", ""))
        text = (block.get("text") or {}).get("text", "")
        if limit and len(text) > limit:
            where = f"{pointer}/blocks/{i}/text/text"
            problems.append(f"must be less than {limit + 1} characters [json-pointer:{where}]")
    return problems
