"""Document collections: the names shared by ingestion (which collection a file is in) and the
settings (which collections a Slack channel may see).

A document's collection is its first folder below the ingested folder (`corpus/ledning/x.pdf`
is in `ledning`); documents at the top are in DEFAULT_COLLECTION, the one every channel sees.
"""

from __future__ import annotations

import unicodedata

DEFAULT_COLLECTION = "allmänt"


def collection_name(text: str) -> str:
    """The canonical form of a collection name: trimmed, NFC (macOS writes folder names
    decomposed) and case-folded, so "Ledning" and "ledning" are one collection."""
    return unicodedata.normalize("NFC", text.strip()).casefold()


# what direct messages, unmapped channels, the App Home and the calendar URL see
EVERYONE = frozenset({DEFAULT_COLLECTION})


def default_only(channel: str) -> frozenset[str]:
    """What a channel sees when no setting says otherwise: the default collection (the
    `collections_for` of code given no SLACK_CHANNEL_COLLECTIONS)."""
    return EVERYONE
