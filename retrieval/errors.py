"""The project's exceptions. Messages name the file, setting or value and what to do."""


class SamverkanError(Exception):
    """Base class for errors shown to the user as one line."""


class ConfigError(SamverkanError):
    """A setting or command-line option is wrong."""


class IngestError(SamverkanError):
    """One file could not be read or indexed; the rest of the batch goes on."""


class NoTextLayerError(IngestError):
    """A PDF none of whose pages carries text (a scan): `ingest.ocr` may still read it."""


class IndexMissingError(SamverkanError):
    """There is no published index to search."""


class IndexModelMismatch(SamverkanError):
    """The index was built with another embedding model than the one configured."""


class IndexLockedError(SamverkanError):
    """Another ingestion holds the index lock."""


class DatabaseError(ConfigError):
    """PostgreSQL (DATABASE_URL) cannot be reached, or its schema does not match this code."""
