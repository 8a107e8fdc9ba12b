"""An answer from a decision points to a newer decision on the same matter (issue 10, part 4),
measured with the real embedding model on generated committee decisions."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot import newer
from bot.answer import Answerer
from config.settings import Settings
from ingest.pipeline import IngestOptions, ingest
from retrieval.index import open_current
from retrieval.snapshot import Snapshot
from tests.pdfs import make_decision_pdf

pytestmark = pytest.mark.slow

# fictional decisions, written for these tests
OLDER = [
    ("Sammanfattning", [
        "Omsorgsnämnden föreslås godkänna ett avtal med Sjöstads högskola om verksamhetsförlagd "
        "utbildning för sjuksköterskestudenter. Avtalet ger studenterna 20 praktikplatser per "
        "termin inom hemtjänsten.",
    ]),
    ("Ärendet", [
        "Högskolan har frågat om kommunen kan ta emot studenter från sjuksköterskeprogrammet. "
        "Studenterna i hemtjänsten får ett parkeringstillstånd av kommunen under praktiken.",
        "Högskolan betalar 1 200 kronor per student och vecka till kommunen.",
    ]),
]  # fmt: skip
ALARMS = [
    ("Sammanfattning", [
        "Omsorgsnämnden föreslås höja avgiften för trygghetslarm i ordinärt boende från 200 "
        "till 250 kronor per månad från den 1 juli 2024.",
    ]),
    ("Ärendet", [
        "Kostnaden för larmcentralen har ökat sedan det nya upphandlade avtalet började gälla. "
        "Avgiften har inte ändrats sedan 2019.",
    ]),
]  # fmt: skip
SCHOOL = [
    ("Sammanfattning", [
        "Utbildningsnämnden föreslås godkänna ett avtal med Sjöstads högskola om "
        "verksamhetsförlagd utbildning för lärarstudenter i kommunens grundskolor.",
    ]),
    ("Ärendet", [
        "Skolorna tar emot 15 lärarstudenter per termin. Högskolan utbildar handledarna.",
    ]),
]  # fmt: skip


def build_corpus(corpus: Path) -> Path:
    """Two decisions of one committee on one agreement (2023 and 2024, different case
    numbers), a later one of the same committee on another matter, and another committee's
    later decision on a like agreement."""
    corpus.mkdir(parents=True, exist_ok=True)
    make_decision_pdf(corpus / "vfu-2023.pdf", "2023-05-10", "§ 31", "ON 2023/88-2",
                      sections=OLDER)  # fmt: skip
    make_decision_pdf(corpus / "vfu-2024.pdf")  # 2024-03-20, § 12, ON 2024/31-3
    make_decision_pdf(corpus / "larm-2024.pdf", "2024-05-15", "§ 40", "ON 2024/77-1",
                      "Taxa för trygghetslarm", ALARMS)  # fmt: skip
    make_decision_pdf(corpus / "skola-2024.pdf", "2024-06-01", "§ 22", "UN 2024/12-1",
                      "Avtal om verksamhetsförlagd utbildning för lärarstudenter", SCHOOL,
                      committee="Utbildningsnämnden")  # fmt: skip
    return corpus


@pytest.fixture(scope="module")
def decisions(tmp_path_factory: pytest.TempPathFactory, real_embedder) -> Path:
    root = tmp_path_factory.mktemp("decisions")
    corpus = build_corpus(root / "corpus")
    opts = IngestOptions(root / "index", corpus)
    report = ingest([corpus], opts, real_embedder.name, lambda: real_embedder)
    assert not report.failed
    return root / "index"


@pytest.fixture(scope="module")
def snapshot(decisions: Path) -> Snapshot:
    return open_current(decisions)


def test_the_later_decision_on_the_same_agreement_is_found(snapshot: Snapshot) -> None:
    """The 2024 decision on the agreement is the newer one of the 2023 decision, though their
    case numbers differ: one committee, documents that say much the same."""
    docs = snapshot.documents
    assert newer.newer_decision(docs["vfu-2023.pdf"], snapshot) == docs["vfu-2024.pdf"]
    assert newer.similarity("vfu-2023.pdf", "vfu-2024.pdf", snapshot) >= newer.SAME_MATTER


def test_other_matters_and_other_committees_are_not_joined(snapshot: Snapshot) -> None:
    """The committee's later fee decision and another committee's like agreement are not the
    same matter; the newest decision on the agreement has no newer one."""
    docs = snapshot.documents
    older = docs["vfu-2023.pdf"]
    assert newer.similarity("vfu-2023.pdf", "larm-2024.pdf", snapshot) < newer.SAME_MATTER
    assert not newer.same_matter(older, docs["larm-2024.pdf"], snapshot)
    assert not newer.same_matter(older, docs["skola-2024.pdf"], snapshot)
    assert newer.newer_decision(docs["vfu-2024.pdf"], snapshot) is None
    assert newer.newer_decision(docs["larm-2024.pdf"], snapshot) is None


def test_a_shared_case_number_is_the_same_matter(snapshot: Snapshot) -> None:
    """Two documents of one case ("ON 2023/88-2" and "-5") are one matter whatever they say."""
    from dataclasses import replace

    docs = snapshot.documents
    same_case = replace(docs["larm-2024.pdf"], reference="ON 2023/88-5")
    assert newer.case_number("ON 2023/88-5") == newer.case_number("ON 2023/88-2")
    assert newer.same_matter(docs["vfu-2023.pdf"], same_case, snapshot)


@pytest.fixture(scope="module")
def answerer(decisions: Path, real_embedder, model_dir: Path) -> Answerer:
    settings = Settings(index_dir=decisions, embedding={"model": str(model_dir)})
    return Answerer(settings, embedder=real_embedder)


def test_answer_from_the_older_decision_points_to_the_newer(answerer: Answerer) -> None:
    """An answer quoting the 2023 decision ends with the pointer to the 2024 one and cites it
    with its committee, date and §."""
    answer = answerer.answer("Får studenterna i hemtjänsten parkeringstillstånd?")
    assert answer.answered, answer.text
    assert "parkeringstillstånd" in answer.text
    pointer = "Det finns ett nyare beslut i samma ärende: Omsorgsnämnden, 2024-03-20."
    assert pointer in answer.text
    n = int(answer.text.split(pointer)[1].strip(" []"))
    cite = answer.citations[n - 1]
    assert cite.doc_path == "vfu-2024.pdf"
    assert cite.label().startswith("Omsorgsnämnden 2024-03-20, § 12, ")


def test_answer_from_the_newest_decision_has_no_pointer(answerer: Answerer) -> None:
    """An answer from the 2024 decision (the newest on its matter) says nothing of newer ones."""
    answer = answerer.answer("Hur mycket betalar högskolan per student och vecka 2024?")
    assert "nyare beslut" not in answer.text
