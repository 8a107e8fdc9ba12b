"""Answers from the real model and index: cited sentences, follow-ups, honest declines."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from bot.answer import Answerer
from config.settings import Settings
from retrieval.embedder import HashEmbedder
from retrieval.errors import IndexMissingError, IndexModelMismatch

ROOT = Path(__file__).resolve().parents[2]


def test_answer_cites_the_deadline_of_the_committee_decision(answerer: Answerer) -> None:
    """'När ska kommunen svara KSL?' is answered with 31 December 2016 and a cited source."""
    answer = answerer.answer("Senast när ska kommunens ställningstagande ha kommit in till KSL?")
    assert answer.answered
    assert "31 december 2016" in answer.text
    assert "[1]" in answer.text
    first = answer.citations[0]
    assert first.document.endswith(".txt") or first.document.endswith(".pdf")
    assert "31 december 2016" in first.quote
    assert first.page >= 1 and first.title


def test_answer_sentences_each_carry_a_marker_to_a_listed_source(answerer: Answerer) -> None:
    """Every [n] in the text points at a citation, and citations are numbered 1..k."""
    import re

    answer = answerer.answer(
        "Hur många VFU-platser per termin ska Täby erbjuda KI:s sjuksköterskestudenter?"
    )
    numbers = {int(n) for n in re.findall(r"\[(\d+)\]", answer.text)}
    assert numbers and numbers <= {c.n for c in answer.citations}
    assert [c.n for c in answer.citations] == list(range(1, len(answer.citations) + 1))


def test_off_topic_question_is_declined_with_reason_and_closest_sources(answerer: Answerer) -> None:
    """A question the corpus cannot answer is declined in Swedish, still listing sources."""
    answer = answerer.answer("Kan jag få friskvårdsbidrag för mitt gymkort?")
    assert not answer.answered
    assert answer.reason in {"no_relevant", "not_stated"}
    assert "hittar" in answer.text
    assert answer.citations


def test_off_topic_question_sharing_one_word_is_declined(answerer: Answerer) -> None:
    """'Vad kostar en ny bil?' shares only 'kostar' with the corpus and should be declined."""
    assert not answerer.answer("Vad kostar en ny bil?").answered


def test_question_naming_an_absent_party_is_declined(answerer: Answerer) -> None:
    """A question about a university that no document mentions is not answered."""
    answer = answerer.answer("Vad står det i vårt samverkansavtal med Linnéuniversitetet?")
    assert not answer.answered


def test_follow_up_uses_the_thread_context(answerer: Answerer) -> None:
    """After a question about FoU Nordost, 'och när?' is answered about FoU Nordost with a date."""
    from bot.question import DATE_RE

    answer = answerer.answer("och när?", ["Vad ska FoU Nordost skicka till KSL?"])
    assert answer.answered
    assert DATE_RE.search(answer.text)
    assert any("FoU Nordost" in c.passage or "FoU Nordost" in c.title for c in answer.citations)


def test_missing_index_is_a_clear_error(tmp_path: Path, real_embedder) -> None:
    """Without an index the answerer tells the user to run ingestion."""
    with pytest.raises(IndexMissingError, match="python -m ingest"):
        Answerer(Settings(index_dir=tmp_path), embedder=real_embedder)


def test_index_built_with_another_model_is_refused(sample_index: Path) -> None:
    """Querying with a different model than the index was built with is an error, not garbage."""
    with pytest.raises(IndexModelMismatch, match="built with model"):
        Answerer(Settings(index_dir=sample_index), embedder=HashEmbedder())


def test_new_index_version_is_used_without_restart(tmp_path: Path) -> None:
    """After a new ingest publishes, the same Answerer answers from the new version."""
    from ingest.pipeline import IngestOptions, ingest

    emb = HashEmbedder()
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.md").write_text("# Avtal\n\nKommunen ska erbjuda tolv platser.\n", "utf-8")
    opts = IngestOptions(index_dir=tmp_path / "index", corpus_dir=corpus)
    ingest([corpus], opts, emb.name, lambda: emb)
    answerer = Answerer(Settings(index_dir=tmp_path / "index"), embedder=emb)
    before = answerer.snapshot.version
    (corpus / "b.md").write_text("# Plan\n\nRapporten lämnas senast den 30 april.\n", "utf-8")
    ingest([corpus], opts, emb.name, lambda: emb)
    answerer.answer("När lämnas rapporten?")
    assert answerer.snapshot.version != before
    assert "b.md" in answerer.snapshot.documents


def _bot(args: list[str], index: Path, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "INDEX_DIR": str(index)}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=ROOT,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.mark.slow
def test_cli_ask_json_reads_questions_from_stdin(sample_index: Path) -> None:
    """`python -m bot ask --json` prints one JSON object per question line, with citations."""
    out = _bot(
        ["ask", "--json"],
        sample_index,
        "Vem samordnar nordostkommunerna?\nKan jag få friskvårdsbidrag för mitt gymkort?\n",
    )
    assert out.returncode == 0, out.stderr
    lines = [json.loads(line) for line in out.stdout.splitlines()]
    assert [set(obj) >= {"question", "answered", "answer", "citations"} for obj in lines] == [
        True
    ] * 2
    cite = lines[0]["citations"][0]
    assert set(cite) >= {"n", "document", "title", "page", "section", "quote", "score"}
    assert lines[1]["answered"] is False


# a tqdm bar as transformers draws it while loading weights: "Loading weights:  64%|██▍ | 128/199"
PROGRESS_BAR = re.compile(r"\d+%\||\d+/\d+ \[|it/s\]")


@pytest.mark.slow
def test_console_shows_the_answer_and_no_log_lines_or_progress_bars(sample_index: Path) -> None:
    """`python -m bot ask` with a piped question: the answer on stdout, no INFO line (faiss,
    sentence-transformers, ours) and no model-loading progress bar on stderr."""
    out = _bot(["ask"], sample_index, "Vem betalar handledarersättning?\n")
    assert out.returncode == 0, out.stderr
    assert "handledarersättning" in out.stdout and "Källor:" in out.stdout
    assert not [line for line in out.stderr.splitlines() if line.startswith("INFO")], out.stderr
    assert "Loading weights" not in out.stderr and not PROGRESS_BAR.search(out.stderr), out.stderr


@pytest.mark.slow
def test_console_verbose_brings_the_info_lines_back(sample_index: Path) -> None:
    """`python -m bot ask -v` logs INFO lines again, ours and the libraries'."""
    out = _bot(["ask", "-v"], sample_index, "Vem betalar handledarersättning?\n")
    assert out.returncode == 0, out.stderr
    assert "handledarersättning" in out.stdout
    info = [line for line in out.stderr.splitlines() if line.startswith("INFO ")]
    assert any(line.startswith("INFO bot.answer: using index version") for line in info), info
    assert any(line.startswith("INFO sentence_transformers") for line in info), info


