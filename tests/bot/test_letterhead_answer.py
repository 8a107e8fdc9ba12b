"""A question for a letterhead fact is answered from the document's metadata, since letterhead
lines are no evidence sentences (issue 10, part 2)."""

from __future__ import annotations

import pytest

from bot.answer import Answerer
from bot.letterhead import asked_fact
from config.settings import Settings
from ingest.pipeline import IngestOptions, ingest
from retrieval.embedder import HashEmbedder
from tests.pdfs import make_decision_pdf


@pytest.fixture(scope="module")
def answerer(tmp_path_factory: pytest.TempPathFactory) -> Answerer:
    root = tmp_path_factory.mktemp("letterhead")
    (root / "corpus").mkdir()
    make_decision_pdf(root / "corpus" / "beslut.pdf")
    embedder = HashEmbedder()
    opts = IngestOptions(root / "index", root / "corpus")
    ingest([root / "corpus"], opts, embedder.name, lambda: embedder)
    settings = Settings(index_dir=root / "index", embedding={"model": embedder.name})
    return Answerer(settings, embedder=embedder)


def test_case_officer_question_is_answered_from_the_letterhead(answerer: Answerer) -> None:
    """ "Vem är handläggare …" names the case officer and cites the letterhead line."""
    answer = answerer.answer("Vem är handläggare för avtalet med Sjöstads högskola?")
    assert answer.answered
    assert answer.text == "Handläggare för Omsorgsnämnden 2024-03-20 är Eva Strand. [1]"
    assert answer.citations[0].quote == "Handläggare: Eva Strand"
    assert answer.citations[0].label().startswith("Omsorgsnämnden 2024-03-20, § 12")


def test_diarienummer_question_is_answered_from_the_letterhead(answerer: Answerer) -> None:
    """A question for the dnr gives the document's diarienummer."""
    answer = answerer.answer("Vilket dnr har beslutet om Sjöstads högskola?")
    assert answer.text == "Omsorgsnämnden 2024-03-20 har diarienummer ON 2024/31-3. [1]"
    assert answer.citations[0].quote == "Dnr ON 2024/31-3"


@pytest.mark.parametrize(
    "question",
    ["Hur många ärenden får en handläggare ha?", "Vem ansvarar för att de som handlägger "
     "barnärenden har erfarenhet?", "Vad handlade mötet om?"],
)  # fmt: skip
def test_other_questions_with_the_words_are_not_letterhead_questions(question: str) -> None:
    """Only a question that asks who the case officer is, or for the dnr, takes this route."""
    assert asked_fact(question) == ""
