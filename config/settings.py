"""All settings of samverkansbot, read from the environment and `.env`.

Variables are named GROUP_FIELD (for example ``RETRIEVAL_TOP_K`` or ``SLACK_BOT_TOKEN``);
top-level fields have no group (``INDEX_DIR``). Build `Settings()` once in ``main()``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from config.collections import DEFAULT_COLLECTION, EVERYONE, collection_name

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# a Slack user id (U…, or W… on Enterprise Grid) or a user-group id (S…)
_SLACK_PERSON_ID = re.compile(r"[UWS][A-Z0-9]{2,}")
_SLACK_CHANNEL_ID = re.compile(r"[CGD][A-Z0-9]{2,}")
DEFAULT_MODEL_DIR = PROJECT_ROOT / "models" / "multilingual-e5-small"
DEFAULT_QUERY_ADAPTER = PROJECT_ROOT / "bot" / "query_adapter.npz"


class _Group(BaseModel):
    model_config = ConfigDict(extra="forbid")


class EmbeddingSettings(_Group):
    """The sentence-transformers model that turns text into vectors."""

    model: str = Field(
        default=str(DEFAULT_MODEL_DIR),
        description="Folder of a sentence-transformers model on disk (never downloaded).",
    )
    batch_size: int = Field(default=16, ge=1, description="Passages embedded per batch.")
    threads: int = Field(
        default=0, ge=0, description="Torch threads for ingestion; 0 means all cores."
    )
    query_threads: int = Field(
        default=1,
        ge=0,
        description="Torch threads for embedding questions (the bot); 0 means all cores. One "
        "thread keeps answering fast while an ingest runs on the same cores.",
    )
    query_adapter: str = Field(
        default=str(DEFAULT_QUERY_ADAPTER),
        description="File of the query adapter (the model's top layers tuned for questions, "
        "trained with the answer model); empty for none.",
    )


class IngestSettings(_Group):
    """How files become chunks."""

    chunk_size: int = Field(default=400, ge=200, description="Target chunk length in characters.")
    chunk_overlap: int = Field(
        default=60, ge=0, description="Characters repeated between neighbouring chunks."
    )
    max_file_mb: float = Field(
        default=50.0, gt=0, description="Files larger than this are skipped."
    )
    nice: int = Field(
        default=10,
        ge=0,
        le=19,
        description="Scheduling niceness of `python -m ingest` (0-19): higher leaves the CPU to "
        "a bot answering on the same machine while new documents are indexed.",
    )


class RetrievalSettings(_Group):
    """Hybrid search: dense (faiss) + Swedish lexical (BM25), fused by weighted RRF."""

    top_k: int = Field(default=5, ge=1, le=50, description="Sources returned per question.")
    candidates: int = Field(default=40, ge=5, description="Hits taken from each retriever.")
    dense_weight: float = Field(default=1.5, ge=0, description="RRF weight of the dense list.")
    lexical_weight: float = Field(default=1.0, ge=0, description="RRF weight of the lexical list.")
    rrf_k: int = Field(default=60, ge=1, description="RRF rank constant.")
    ann_threshold: int = Field(
        default=250_000, ge=1, description="Above this many chunks faiss uses an HNSW index."
    )
    decompound: bool = Field(
        default=True, description="Split Swedish compounds into known parts for BM25."
    )


class AnswerSettings(_Group):
    """Extractive answers and when to decline."""

    threshold: float | None = Field(
        default=None,
        ge=0,
        le=1,
        description="Probability (0-1) that the best sentence answers, below which the bot "
        "declines; unset = the threshold stored with the answer model (bot/answer_model.json: "
        "0.5, where its decider, trained with both outcomes weighing the same, sees even odds).",
    )
    max_sentences: int = Field(default=3, ge=1, le=5, description="Sentences in an answer.")
    thesaurus_file: Path | None = Field(
        default=None,
        description="Text file of more word groups that stand for one another, one group per "
        "line, words separated by commas (e.g. 'hemtjänst, hemvård').",
    )


class SlackSettings(_Group):
    """Connection to Slack (Socket Mode by default)."""

    bot_token: SecretStr | None = Field(default=None, description="xoxb- bot token.")
    app_token: SecretStr | None = Field(default=None, description="xapp- token for Socket Mode.")
    signing_secret: SecretStr | None = Field(default=None, description="Signing secret (HTTP).")
    api_url: str = Field(
        default="https://slack.com/api/", description="Slack Web API base URL (gateway or test)."
    )
    mode: Literal["socket", "http"] = Field(default="socket", description="socket or http.")
    port: int = Field(default=3000, description="Port for HTTP mode.")
    command: str = Field(default="/avtal", description="Slash command name.")
    allowed_channels: str = Field(
        default="", description="Comma-separated channel ids the bot answers in; empty = all."
    )
    docs_base_url: str = Field(
        default="", description="Base URL that corpus paths are appended to for source links."
    )
    workers: int = Field(default=4, ge=1, description="Questions answered at the same time.")
    host: str = Field(
        default="0.0.0.0", description="Address the HTTP-mode server listens on (HTTP mode)."
    )
    events_path: str = Field(
        default="/slack/events", description="Request URL path for events, commands and actions."
    )
    health_path: str = Field(
        default="/healthz", description="GET on this path answers 200 while serving (HTTP mode)."
    )
    allow_dms: bool = Field(
        default=True, description="Answer direct messages even when allowed_channels is set."
    )
    calendar_path: str = Field(
        default="/kalender.ics",
        description="GET on this path with ?token=SLACK_CALENDAR_TOKEN serves the register's "
        "dates as an iCalendar file to subscribe to from Outlook or Google (HTTP mode).",
    )
    calendar_token: SecretStr | None = Field(
        default=None,
        description="Secret that the calendar URL must carry; unset = no calendar is served.",
    )
    feedback_salt: SecretStr | None = Field(
        default=None,
        description="Salt for hashing user ids in feedback; unset = random, kept in data_dir "
        "(with DATABASE_URL: in the database, one for every replica).",
    )
    escalation_users: str = Field(
        default="",
        description="Comma-separated user ids (U…) or user-group ids (S…) of the coordinators "
        "that the 'Fråga en människa' button under declines and unsure answers mentions in the "
        "thread; empty = no button.",
    )
    escalation_margin: float = Field(
        default=0.1,
        ge=0,
        le=1,
        description="An answer whose probability is less than this above the answer threshold "
        "counts as unsure and gets the 'Fråga en människa' button (0 = declines only).",
    )

    channel_collections: dict[str, list[str]] = Field(
        default_factory=dict,
        description="Which document collections each channel may see, as JSON: "
        '{"C0123ABCD": ["ledning", "allmänt"]}. A collection is the first folder below the '
        f"ingested folder; documents at the top are in {DEFAULT_COLLECTION!r}. Direct "
        f"messages, the App Home and channels not listed see {DEFAULT_COLLECTION!r} only.",
    )

    @field_validator("channel_collections")
    @classmethod
    def _collections(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        """Channel ids as Slack writes them and collection names in their canonical form."""
        out: dict[str, list[str]] = {}
        for channel, names in value.items():
            if not _SLACK_CHANNEL_ID.fullmatch(channel):
                raise ValueError(
                    f"{channel!r} is not a Slack channel id (C…, G… or D…); find it under the "
                    "channel's name → Om/About, at the bottom"
                )
            canonical = [collection_name(n) for n in names]
            if not all(canonical):
                raise ValueError(f"channel {channel}: an empty collection name")
            out[channel] = canonical
        return out

    def collections_for(self, channel: str) -> frozenset[str]:
        """The collections `channel` may see: its entry in channel_collections, else the
        default collection only (direct messages and the App Home included)."""
        names = self.channel_collections.get(channel)
        return EVERYONE if names is None else frozenset(names)

    @field_validator("escalation_users")
    @classmethod
    def _slack_ids(cls, value: str) -> str:
        """Every entry a user id (U…/W…) or user-group id (S…), not a name or an @handle."""
        for entry in (e.strip() for e in value.split(",")):
            if entry and not _SLACK_PERSON_ID.fullmatch(entry):
                raise ValueError(
                    f"{entry!r} is not a Slack user id (U…) or user-group id (S…); find it in "
                    "the person's profile (⋮ → Kopiera medlems-ID) or the group's page"
                )
        return value

    @property
    def escalation_mentions(self) -> tuple[str, ...]:
        """The coordinators as Slack mentions: <@U…> for people, <!subteam^S…> for groups."""
        ids = [e.strip() for e in self.escalation_users.split(",") if e.strip()]
        return tuple(f"<!subteam^{i}>" if i.startswith("S") else f"<@{i}>" for i in ids)

    @property
    def configured(self) -> bool:
        """True when tokens for the chosen mode are present."""
        if self.mode == "http":
            return self.bot_token is not None and self.signing_secret is not None
        return self.bot_token is not None and self.app_token is not None


class DigestSettings(_Group):
    """Weekly digest of deadlines."""

    channel: str = Field(default="", description="Channel id the weekly digest is posted to.")
    weeks_ahead: int = Field(default=4, ge=1, description="Weeks of upcoming deadlines shown.")
    weekday: int = Field(default=0, ge=0, le=6, description="Day to post (0 = Monday).")
    time: str = Field(default="08:00", description="Local time to post, HH:MM.")
    timezone: str = Field(default="Europe/Stockholm", description="Time zone of the schedule.")


class GapsSettings(_Group):
    """`python -m bot gaps`: grouping the questions the documents do not answer."""

    threshold: float = Field(
        default=0.06,
        ge=0,
        le=2,
        description="Cosine distance (1 - similarity) up to which groups of declined and "
        "'Hjälpte inte' questions are merged (average linkage). With the bundled e5 model "
        "paraphrases lie about 0.01-0.05 apart, other questions on the same subject 0.06-0.1 "
        "and unrelated ones 0.15 or more; raise it for fewer, broader groups.",
    )
    days: int = Field(
        default=30,
        ge=1,
        description="Period `gaps` covers without --since (days back from --until or now).",
    )


class Settings(BaseSettings):
    """Everything configurable, with defaults that work on a fresh clone."""

    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        env_nested_delimiter="_",
        env_nested_max_split=1,
        env_ignore_empty=True,  # `SLACK_BOT_TOKEN=` copied from .env.example means "not set"
        extra="ignore",
    )

    corpus_dir: Path = Field(default=PROJECT_ROOT / "corpus", description="Documents to ingest.")
    index_dir: Path = Field(default=PROJECT_ROOT / "index", description="Where the index lives.")
    data_dir: Path = Field(
        default=PROJECT_ROOT / "var", description="Feedback and digest records (SQLite)."
    )
    log_level: str = Field(
        default="INFO",
        description=(
            "Logging level. The console (`bot ask`, `bot run` without Slack) logs warnings and "
            "errors only; -v logs INFO lines."
        ),
    )
    database_url: SecretStr | None = Field(
        default=None,
        description=(
            "PostgreSQL URL shared by replicas: the index ingestion copies there and the bot "
            "answers from, Slack de-duplication, digest records, thread questions and "
            "assistant-panel threads, feedback and declined questions (run `python -m bot "
            "migrate` first); unset = local files."
        ),
    )
    database_read_url: SecretStr | None = Field(
        default=None,
        description="PostgreSQL URL the bot answers questions from (a read replica); "
        "unset = DATABASE_URL.",
    )
    embedding: EmbeddingSettings = Field(default_factory=EmbeddingSettings)
    ingest: IngestSettings = Field(default_factory=IngestSettings)
    retrieval: RetrievalSettings = Field(default_factory=RetrievalSettings)
    answer: AnswerSettings = Field(default_factory=AnswerSettings)
    slack: SlackSettings = Field(default_factory=SlackSettings)
    digest: DigestSettings = Field(default_factory=DigestSettings)
    gaps: GapsSettings = Field(default_factory=GapsSettings)
