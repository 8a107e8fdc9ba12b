"""Answer each question once, even when Slack delivers it twice.

Slack retries an event it thinks was not acknowledged, with the same ``event_id`` (Bolt copies
the attempt number into the ``x-slack-retry-num`` header in both HTTP and Socket Mode). A message
can also reach the bot as two different events (``app_mention`` and ``message.im``). The
middleware drops repeated event ids but still returns 200, so Slack sees an ack and stops
retrying; handlers claim the message (channel, ts) before answering.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, Protocol

from slack_bolt.request import BoltRequest
from slack_bolt.response import BoltResponse

log = logging.getLogger(__name__)


class SeenStore(Protocol):
    """Where keys of events and messages already taken are recorded (SeenKeys, PgSeenKeys)."""

    def first_time(self, key: str) -> bool:
        """True the first time `key` is offered (within the store's ttl), False for every repeat.

        Safe to call from several threads at once; for a shared store, from several processes.
        """
        ...


class SeenKeys:
    """Thread-safe set of keys that forgets them after `ttl` seconds or beyond `capacity` keys."""

    def __init__(self, ttl: float = 3600.0, capacity: int = 50_000) -> None:
        self._ttl = ttl
        self._capacity = capacity
        self._seen: OrderedDict[str, float] = OrderedDict()
        self._lock = threading.Lock()

    def first_time(self, key: str) -> bool:
        """True the first time `key` is offered (within ttl), False for every repeat."""
        now = time.monotonic()
        with self._lock:
            self._forget_old(now)
            if key in self._seen:
                return False
            self._seen[key] = now
            return True

    def _forget_old(self, now: float) -> None:
        while self._seen:
            key, at = next(iter(self._seen.items()))
            if now - at <= self._ttl and len(self._seen) < self._capacity:
                return
            del self._seen[key]


def dedupe_middleware(seen: SeenStore) -> Callable[..., Any]:
    """A Bolt global middleware that acks repeated Events API deliveries without handling them."""

    def drop_repeated_events(
        body: dict[str, Any], request: BoltRequest, next_: Callable[[], None]
    ) -> BoltResponse | None:
        event_id = body.get("event_id") if isinstance(body, dict) else None
        if event_id and not seen.first_time(f"event:{event_id}"):
            retry = request.headers.get("x-slack-retry-num", ["?"])[0]
            log.info(
                "Event %s already taken (a redelivery, or another replica has it; retry %s); "
                "acknowledged, not answered again",
                event_id,
                retry,
            )
            return BoltResponse(status=200, body="")
        next_()
        return None

    return drop_repeated_events
