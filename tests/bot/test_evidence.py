"""The answerer's signals: what a question asks for and which of its words a sentence covers."""

from __future__ import annotations

from bot.evidence import coverage
from bot.question import analyse, has_kind

ABBREVIATIONS = {"ki": "karolinska institutet"}
IDF = {"uppsägningstid": 2.0, "avtal": 1.0, "karolinska": 3.0, "institutet": 3.0}


def test_an_abbreviation_is_covered_by_its_full_name() -> None:
    """'KI' in a question is found in a sentence that writes 'Karolinska Institutet'."""
    info = analyse("Vilken uppsägningstid har KI?")
    text = "Karolinska Institutet har tolv månaders uppsägningstid."
    assert coverage(info, text, IDF, ABBREVIATIONS) == 1.0
    assert coverage(info, text, IDF) < 1.0


def test_a_hyphenated_compound_is_covered_by_its_parts() -> None:
    """'KI-avtalet' is found where both 'Karolinska Institutet' and 'avtalet' occur."""
    info = analyse("När löper KI-avtalet ut?")
    assert (
        coverage(info, "Avtalet med Karolinska Institutet löper ut 2019.", IDF, ABBREVIATIONS) > 0.9
    )


def test_an_amount_needs_a_number_not_the_article_en() -> None:
    """'en' and 'ett' are articles, not amounts; digits and 'tio' are; a year is not."""
    assert not has_kind("Det finns en handledare på varje enhet.", "amount")
    assert not has_kind("Planen gäller under 2017.", "amount")
    assert has_kind("Kommunen erbjuder 40 platser per termin.", "amount")
    assert has_kind("Lärosätet reserverar tio platser.", "amount")


def test_which_date_asks_for_a_calendar_day() -> None:
    """'Vilket datum …?' wants a day of a month; a bare month does not answer it."""
    info = analyse("Vilket datum är mötet i mars?")
    assert info.kind == "day"
    assert not has_kind("Forum för dialog träffas i mars och i oktober.", info.kind)
    assert has_kind("Mötet hålls den 15 mars 2018.", info.kind)
    assert analyse("När träffas forum för dialog?").kind == "date"


def test_a_list_intro_carries_its_items_past_extra_sentences() -> None:
    """'… fyra delar:' is answered with every item; an item's second sentence does not end the
    list, and a long item is cut at its first comma."""
    from bot.evidence import with_list

    following = [
        "1. Avsiktsförklaring, som är generell och syftar till att lägga grunden för en långsiktig "
        "och förtroendefull relation mellan parterna.",
        "2. Mall för lokala samverkansavtal.",
        "Syftet är att alla kommuner får samverka på lika villkor.",
        "3. Ett forum för dialog.",
        "Kommunen ska svara senast den 31 december.",
    ]
    assert with_list("Förslaget består av fyra delar:", following) == (
        "Förslaget består av fyra delar: Avsiktsförklaring; Mall för lokala samverkansavtal; "
        "Ett forum för dialog."
    )


def test_a_sentence_left_open_before_bulleted_items_carries_them() -> None:
    """ "FoU Nordost ansvarar för att" followed by "- ta fram …" items (going on in lower case)
    is a list intro without a colon; a closed sentence before a list, an open one before prose
    or before items that are sentences of their own is not."""
    from bot.evidence import with_list

    items = ["- ta fram gemensamma mallar,", "- skriva den regionala årsrapporten."]
    assert with_list("FoU Nordost ansvarar för att", items) == (
        "FoU Nordost ansvarar för att ta fram gemensamma mallar; skriva den regionala årsrapporten."
    )
    assert with_list("FoU Nordost har fem uppgifter.", items) == "FoU Nordost har fem uppgifter."
    assert with_list("Uppföljning och analys", ["Planen gäller 2017."]) == "Uppföljning och analys"
    # a heading over items that are sentences of their own is no lead-in
    assert with_list("Uppföljning", ["- Kommunen rapporterar."]) == "Uppföljning"


def test_a_word_starting_with_var_is_not_a_season() -> None:
    """'vårdutbildningar' holds no time; 'våren' and 'höstterminen' do."""
    assert not has_kind("Lärosäten med vårdutbildningar på högskolenivå.", "date")
    assert has_kind("Platserna fördelas inför höstterminen.", "date")
    assert has_kind("Under våren ska planen följas upp.", "date")


def test_a_name_compounded_with_a_word_is_found_by_its_name_part() -> None:
    """'Täbyavtalet' is satisfied by a text naming Täby, not by one naming only Danderyd."""
    from bot.evidence import names_present
    from retrieval.text import Analyzer

    split = Analyzer(["täby", "avtalet", "danderyd"]).split
    info = analyse("Vart går en tvist om Täbyavtalet?")
    assert info.names == ("täbyavtalet",)
    assert names_present(info, "Avtal mellan Täby kommun och KI", None, split)
    assert not names_present(info, "Avtal mellan Danderyds kommun och KI", None, split)


