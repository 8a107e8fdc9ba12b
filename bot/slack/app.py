"""Build the Bolt app: Web API client, dedupe middleware, listeners and the answering pool."""

from __future__ import annotations

import logging
from concurrent.futures import Executor, ThreadPoolExecutor

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.http_retry import RateLimitErrorRetryHandler, default_retry_handlers

from bot.slack.answering import AnswerFn, Answering
from bot.slack.assistant import AssistantPanel
from bot.slack.calendar_file import CalendarButton
from bot.slack.dedupe import dedupe_middleware
from bot.slack.escalation import Escalation
from bot.slack.handlers import ChannelPolicy, Listeners
from bot.slack.home import AppHome, SnapshotFn
from bot.slack.pgdedupe import seen_store
from bot.slack.pgfeedback import feedback_store
from bot.slack.pgthreads import thread_stores
from config.settings import Settings

log = logging.getLogger(__name__)

RATE_LIMIT_RETRIES = 3


def api_base_url(url: str) -> str:
    """SLACK_API_URL with the trailing slash the Web API client needs to join method names."""
    return url if url.endswith("/") else url + "/"


def make_client(settings: Settings) -> WebClient:
    """A Web API client for SLACK_API_URL that waits out HTTP 429 (Retry-After) and retries.

    Socket Mode uses the same client for apps.connections.open, so it follows SLACK_API_URL too.
    """
    token = settings.slack.bot_token.get_secret_value() if settings.slack.bot_token else None
    handlers = [
        *default_retry_handlers(),
        RateLimitErrorRetryHandler(max_retry_count=RATE_LIMIT_RETRIES),
    ]
    return WebClient(
        token=token,
        base_url=api_base_url(settings.slack.api_url),
        retry_handlers=handlers,
        logger=logging.getLogger(f"{__name__}.web"),
    )


def answer_pool(settings: Settings) -> ThreadPoolExecutor:
    """The bounded pool (SLACK_WORKERS threads) that answers questions."""
    return ThreadPoolExecutor(max_workers=settings.slack.workers, thread_name_prefix="answer")


def build_app(
    settings: Settings,
    answer_fn: AnswerFn,
    client: WebClient | None = None,
    *,
    pool: Executor | None = None,
    snapshot_fn: SnapshotFn | None = None,
) -> App:
    """The Bolt app, without calls to Slack (the bot token is checked on the first event).

    With DATABASE_URL set, events are de-duplicated, threads (the assistant panel's too) and
    feedback kept in PostgreSQL, shared by every replica (the pool is opened here;
    DatabaseError when the server or schema is wrong).

    `client` defaults to `make_client(settings)`; `pool` defaults to a new `answer_pool` whose
    threads end with the process. `snapshot_fn` gives the index version in use for the App
    Home and the assistant panel's suggested prompts (None: the Home tab shows how to ask and
    the digest only, the panel suggests how to ask). Request signatures are verified in HTTP
    mode only.
    """
    slack = settings.slack
    client = client or make_client(settings)
    signing_secret = slack.signing_secret.get_secret_value() if slack.signing_secret else ""
    app = App(
        client=client,
        signing_secret=signing_secret,
        token_verification_enabled=False,
        request_verification_enabled=slack.mode == "http",
        logger=logging.getLogger(f"{__name__}.bolt"),
    )
    seen = seen_store(settings)  # in memory, or shared in PostgreSQL with DATABASE_URL
    app.use(dedupe_middleware(seen))
    feedback = feedback_store(settings)  # SQLite, or PostgreSQL (shared)
    threads, context_store = thread_stores(settings)  # SQLite, or PostgreSQL (shared)
    answering = Answering(
        answer_fn,
        client,
        pool or answer_pool(settings),
        threads=threads,
        docs_base_url=slack.docs_base_url,
        escalation_margin=slack.escalation_margin if slack.escalation_mentions else None,
        declines=feedback,
        collections_for=slack.collections_for,
    )
    listeners = Listeners(
        answering,
        ChannelPolicy(slack.allowed_channels, slack.allow_dms),
        seen,
        feedback,
        command_name=slack.command,
    )
    # a middleware: replies in panel threads go to the panel, other DM threads fall through
    panel = AssistantPanel(
        listeners,
        threads,
        snapshot_fn,
        settings.digest.timezone,
        context_store=context_store,
        collections_for=slack.collections_for,
    )
    app.assistant(panel.assistant())
    listeners.register(app)
    if slack.escalation_mentions:  # without coordinators there is no button to listen to
        Escalation(slack.escalation_mentions).register(app)
    app.event("app_home_opened")(AppHome(settings, snapshot_fn).on_opened)
    # the Home tab's button: the calendar of what the user's DM may see
    CalendarButton(snapshot_fn, settings.digest.timezone, slack.collections_for).register(app)
    return app
