"""Answer messages: content, links, Slack's limits and escaping (with Hypothesis)."""

from __future__ import annotations

import json
import string

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.slack import messages
from bot.slack.blocks import MAX_BLOCKS, answer_message
from bot.slack.feedback import VALUE_MAX, decode_value, encode_value, helped_of
from bot.slack.mrkdwn import escape, escape_trimmed, source_url
from retrieval.types import Answer, Citation
from tests.slack.answers import SOURCE
from tests.slack.rendered import rendered_texts, special_sequences

BASE = "https://docs.example.se/korpus"


def _message(answer: Answer, base: str = "", show_question: bool = False) -> dict:
    return {
        "text": (m := answer_message(answer, base, show_question)).text,
        "blocks": list(m.blocks),
    }


def test_source_shows_title_section_page_quote_and_pdf_link():
    """A source line has [n], the linked title, section, page, date, reference and the quote."""
    answer = Answer("Vad?", True, "Så här [1].", (SOURCE,))
    section = _message(answer, BASE)["blocks"][3]["text"]["text"]
    url = f"{BASE}/avtal/samverkansavtal%202024.pdf#page=3"
    assert section == (
        f"*[1] <{url}|Samverkansavtal FoU Nordost>*\n"
        "§ 5 Åtaganden · s. 3 · 2024-01-15 · KSL/24/0012\n"
        ">FoU Nordost ska samordna forskning och utveckling för medlemskommunerna."
    )


def test_links_are_quoted_and_only_pdfs_get_a_page_anchor():
    """Paths are URL-quoted under the base (one slash), #page=N only for PDFs, none without base."""
    assert source_url(BASE + "/", "mapp/å ä.md", 2) == f"{BASE}/mapp/%C3%A5%20%C3%A4.md"
    assert source_url(BASE, "Beslut.PDF", 7) == f"{BASE}/Beslut.PDF#page=7"
    assert source_url(BASE, "x<y>|z.pdf", 1) == f"{BASE}/x%3Cy%3E%7Cz.pdf#page=1"
    assert source_url("", "a.pdf", 1) is None
    assert "<http" not in json.dumps(_message(Answer("q", True, "a [1]", (SOURCE,)))["blocks"])


def test_decline_labels_closest_passages_as_not_an_answer():
    """A decline shows its message, then "Närmaste avsnitt – inte ett svar" and bullets."""
    closest = Citation(1, "p.md", "Protokoll", 1, "", "Något annat.", 0.1)
    blocks = _message(Answer("Kaffe?", False, "Det står inget om det.", (closest,), "no_relevant"))[
        "blocks"
    ]
    texts = [b["text"]["text"] for b in blocks if b["type"] == "section"]
    assert texts == [
        "Det står inget om det.",
        messages.CLOSEST_HEADING,
        "*• Protokoll*\ns. 1\n>Något annat.",
    ]


def test_decline_without_text_uses_the_reason():
    """An empty decline text falls back to the Swedish message for its reason."""
    message = _message(Answer("Kaffe?", False, "", (), "not_stated"))
    assert message["blocks"][0]["text"]["text"] == messages.DECLINE_BY_REASON["not_stated"]
    assert message["text"] == messages.DECLINE_BY_REASON["not_stated"]


def test_huge_answer_is_trimmed_to_slacks_limits():
    """60 sources, 10,000-character texts: <= 50 blocks, <= 3,000 per section, value <= 2,000."""
    long = "å&<" * 3400
    citations = tuple(
        Citation(
            i, f"d{i}.pdf", long, i, long, long, 0.5, doc_path=f"d{i}.pdf", chunk_id=f"c{i:023d}"
        )
        for i in range(1, 61)
    )
    message = _message(Answer(long, True, long, citations), BASE, show_question=True)
    _assert_within_limits(message)
    assert "50 källor till visas inte här." in json.dumps(message, ensure_ascii=False)


