"""The index's tables, described once: the local writer (SQLite), the PostgreSQL migration and
both snapshots' queries are generated from these descriptions.

A local version stores its tables as they are; PostgreSQL stores every published version in the
same tables, so each table there has a leading `version` column and the keys include it. The
register's deadlines and obligations are rows of their dataclasses' fields locally and one JSON
item per row in PostgreSQL (`index_register`), in the same order. A field added to a register
dataclass later has a default: a local version written before it reads it as that default (its
column missing there), and PostgreSQL needs no migration for it, since an item stored there is a
JSON array whose missing trailing fields the dataclass fills with their defaults.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import MISSING, dataclass, fields
from typing import Any

from config.collections import DEFAULT_COLLECTION
from retrieval.register import Deadline, Obligation
from retrieval.types import Chunk


@dataclass(frozen=True)
class Column:
    """One column: its name, its type in SQLite and in PostgreSQL (all NOT NULL), the column of
    another table it refers to ("documents(path)"), if any, and for a column added after the
    tables were made, its default (an SQL literal both databases read the same way: rows and
    local versions written before it have this value) and the PostgreSQL migration that adds it.
    """

    name: str
    sqlite: str
    pg: str
    references: str = ""
    default: str = ""
    migration: int = 3  # the PostgreSQL migration that made the column (3 made the tables)

    def pg_definition(self) -> str:
        """ "name type NOT NULL [DEFAULT value]" in PostgreSQL."""
        default = f" DEFAULT {self.default}" if self.default else ""
        return f"{self.name} {self.pg} NOT NULL{default}"


def _text(name: str, references: str = "") -> Column:
    return Column(name, "TEXT", "text", references)


def _int(name: str, references: str = "") -> Column:
    return Column(name, "INTEGER", "integer", references)


@dataclass(frozen=True)
class Table:
    """A table of one index version. `key` is its primary key (without the PostgreSQL version)."""

    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    pg_name: str  # the table in PostgreSQL, which holds every published version

    @property
    def names(self) -> tuple[str, ...]:
        """Column names in table order."""
        return tuple(c.name for c in self.columns)

    def select(self, *, only: tuple[str, ...] = (), stored: frozenset[str] | None = None) -> str:
        """ "a, b, c": the columns (or `only` those, checked) for a SELECT list. With `stored`
        (the columns a table written by older code has), a later column missing there is read
        as its default ("false AS ocr")."""
        unknown = set(only) - set(self.names)
        if unknown:
            raise KeyError(f"{self.name} has no column {sorted(unknown)}")
        defaults = {c.name: c.default for c in self.columns if c.default}
        old = set() if stored is None else set(defaults) - stored
        return ", ".join(f"{defaults[n]} AS {n}" if n in old else n for n in only or self.names)

    def sqlite_ddl(self) -> str:
        """CREATE TABLE of the local meta.sqlite."""
        cols = [
            f"{c.name} {c.sqlite} NOT NULL"
            + (f" DEFAULT {c.default}" if c.default else "")
            + (" PRIMARY KEY" if self.key == (c.name,) else "")
            + (f" REFERENCES {c.references}" if c.references else "")
            for c in self.columns
        ]
        return f"CREATE TABLE {self.name} ({', '.join(cols)});"

    def pg_columns(self, migration: int) -> str:
        """The column definitions in PostgreSQL after the leading version column, as the table
        was after `migration` (a migration's SQL must not change once it is released)."""
        return ", ".join(c.pg_definition() for c in self.columns if c.migration <= migration)


DOCUMENTS = Table(
    "documents",
    (
        _text("path"),
        _text("title"),
        _text("sha256"),
        _text("kind"),
        _text("date"),
        _text("reference"),
        _int("pages"),
        _text("body"),
        # the document's type and validity period (ingest.doctype), "" when not known
        Column("doctype", "TEXT", "text", default="''", migration=5),
        Column("valid_from", "TEXT", "text", default="''", migration=5),
        Column("valid_to", "TEXT", "text", default="''", migration=5),
        # when ingestion first indexed this content (UTC, ISO seconds), "" when not recorded
        Column("changed", "TEXT", "text", default="''", migration=6),
        # the document's collection (retrieval.collections); versions before it hold one
        Column("collection", "TEXT", "text", default=f"'{DEFAULT_COLLECTION}'", migration=7),
        # letterhead facts (ingest.metadata): the decision's § and the case officer, or ""
        Column("paragraph", "TEXT", "text", default="''", migration=10),
        Column("officer", "TEXT", "text", default="''", migration=10),
    ),
    key=("path",),
    pg_name="index_documents",
)
CHUNKS = Table(
    "chunks",
    (
        _int("pos"),
        _text("chunk_id"),
        _text("doc_path", "documents(path)"),
        _int("page"),
        _text("section"),
        _int("ordinal"),
        _text("text"),
        _text("embed_key"),
        # 1 when the chunk's page was read by OCR from a scan (SQLite stores false as 0)
        Column("ocr", "INTEGER", "boolean", default="false", migration=4),
    ),
    key=("pos",),
    pg_name="index_chunks",
)
SENTENCES = Table(
    "sentences",
    (_int("sid"), _int("chunk_pos", "chunks(pos)"), _text("text"), _text("embed_key")),
    key=("sid",),
    pg_name="index_sentences",
)
ALIASES = Table(
    "aliases", (_text("name"), _text("abbreviation")), key=("name",), pg_name="index_register"
)


def _register_table(name: str, cls: type, added: tuple[str, ...] = ()) -> Table:
    """A register table: an id, then the dataclass's fields (stored as one JSON item in
    PostgreSQL's index_register, in the same order). The `added` fields came after the table
    was first written: their column has the field's default, read for older versions."""
    cols = [_int("id")]
    for f in fields(cls):
        if f.name == "doc_path":
            cols.append(_text(f.name, "documents(path)"))
        elif f.name in added:
            assert f.default is not MISSING, f"{cls.__name__}.{f.name} needs a default"
            cols.append(Column(f.name, "TEXT", "text", default=f"'{f.default}'"))
        else:
            cols.append(_int(f.name) if f.type in (int, "int") else _text(f.name))
    return Table(name, tuple(cols), key=("id",), pg_name="index_register")


# the kinds of dates beyond deadlines (issue 10): what each entry is, its rule and precision
DEADLINES = _register_table(
    "deadlines", Deadline, added=("kind", "rule", "duration", "precision", "approximate")
)
OBLIGATIONS = _register_table("obligations", Obligation)
TABLES = (DOCUMENTS, CHUNKS, SENTENCES)
REGISTER_KINDS = {"deadline": DEADLINES, "obligation": OBLIGATIONS, "alias": ALIASES}
# what a Chunk is built from, in the order of retrieval.types.Chunk's fields
CHUNK_FIELDS = ("doc_path", "text", "page", "section", "ordinal", "ocr")


def chunk_from_row(values: Sequence[Any]) -> Chunk:
    """A Chunk from the values of the CHUNK_FIELDS columns, in order (SQLite gives the OCR
    flag as 0 or 1, PostgreSQL as a bool)."""
    doc_path, text, page, section, ordinal, ocr = values
    return Chunk(doc_path, text, page, section, ordinal, bool(ocr))


def register_fields(table: Table) -> tuple[str, ...]:
    """The columns of a register table that hold its item (all but the id)."""
    return tuple(n for n in table.names if n != "id")


def sqlite_script() -> str:
    """The whole meta.sqlite schema of a local version."""
    return "\n".join(
        [
            *(t.sqlite_ddl() for t in (*TABLES, DEADLINES, OBLIGATIONS, ALIASES)),
            "CREATE INDEX chunks_doc ON chunks(doc_path);",
            "CREATE INDEX sentences_chunk ON sentences(chunk_pos);",
            "CREATE INDEX chunks_key ON chunks(embed_key);",
        ]
    )


def pg_index_tables() -> str:
    """The PostgreSQL tables of the published versions' documents, chunks and sentences
    (migration 3): each table of TABLES with a leading version column, with the columns it had
    then (later ones are added by their own migration, `pg_added_columns`); sentences also
    keep their vector."""
    d, c, s = DOCUMENTS, CHUNKS, SENTENCES
    return f"""
        CREATE TABLE {d.pg_name} (
            version bigint NOT NULL REFERENCES index_versions(id) ON DELETE CASCADE,
            {d.pg_columns(3)},
            PRIMARY KEY (version, {", ".join(d.key)})
        );
        CREATE TABLE {c.pg_name} (
            version bigint NOT NULL, {c.pg_columns(3)},
            PRIMARY KEY (version, {", ".join(c.key)}),
            FOREIGN KEY (version, doc_path) REFERENCES {d.pg_name} (version, path)
                ON DELETE CASCADE
        );
        CREATE INDEX {c.pg_name}_doc ON {c.pg_name} (version, doc_path, ordinal);
        CREATE TABLE {s.pg_name} (
            version bigint NOT NULL, {s.pg_columns(3)}, embedding vector NOT NULL,
            PRIMARY KEY (version, {", ".join(s.key)}),
            FOREIGN KEY (version, chunk_pos) REFERENCES {c.pg_name} (version, pos)
                ON DELETE CASCADE
        );
        CREATE INDEX {s.pg_name}_chunk ON {s.pg_name} (version, chunk_pos);
    """


def pg_added_columns(migration: int) -> str:
    """The ALTER TABLE statements of a migration that adds columns to the index tables (rows
    of versions published before it get the column's default)."""
    return "\n".join(
        f"ALTER TABLE {t.pg_name} ADD COLUMN {c.pg_definition()};"
        for t in TABLES
        for c in t.columns
        if c.migration == migration
    )
