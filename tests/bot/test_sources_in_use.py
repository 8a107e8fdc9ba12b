"""Templates and expired agreements as sources (issue 10, part 4): a template never outranks an
agreement that says the same as closely, and a citation says what the reader must know."""

from __future__ import annotations

import numpy as np

from bot.answer import FURTHER_WITHIN, choose, source_status
from bot.features import Candidate
from retrieval.types import Chunk, Citation, DocType, DocumentMeta, ScoredChunk

TEMPLATE = DocumentMeta("mall.docx", "Mall för avtal", "a", "docx", doctype=DocType.TEMPLATE)
SIGNED = DocumentMeta(
    "avtal.pdf", "Avtal med KI", "b", "pdf", doctype=DocType.AGREEMENT,
    valid_from="2017-03-01", valid_to="2019-12-31",
)  # fmt: skip


def _candidates() -> tuple[list[Candidate], list[ScoredChunk]]:
    hits = [
        ScoredChunk(Chunk("mall.docx", "Kommunen tar emot [antal] studenter.", 1), TEMPLATE, 1.0),
        ScoredChunk(
            Chunk("avtal.pdf", "Varje termin erbjuds tolv platser i hemtjänsten.", 2), SIGNED, 0.9
        ),
    ]
    cands = [Candidate(h.chunk.text, h.chunk.text, i, 0, 1, 0.8, "") for i, h in enumerate(hits)]
    return cands, hits


def test_a_template_does_not_outrank_an_agreement_scored_close_to_it() -> None:
    cands, hits = _candidates()
    close = np.array([2.0, 2.0 - FURTHER_WITHIN / 2])
    assert [c.hit for c in choose(cands, close, 2, hits)] == [1, 0]
    far = np.array([2.0, 2.0 - 2 * FURTHER_WITHIN])
    assert [c.hit for c in choose(cands, far, 2, hits)] == [0]  # the agreement says less
    assert [c.hit for c in choose(cands, close, 2)] == [0, 1]  # without sources: score order


def test_a_sentence_filling_in_a_templates_blanks_takes_its_place_however_far_below() -> None:
    """The agreement's "gäller från och med den 1 mars 2017 …" fills in the template's "gäller
    från och med [datum] …": it is given in the template sentence's place and the template
    sentence is left out, however far below it scored; a sentence that does not fill in the
    blanks does not move."""
    hits = [
        ScoredChunk(Chunk("mall.docx", "", 1), TEMPLATE, 1.0),
        ScoredChunk(Chunk("avtal.pdf", "", 2), SIGNED, 0.5),
    ]
    texts = [
        (0, "Avtalet gäller från och med [datum] till och med [datum]."),
        (1, "Avtalet gäller från och med den 1 mars 2017 till och med den 31 december 2019."),
        (1, "Avtalet kan sägas upp med sex månaders uppsägningstid."),
    ]
    cands = [Candidate(t, t, hit, n, 3, 0.8, "") for n, (hit, t) in enumerate(texts)]
    scores = np.array([3.0, 3.0 - 3 * FURTHER_WITHIN, 3.0 - FURTHER_WITHIN / 2])
    chosen = choose(cands, scores, 2, hits)
    assert [c.raw for c in chosen] == [texts[1][1], texts[2][1]]
    assert [c.raw for c in choose(cands, scores, 2)] == [texts[0][1], texts[2][1]]  # no sources
    unfilled = [cands[0], cands[2]]
    assert choose(unfilled, scores[[0, 2]], 2, hits)[0].raw == texts[2][1]


def test_answers_apply_the_template_rule(answerer) -> None:
    """Through the Answerer (decide passes the sources): asked how long "avtalet" runs, the
    sample corpus's signed Täby agreement is quoted, not the template's "[datum]" sentence."""
    answer = answerer.answer("hur länge gäller avtalet?")
    assert answer.answered
    assert answer.text.startswith("Avtalet gäller från och med den 1 mars 2017")
    assert "[datum]" not in answer.text.split("[1]")[0]


def test_a_citation_says_template_or_no_longer_in_force() -> None:
    assert source_status(TEMPLATE, "2026-12-02") == "mall"
    assert source_status(SIGNED, "2026-12-02") == "gällde till 2019-12-31"
    assert source_status(SIGNED, "2018-06-01") == ""
    cite = Citation(1, "avtal.pdf", "Avtal med KI", 2, "3 Avtalstid", "…", 0.5,
                    status="gällde till 2019-12-31")  # fmt: skip
    assert cite.label() == "Avtal med KI, 3 Avtalstid, s. 2 (gällde till 2019-12-31)"