def _assert_within_limits(message: dict) -> None:
    blocks = message["blocks"]
    assert 0 < len(message["text"]) <= 3000
    assert len(blocks) <= MAX_BLOCKS
    for block in blocks:
        if block["type"] == "section":
            assert len(block["text"]["text"]) <= 3000
        if block["type"] == "context":
            assert len(block["elements"]) <= 10
            assert all(len(e["text"]) <= 3000 for e in block["elements"])
        if block["type"] == "actions":
            assert all(len(e["value"]) <= 2000 for e in block["elements"])
        if block["type"] == "context_actions":
            [thumbs] = block["elements"]
            assert thumbs["type"] == "feedback_buttons"
            for side in ("positive_button", "negative_button"):
                assert len(thumbs[side]["value"]) <= 2000


anything = st.text(alphabet=st.characters(), max_size=400)
slackish = st.text(alphabet=string.printable + "åäöÅÄÖ–…<>&!@#|", max_size=400)
citations = st.builds(
    Citation,
    n=st.integers(1, 99),
    document=slackish,
    title=slackish,
    page=st.integers(0, 999),
    section=slackish,
    quote=st.one_of(slackish, anything, st.just("<!channel> <@U123> <!here|here> & <#C1>")),
    score=st.floats(0, 1),
    doc_path=slackish,
    date=slackish,
    reference=slackish,
    chunk_id=st.text(string.hexdigits, max_size=24),
)
answers = st.builds(
    Answer,
    question=st.one_of(slackish, anything),
    answered=st.booleans(),
    text=st.one_of(slackish, anything),
    citations=st.lists(citations, max_size=60).map(tuple),
    reason=st.sampled_from(["", "no_relevant", "not_stated"]),
)


@settings(max_examples=150, deadline=None)
@given(answer=answers, base=st.sampled_from(["", BASE]), show_question=st.booleans())
def test_no_text_from_documents_or_users_can_ping_or_break_limits(answer, base, show_question):
    """For any answer, the only <...> Slack sees are the bot's own links, and limits hold."""
    message = _message(answer, base, show_question)
    _assert_within_limits(message)
    for sequence in special_sequences(message):
        assert sequence.startswith(BASE + "/"), sequence
    assert not any("<!" in t or "<@" in t or "<#" in t for t in rendered_texts(message))
    json.dumps(message).encode("utf-8")  # sendable


@given(text=anything, limit=st.integers(0, 500))
def test_trimmed_escape_never_cuts_an_entity_or_lets_brackets_through(text, limit):
    """escape_trimmed keeps the limit, has no < or >, and cuts only between whole entities."""
    out = escape_trimmed(text, limit)
    assert len(out) <= limit and "<" not in out and ">" not in out
    body = out.removesuffix("…")
    assert escape(text).startswith(body.encode("utf-8", "replace").decode("utf-8"))


@given(answer=answers, helped=st.sampled_from([None, True, False]))
def test_button_value_round_trips_within_2000_characters(answer, helped):
    """The feedback value is <= 2,000 characters and decodes to the question, the answer and
    (for the feedback_buttons element) which of the two was clicked."""
    value = encode_value(answer, helped)
    assert len(value) <= VALUE_MAX
    action = {"action_id": "feedback" if helped is not None else "feedback_helped", "value": value}
    assert helped_of(action) is (helped is not False)
    question, text, answered, ids = decode_value(value)
    assert answered == answer.answered
    clean = answer.question.encode("utf-8", "replace").decode("utf-8")
    assert clean.startswith(question.removesuffix("…"))
    assert set(ids) <= {c.chunk_id for c in answer.citations}
    if len(json.dumps([answer.question, answer.text], ensure_ascii=False)) < 1500:
        assert (question, text) == (clean, answer.text.encode("utf-8", "replace").decode("utf-8"))


def test_unreadable_button_value_decodes_to_empty_fields():
    """A value that is not the bot's JSON still gives a vote (with empty fields), never an error."""
    assert decode_value("not json") == ("", "", False, ())
    assert decode_value("[1, 2]") == ("", "", False, ())