@pytest.mark.slow
def test_one_shot_commands_leave_library_start_up_lines_to_verbose(
    sample_index: Path, tmp_path: Path
) -> None:
    """`python -m bot eval` prints its figures; faiss's and sentence-transformers' start-up INFO
    lines and the model's progress bars are not among them (our own INFO lines may be), and -v
    brings them back."""
    one = tmp_path / "one.jsonl"
    one.write_text(
        (ROOT / "tests" / "eval" / "qa.jsonl").read_text("utf-8").splitlines()[0] + "\n", "utf-8"
    )
    out = _bot(["eval", str(one)], sample_index)
    assert out.returncode == 0, out.stderr
    assert "recall@1" in out.stdout, out.stdout
    libraries = ("INFO faiss", "INFO sentence_transformers", "INFO transformers")
    assert not [line for line in out.stderr.splitlines() if line.startswith(libraries)], out.stderr
    assert "Loading weights" not in out.stderr, out.stderr
    loud = _bot(["eval", "-v", str(one)], sample_index)
    assert any(line.startswith(libraries) for line in loud.stderr.splitlines()), loud.stderr


def test_cli_ask_without_index_says_to_ingest(tmp_path: Path) -> None:
    """A missing index gives exit status 2 and a message naming the ingest command."""
    out = _bot(["ask", "Vad gäller?"], tmp_path / "inget-index")
    assert out.returncode == 2
    assert "python -m ingest" in out.stderr


