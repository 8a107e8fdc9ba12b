"""Deadline and obligation extraction: labelled set, the issue's examples, party names."""

from __future__ import annotations

from evaluation.extraction import evaluate
from ingest.register import DocContext, extract_register, sentence_deadlines, sentence_obligation
from retrieval.parties import Parties, learn_aliases
from retrieval.types import Chunk, DocumentMeta
from tests.conftest import ROOT

LABELLED = ROOT / "tests" / "eval" / "extraction.jsonl"
META = DocumentMeta("beslut.txt", "Beslut", "", "txt", date="2016-12-14")
CHUNK = Chunk("beslut.txt", "", 2, "§ 5")


def deadlines(sentence: str, ctx: DocContext | None = None):
    """Deadlines of one sentence in a decision dated 2016-12-14."""
    return sentence_deadlines(sentence, CHUNK, ctx or DocContext(META), Parties())


def test_labelled_set_has_precision_and_recall_of_at_least_09() -> None:
    """On the 60+ labelled sentences both extractors reach precision and recall >= 0.9."""
    assert sum(1 for line in LABELLED.read_text("utf-8").splitlines() if line.strip()) >= 60
    for score in evaluate(LABELLED):
        assert score.precision >= 0.9, score.misses
        assert score.recall >= 0.9, score.misses


def test_deadline_keeps_party_what_and_citation() -> None:
    """ "... ska vara KSL tillhanda senast ..." is due from the municipality, cited by page."""
    sentence = "Kommunens ställningstagande ska vara KSL tillhanda senast den 31 december 2016."
    (d,) = deadlines(sentence)
    assert (d.date, d.party, d.page, d.doc_path, d.quote) == (
        "2016-12-31", "Kommunen", 2, "beslut.txt", sentence,
    )  # fmt: skip
    assert "tillhanda" in d.what and "2016" not in d.what


def test_relative_deadline_resolved_from_decision_date_shows_how() -> None:
    """Three months from the decision of 2016-12-14 is 2017-03-14, and the deadline says so."""
    (d,) = deadlines("Inom tre månader från beslutet ska kommunen utse en kontaktperson.")
    assert d.date == "2017-03-14"
    assert d.resolution == "tre månader från beslutet 2016-12-14 -> 2017-03-14"


def test_relative_deadline_with_unknown_event_stays_relative() -> None:
    """An event the document does not date gives no invented date."""
    (d,) = deadlines("Inom en månad från avtalets undertecknande ska parterna utse ledamöter.")
    assert (d.date, d.relative, d.event) == ("", "en månad från avtalets undertecknande",
                                             "avtalets undertecknande")  # fmt: skip


def test_agreement_start_resolves_relative_deadline() -> None:
    """A start date stated in the agreement resolves "efter avtalets start"."""
    ctx = DocContext(META, agreement_start="2017-03-01")
    (d,) = deadlines("Inom fyra veckor efter avtalets start ska kommunen utse handledare.", ctx)
    assert d.date == "2017-03-29" and "2017-03-01 -> 2017-03-29" in d.resolution


def test_document_and_meeting_dates_are_not_deadlines() -> None:
    """A meeting date, a document's own date and a start date are not deadlines."""
    for sentence in (
        "Sammanträdesdatum: 2016-12-14",
        "Nämnden har ett tjänsteutlåtande daterat 2016-11-22.",
        "Modellen ska börja gälla den 1 januari 2017.",
        "Forum för dialog sammanträdde den 15 mars 2018.",
    ):
        assert deadlines(sentence) == [], sentence


def test_obligation_party_and_cue() -> None:
    """ "åtar sig" and "ge X i uppdrag" bind a party; "ska" without a party binds no one."""
    parties = Parties()
    ob = sentence_obligation("Lärosätet åtar sig att utse handledare.", CHUNK, parties)
    assert ob is not None and (ob.party, ob.cue) == ("Lärosätet", "åtar sig")
    ob = sentence_obligation("att ge socialchefen i uppdrag att ta fram en plan,", CHUNK, parties)
    assert ob is not None and ob.party == "Socialchefen"
    assert sentence_obligation("Uppföljningen ska visa om målen nås.", CHUNK, parties) is None


def test_party_names_group_variants_and_full_names() -> None:
    """kommunen/Kommunerna group; a learned "Full Name (ABBR)" groups with its abbreviation."""
    aliases = learn_aliases(["Föreningen Vård i Norr (FVN) har beslutat."])
    parties = Parties(aliases)
    assert {parties.normalise(x) for x in ("kommunen", "Kommunerna", "kommunens")} == {"Kommunen"}
    assert parties.normalise("Kommunförbundet Stockholms län") == "KSL"
    assert parties.normalise("Föreningen Vård i Norr") == "FVN" == parties.normalise("FVN")


def test_concept_abbreviations_are_not_learned_as_parties() -> None:
    """ "verksamhetsförlagd utbildning (VFU)" is not an organisation."""
    assert learn_aliases(["Verksamhetsförlagd utbildning (VFU) ska erbjudas."]) == {}


def test_obligation_of_a_clause_after_och_reads_as_a_line_of_its_own() -> None:
    """ "…, och kommunen ska föra över ersättningen …" is Kommunen's obligation, shown without
    the conjunction that joined it to the sentence and with a capital."""
    sentence = (
        "Tar en privat utförare emot studenter betalas ersättningen ut via kommunen, "
        "och kommunen ska föra över ersättningen till utföraren inom 30 dagar."
    )
    ob = sentence_obligation(sentence, CHUNK, Parties())
    assert ob is not None and ob.party == "Kommunen"
    assert ob.text == "Kommunen ska föra över ersättningen till utföraren inom 30 dagar"
    assert ob.quote == sentence


def test_lead_in_keeps_bulleted_items_that_start_with_a_number() -> None:
    """ "Kommunen tillhandahåller följande VFU-platser:" is one obligation with its items, also
    when the items start with a figure ("• 40 platser …")."""
    text = (
        "Kommunen tillhandahåller följande VFU-platser:\n"
        "• 40 platser per termin för studenter på sjuksköterskeprogrammet,\n"
        "• 6 platser per läsår för studenter på specialistsjuksköterskeprogrammet.\n"
        "Lärosätet åtar sig att utse handledare."
    )
    chunk = Chunk("avtal.txt", text, 1, "5.1 Antal platser")
    register = extract_register({"avtal.txt": DocumentMeta("avtal.txt", "Avtal", "", "txt")},
                                {"avtal.txt": [chunk]})  # fmt: skip
    places = [o for o in register.obligations if o.party == "Kommunen"]
    assert len(places) == 1
    assert "40 platser per termin" in places[0].text and "6 platser per läsår" in places[0].text
    assert [o.party for o in register.obligations] == ["Kommunen", "Lärosätet"]


def test_relative_deadline_event_is_a_whole_clause() -> None:
    """An event stated as a clause ("från det att lärosätet har betalat") is kept whole, and
    one cut by the pattern's reach does not end on a preposition ("… har utförts av")."""
    (paid,) = deadlines(
        "Kommunen ska föra över ersättningen till utföraren inom 30 dagar från det att "
        "lärosätet har betalat."
    )
    assert paid.event == "det att lärosätet har betalat" and paid.date == ""
    assert paid.what == "Kommunen ska föra över ersättningen till utföraren"
    (done,) = deadlines(
        "Fakturan ska betalas senast 30 dagar efter att tjänsten har utförts av leverantören."
    )
    assert done.event == "att tjänsten har utförts"