def test_nar_inside_a_question_is_a_conjunction() -> None:
    """'Vem var ordförande när …' asks for a person, 'Vad ska ingå när …' for content; 'När
    ska …' and a follow-up 'och när?' ask for a time."""
    assert analyse("Vem var ordförande när nämnden tog beslutet?").kind == "party"
    assert analyse("Vad ska ingå när studenterna introduceras?").kind == "general"
    assert analyse("När ska kommunen svara KSL?").kind == "date"
    assert analyse("och när?").kind == "date"


def test_table_rows_are_recognised_as_records() -> None:
    """Rows as ingestion writes them ("Column: value; …") are records; prose is not."""
    from bot.evidence import TABLE_ROW

    assert TABLE_ROW.match("Organisation: Röda Korsets Högskola; Namn: Anna Sjöberg; Roll: Rektor")
    assert not TABLE_ROW.match("Kommunen ska: ge besked senast den 15 mars.")


def test_a_compound_counts_half_when_only_its_head_is_present() -> None:
    """'samverkansmodellen' is half covered by a sentence saying 'modellen' (the head of a
    Swedish compound carries its meaning), fully by one saying the whole word."""
    from retrieval.text import Analyzer

    split = Analyzer(["samverkan", "modellen"]).split
    info = analyse("Vilka har tagit fram samverkansmodellen?")
    idf = {"samverkansmodell": 2.0, "tag": 1.0, "fram": 1.0}
    whole = coverage(info, "KSL har tagit fram samverkansmodellen.", idf, None, split)
    head = coverage(info, "KSL har tagit fram modellen.", idf, None, split)
    without = coverage(info, "KSL har tagit fram modellen.", idf, None, None)
    assert whole == 1.0 and without < head < whole


def test_a_party_noun_counts_in_any_case_and_a_list_of_names_is_a_party() -> None:
    """'Lärosätet' at the start of a sentence names a party as 'lärosätet' does inside it;
    'Danderyd, Norrtälje och Täby' names parties; a sentence without any does not."""
    assert has_kind("Lärosätet ansvarar för försäkringen.", "party")
    assert has_kind("Nordostkommunerna följer upp samverkan.", "party")
    assert has_kind("Planen gäller för Danderyd, Norrtälje och Täby.", "party")
    assert not has_kind("Det regnar ofta i mars.", "party")


def test_a_reference_number_question_needs_a_reference_number() -> None:
    """'dnr' asks for a diarienummer; a sentence without one holds no answer."""
    info = analyse("Vilket dnr har nämndens ärende?")
    assert info.kind == "reference"
    assert has_kind("Dnr SN 2016/0123-7", info.kind)
    assert has_kind("Rekommendationen har dnr KSL/16/0049-24.", info.kind)
    assert not has_kind("Ärendet har beretts av presidiet.", info.kind)


def test_a_year_in_the_question_is_required_like_a_name() -> None:
    """A question about 2019 is not answered by a passage about 2018 only."""
    from bot.evidence import names_present

    info = analyse("Vilket datum blir forum för dialog i mars 2019?")
    assert "2019" in info.names
    assert not names_present(info, "Nästa möte i forum för dialog hålls den 11 oktober 2018.")
    assert names_present(info, "Under 2019 träffas forum för dialog den 14 mars.")


def test_a_sentence_gets_the_earlier_sentences_of_its_paragraph_as_context() -> None:
    """'Kombinationstjänsten ska vara tillsatt …' is about what the paragraph's first sentence
    says (a clinical lecturer in home care); the next paragraph starts afresh."""
    from retrieval.sentences import earlier_in_paragraph

    sentences = [
        "Parterna ska inrätta en kombinationstjänst som klinisk adjunkt i hemsjukvården.",
        "Tjänsten omfattar 40 procent av heltid.",
        "Kombinationstjänsten ska vara tillsatt senast den 1 september 2017.",
        "Parterna ska dessutom verka för examensarbeten.",
    ]
    text = " ".join(sentences[:3]) + "\n" + sentences[3]
    before = earlier_in_paragraph(sentences, text)
    assert before[0] == ()
    assert before[2] == tuple(sentences[:2])
    assert before[3] == ()


def test_a_truncated_word_is_found_at_the_start_of_the_full_word() -> None:
    """'resp.' is covered by 'respektive'; a short stem inside another word is not enough."""
    info = analyse("Vilka datum gäller för hösten resp. våren?")
    idf = {"höst": 1.0, "resp": 1.0, "vår": 1.0}
    assert coverage(info, "Den 15 mars respektive den 15 september.", idf) > 0
    assert coverage(info, "Den 15 mars och den 15 september.", idf) == 0


