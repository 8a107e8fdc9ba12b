"""The index's tables, described once: the local writer (SQLite), the PostgreSQL migration and
both snapshots' queries are generated from these descriptions.

A local version stores its tables as they are; PostgreSQL stores every published version in the
same tables, so each table there has a leading `version` column and the keys include it. The
register's deadlines and obligations are rows of their dataclasses' fields locally and one JSON
item per row in PostgreSQL (`index_register`), in the same order.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

from retrieval.register import Deadline, Obligation


@dataclass(frozen=True)
class Column:
    """One column: its name, its type in SQLite and in PostgreSQL (all NOT NULL), and the
    column of another table it refers to ("documents(path)"), if any."""

    name: str
    sqlite: str
    pg: str
    references: str = ""


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

    def select(self, *, only: tuple[str, ...] = ()) -> str:
        """ "a, b, c": the columns (or `only` those, checked) for a SELECT list."""
        unknown = set(only) - set(self.names)
        if unknown:
            raise KeyError(f"{self.name} has no column {sorted(unknown)}")
        return ", ".join(only or self.names)

    def sqlite_ddl(self) -> str:
        """CREATE TABLE of the local meta.sqlite."""
        cols = [
            f"{c.name} {c.sqlite} NOT NULL"
            + (" PRIMARY KEY" if self.key == (c.name,) else "")
            + (f" REFERENCES {c.references}" if c.references else "")
            for c in self.columns
        ]
        return f"CREATE TABLE {self.name} ({', '.join(cols)});"

    def pg_columns(self, before: int | None = None) -> str:
        """The column definitions in PostgreSQL, after the leading version column; with
        `before`, only those the schema had before that migration."""
        return ", ".join(f"{c.name} {c.pg} NOT NULL" for c in self.columns_before(before))

    def columns_before(self, migration: int | None) -> tuple[Column, ...]:
        """The columns the table had before `migration` (all when None)."""
        if migration is None:
            return self.columns
        late = {
            name for table, name, step in ADDED if table.name == self.name and step >= migration
        }
        return tuple(c for c in self.columns if c.name not in late)


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
        _text("doctype"),
        _text("valid_from"),
        _text("valid_to"),
    ),
    key=("path",),
    pg_name="index_documents",
)
# columns added after a table was first created: (table, column, schema migration that added
# it). Versions and databases from before read them as "" (SQLite: left out of the SELECT).
ADDED = (
    (DOCUMENTS, "doctype", 5),
    (DOCUMENTS, "valid_from", 5),
    (DOCUMENTS, "valid_to", 5),
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


def _register_table(name: str, cls: type) -> Table:
    """A register table: an id, then the dataclass's fields (stored as one JSON item in
    PostgreSQL's index_register, in the same order)."""
    cols = [_int("id")]
    for f in fields(cls):
        if f.name == "doc_path":
            cols.append(_text(f.name, "documents(path)"))
        else:
            cols.append(_int(f.name) if f.type in (int, "int") else _text(f.name))
    return Table(name, tuple(cols), key=("id",), pg_name="index_register")


DEADLINES = _register_table("deadlines", Deadline)
OBLIGATIONS = _register_table("obligations", Obligation)
TABLES = (DOCUMENTS, CHUNKS, SENTENCES)
REGISTER_KINDS = {"deadline": DEADLINES, "obligation": OBLIGATIONS, "alias": ALIASES}
# what a Chunk is built from, in the order of retrieval.types.Chunk's fields
CHUNK_FIELDS = ("doc_path", "text", "page", "section", "ordinal")


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
    """The PostgreSQL tables of the published versions' documents, chunks and sentences as
    migration 3 created them: each table of TABLES with a leading version column; sentences also
    keep their vector. Columns added later come with their own migration (`pg_added_columns`)."""
    d, c, s = DOCUMENTS, CHUNKS, SENTENCES
    return f"""
        CREATE TABLE {d.pg_name} (
            version bigint NOT NULL REFERENCES index_versions(id) ON DELETE CASCADE,
            {d.pg_columns(before=4)},
            PRIMARY KEY (version, {", ".join(d.key)})
        );
        CREATE TABLE {c.pg_name} (
            version bigint NOT NULL, {c.pg_columns(before=4)},
            PRIMARY KEY (version, {", ".join(c.key)}),
            FOREIGN KEY (version, doc_path) REFERENCES {d.pg_name} (version, path)
                ON DELETE CASCADE
        );
        CREATE INDEX {c.pg_name}_doc ON {c.pg_name} (version, doc_path, ordinal);
        CREATE TABLE {s.pg_name} (
            version bigint NOT NULL, {s.pg_columns(before=4)}, embedding vector NOT NULL,
            PRIMARY KEY (version, {", ".join(s.key)}),
            FOREIGN KEY (version, chunk_pos) REFERENCES {c.pg_name} (version, pos)
                ON DELETE CASCADE
        );
        CREATE INDEX {s.pg_name}_chunk ON {s.pg_name} (version, chunk_pos);
    """


def pg_added_columns(migration: int) -> str:
    """ALTER TABLE statements of the columns that `migration` adds (default "")."""
    out = []
    for table, name, step in ADDED:
        if step == migration:
            column = next(c for c in table.columns if c.name == name)
            out.append(
                f"ALTER TABLE {table.pg_name} ADD COLUMN {name} {column.pg} NOT NULL DEFAULT '';"
            )
    return "\n".join(out)