def test_what_are_we_obliged_to_do_lists_the_municipalitys_obligations(answerer: Answerer) -> None:
    """'Vad är vi skyldiga att göra enligt avtalet?' gives the municipality's cited obligations."""
    answer = answerer.answer("Vad är vi skyldiga att göra enligt avtalet?")
    assert answer.answered
    assert answer.text.startswith("Dokumenten ger Kommunen")
    assert len(answer.citations) >= 3
    assert all(f"[{c.n}]" in answer.text for c in answer.citations)
    assert all(
        re.search(r"\b(ska|åtar|ansvarar|tillhandahåller)", c.quote, re.I) for c in answer.citations
    )


def test_when_question_draws_on_the_deadline_register(answerer: Answerer) -> None:
    """A 'när' question gets the chunks of register deadlines that cover its topic words."""
    from bot.answer import deadline_hits
    from bot.question import analyse

    snapshot = answerer.snapshot
    hits = deadline_hits(
        analyse("När ska FoU Nordost lämna årsrapporten till KSL?"), snapshot, set()
    )
    assert hits
    assert any("årsrapport" in h.chunk.text and "senast" in h.chunk.text for h in hits)
    assert len({h.position for h in hits}) == len(hits)


def test_question_mostly_about_words_the_corpus_never_uses_is_declined(answerer: Answerer) -> None:
    """A question whose topic words are mostly absent from every document (not even inside a
    compound) is declined, however close its nearest passage scores."""
    answer = answerer.answer("Hur bokar jag konferensrum i stadshuset?")
    assert not answer.answered
    assert answer.citations  # the closest passages are still listed, labelled as not an answer


def test_a_table_row_answers_only_for_the_organisation_it_names(answerer: Answerer) -> None:
    """The contact table lists a 'Studierektor' of Röda Korsets Högskola and other rows for
    Karolinska Institutet: asked about Röda Korsets Högskola the row answers, asked about
    Karolinska Institutet nothing does."""
    named = answerer.answer("Vem är studierektor på Röda Korsets Högskola?")
    assert named.answered and "Anna Sjöberg" in named.text
    assert not answerer.answer("Vem är studierektor på Karolinska Institutet?").answered


def test_a_thing_no_document_names_is_not_answered_with_something_near_it(
    answerer: Answerer,
) -> None:
    """'friskintyg' is in no document; the sentence about what students do before the VFU
    period starts is near in topic but does not answer whether one is needed."""
    answer = answerer.answer("Behöver studenterna lämna ett friskintyg innan VFU-perioden?")
    assert not answer.answered
    assert answer.citations


def test_everyday_words_find_the_documents_words(answerer: Answerer) -> None:
    """'högskolan' is what the documents call the lärosäte: the sentence saying the lärosäte
    decides on grades answers first, before the one about the supervisor's assessment."""
    answer = answerer.answer("Är det vi eller högskolan som sätter betyg på studenten?")
    assert answer.answered
    assert answer.text.startswith("Det är alltid lärosätet som examinerar")


def test_cli_with_a_bad_thesaurus_file_names_it_and_exits_2(
    sample_index: Path, tmp_path: Path
) -> None:
    """A thesaurus file with a one-word line stops `bot ask` with status 2 and names the line."""
    bad = tmp_path / "ord.txt"
    bad.write_text("hemtjänst, hemvård\nentreprenör\n", "utf-8")
    out = subprocess.run(
        [sys.executable, "-m", "bot", "ask", "Vad gäller?"],
        cwd=ROOT,
        env={**os.environ, "INDEX_DIR": str(sample_index), "ANSWER_THESAURUS_FILE": str(bad)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 2
    assert f"{bad}:2" in out.stderr