def test_a_cost_question_is_answered_by_an_amount_or_by_nothing_to_pay() -> None:
    """'Vad kostar …?' is answered by '250 000 kronor' and by 'inte … några ekonomiska
    konsekvenser' or 'kostnadsfri'; 'Hur mycket får …?' asks for a quantity, which 'kostnadsfri'
    is not."""
    info = analyse("Vad kostar avtalet för nämnden?")
    assert info.kind == "cost"
    assert has_kind("Kostnaden beräknas till 250 000 kronor per år.", "cost")
    assert has_kind(
        "Avtalet kommer inte att innebära några ekonomiska konsekvenser för nämnden.", "cost"
    )
    assert has_kind("Handledarutbildningen är kostnadsfri för kommunen.", "cost")
    assert not has_kind("Avtalet innebär möjligheter till samverkan.", "cost")
    assert analyse("Hur mycket får en handledare per student?").kind == "amount"
    assert not has_kind("Handledarutbildningen är kostnadsfri för kommunen.", "amount")


def test_everyday_phrases_are_searched_with_the_documents_words() -> None:
    """'höra av mig till' is asked for a 'kontaktperson', 'skrev under' is answered under
    'Underskrifter'; the phrase's own words are not topic words the evidence must hold."""
    info = analyse("Vem på KI ska jag höra av mig till om en student?")
    assert "kontaktperson" in info.terms and "höra" not in info.terms
    assert info.added == ("kontaktperson",)
    signed = analyse("Vem skrev under avtalet för kommunens räkning?")
    assert {"underskrifter", "undertecknat"} <= set(signed.terms)
    assert "skrev" not in signed.terms
    assert analyse("Vem är kontaktperson på KI?").added == ()


def test_we_is_the_municipality_and_mejla_is_e_post() -> None:
    """Staff asking 'vi' mean their municipality; 'mejla KSL' is about e-post, not a contact."""
    info = analyse("När ska vi mejla KSL vårt besked?")
    assert "kommunen" in info.terms and "e-post" in info.terms
    assert "kontaktperson" not in info.terms
    assert "kommunen" not in analyse("När ska kommunen svara?").added


def test_a_party_question_naming_a_type_needs_a_party_of_that_type() -> None:
    """'Vilka högskolor …?' is answered by a sentence naming a university, not by one listing
    municipalities."""
    from bot.question import has_party_type

    info = analyse("Vilka högskolor har Danderyd avtal med?")
    assert info.kind == "party" and info.party_type == "högskol"
    assert has_party_type("Avtalet är tecknat med Karolinska Institutet.", info.party_type)
    assert has_party_type("Kommunen har avtal med två lärosäten.", info.party_type)
    assert not has_party_type("Planen gäller Danderyd, Täby och Vaxholm.", info.party_type)
    assert analyse("Vem ansvarar för planen?").party_type == ""


def test_how_long_asks_for_a_duration_and_leaving_is_withdrawal() -> None:
    """'Hur långa avtal …?' is answered by 'minst två år'; 'kliva ur avsiktsförklaringen' is
    searched as 'utträde'; 'Vem betalar …?' is covered by '… står för sina kostnader'."""
    info = analyse("Hur långa avtal får vi skriva?")
    assert info.kind == "duration"
    assert has_kind("Avtalstiden bör vara minst två år och högst fyra år.", info.kind)
    assert "utträde" in analyse("Om vi vill kliva ur avsiktsförklaringen, hur gör vi?").terms
    assert "utträde" not in analyse("Hur går avtalet till?").terms
    pays = analyse("Vem betalar resan till forum för dialog?")
    idf = {"betal": 1.0, "res": 1.0, "forum": 1.0, "dialog": 1.0}
    assert coverage(pays, "Varje part står för sina egna resor till forum för dialog.", idf) == 1.0
    assert "ersättning" in analyse("Vad får kommunen betalt per vecka?").terms


def test_words_typed_without_accents_are_read_as_the_documents_write_them(answerer) -> None:
    """ "hur manga platser" reads "många", "uppfoljningen" "uppföljningen" (the sample corpus
    writes them so); a word the documents use as typed, a short one and a word they never use
    stay as typed. The Answerer searches with the restored words."""
    from bot.evidence import with_accents

    snapshot = answerer.snapshot
    assert with_accents("Hur manga platser?", snapshot) == "Hur många platser?"
    assert with_accents("vem ansvarar for uppfoljningen", snapshot) == (
        "vem ansvarar for uppföljningen"
    )
    assert with_accents("Hur många platser?", snapshot) == "Hur många platser?"
    assert with_accents("nar kommer platser och gymkort", snapshot) == (
        "nar kommer platser och gymkort"
    )
    found = answerer.candidates("hur manga vfu platser ska taby erbjuda")
    assert "många" in found.info.text and "täby" in found.info.text.lower()
