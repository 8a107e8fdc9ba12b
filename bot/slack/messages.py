"""Every text a Slack user sees, in Swedish, in one place (like Bolt's logger/messages.py).

Plain strings are mrkdwn as written here; text taken from documents or from the user is escaped
by `bot.slack.mrkdwn` before it is put into a message, never these constants.
"""

from __future__ import annotations

from retrieval.types import OCR_LABEL, Reason

HELP_WORDS = frozenset({"hjälp", "hjalp", "help", "?"})


def help_text(command: str) -> str:
    """How to use the bot: mention, DM, slash command and follow-ups."""
    return (
        "*Så ställer du en fråga om samverkansavtalen*\n"
        f"• `{command} din fråga` – svaret visas bara för dig.\n"
        "• Nämn mig i en kanal: `@samverkansbot Vad ska FoU Nordost göra?` – "
        "jag svarar i tråden.\n"
        "• Skriv till mig direkt i ett privat meddelande.\n"
        "• Följdfrågor (till exempel _och när?_) ställer du i samma tråd, "
        "så förstår jag sammanhanget.\n"
        "Varje svar har numrerade källor [1], [2] … med dokument, sida och citat. "
        "Hittar jag inget stöd i dokumenten säger jag det och visar de närmaste avsnitten.\n"
        "Tryck på *Hjälpte* eller *Hjälpte inte* under svaret – det hjälper oss att bli bättre."
    )


WORKING = "Jag letar i avtalen … svaret kommer strax."
APOLOGY = (
    "Förlåt, något gick fel när jag skulle svara på din fråga. "
    "Försök igen om en stund; felet är loggat."
)
NOT_ENABLED = (
    "Jag är inte aktiverad i den här kanalen. "
    "Skriv till mig i ett privat meddelande eller i en kanal där jag är aktiverad."
)
EMPTY_QUESTION = "Vad vill du fråga? Skriv frågan efter mitt namn, eller `hjälp` för instruktioner."

SOURCES_HEADING = "*Källor*"
SOURCES_FALLBACK = "Källor"
CLOSEST_HEADING = "*Närmaste avsnitt – inte ett svar*"
CLOSEST_FALLBACK = "Närmaste avsnitt – inte ett svar"
QUESTION_PREFIX = "Fråga:"
PAGE = "s."
OFFICER = "handläggare {name}"  # the case officer a decision's letterhead names
OCR = OCR_LABEL  # "OCR-läst" after the page of a source read by OCR from a scan
MORE_SOURCES = "{count} källor till visas inte här."

DECLINE_BY_REASON = {
    Reason.NO_RELEVANT: "Jag hittar inget i dokumenten som handlar om det du frågar om.",
    Reason.NOT_STATED: (
        "Dokumenten tar upp ämnet, men jag hittar inte svaret på just din fråga i dem."
    ),
}
DECLINE_DEFAULT = "Jag kan inte svara på det utifrån dokumenten."

HELPED = "Hjälpte"
DID_NOT_HELP = "Hjälpte inte"
THANKS_HELPED = "Tack! Bra att svaret hjälpte."
THANKS_NOT_HELPED = "Tack för att du sa till – vi använder det för att förbättra svaren."
HELPED_LABEL = "Svaret hjälpte"  # read by screen readers instead of the thumbs
DID_NOT_HELP_LABEL = "Svaret hjälpte inte"
# the modal after "Hjälpte inte" (title and buttons at most 24 characters)
WHAT_WAS_WRONG_TITLE = "Vad saknades?"
WHAT_WAS_WRONG_QUESTION = "*Din fråga:* {question}"
WHAT_WAS_WRONG_LABEL = "Vad var fel eller vad saknades i svaret?"
WHAT_WAS_WRONG_HINT = (
    "Frivilligt. Det sparas med din fråga och används för att se vad dokumenten inte svarar på."
)
WHAT_WAS_WRONG_SUBMIT = "Skicka"
WHAT_WAS_WRONG_CLOSE = "Hoppa över"

# ---- weekly digest -------------------------------------------------------------------------
DIGEST_TITLE = "Veckans sammanfattning av samverkansavtalen – vecka {week}"
DIGEST_UPCOMING = "*Deadlines de kommande {weeks} veckorna*"
DIGEST_PASSED = "*Passerade den senaste veckan*"
DIGEST_DOCUMENTS = "*Nya och ändrade dokument sedan förra sammanfattningen*"
DIGEST_NONE_DUE = "Inga deadlines de kommande {weeks} veckorna."
DIGEST_YEARLY = " (varje år)"
DIGEST_MORE = "… och {n} till (se `python -m bot deadlines`)."
DIGEST_NEW = "ny"  # a document in the digest's list
DIGEST_CHANGED = "ändrad"

# python -m ingest --announce
ANNOUNCE_HEADING = "*Nya och ändrade dokument i samverkansbotens underlag*"
ANNOUNCE_NEW = "nytt"
ANNOUNCE_CHANGED = "ändrat"
ANNOUNCE_MORE = "… och {count} till."

# ---- App Home (the bot's Hem tab) ------------------------------------------------------------
HOME_TITLE = "Samverkansboten"
HOME_HOW_TO_ASK = "*Så frågar du*"


def home_how_to_ask(command: str) -> str:
    """The App Home's short usage text."""
    return (
        "• Nämn mig i en kanal: `@samverkansbot Vad ska FoU Nordost göra?` – "
        "jag svarar i tråden.\n"
        "• Skriv till mig under fliken *Meddelanden*.\n"
        f"• `{command} din fråga` var som helst – svaret visas bara för dig.\n"
        "Varje svar har numrerade källor med dokument, sida och citat."
    )


HOME_DEADLINES = "*Deadlines de kommande {weeks} veckorna*"
HOME_NO_DEADLINES = "Inga deadlines de kommande {weeks} veckorna."
HOME_DOCUMENTS = "*Dokument i underlaget ({count})*"
HOME_NO_DOCUMENTS = "Inga dokument är indexerade än."
HOME_DOCUMENT_DATE = "daterat {date}"
HOME_DOCUMENT_CHANGED = "ändrat {date}"
HOME_DOCUMENT_CHANGED_UNKNOWN = "ändringsdatum okänt"
HOME_UNTYPED = "dokument"  # a document whose type was not read
HOME_MORE = "… och {n} till."
HOME_DIGEST = "*Veckosammanfattning*"
HOME_DIGEST_AT = "Postas i <#{channel}> på {weekday}ar kl. {time} ({timezone})."
HOME_NO_DIGEST = "Ingen veckosammanfattning är inställd (`DIGEST_CHANNEL`)."
HOME_VERSION = "Underlaget uppdaterades {created} (version {version})."
HOME_INDEX_ERROR = (
    "Jag kan inte läsa dokumentunderlaget just nu, så deadlines och dokument visas inte. "
    "Felet är loggat."
)

# ---- a human to ask (SLACK_ESCALATION_USERS) -------------------------------------------------
ASK_HUMAN = "Fråga en människa"
SOLVED = "Löst"
ESCALATION_ASK = (
    "{mentions} – {asker} vill ha hjälp av en människa med en fråga som jag inte kunde "
    "besvara säkert:\n>{question}"
)
ESCALATION_ASKED = "{asker} har bett samordnarna om hjälp här i tråden."
ESCALATION_SOLVED = ":white_check_mark: *Löst* – {solver} markerade frågan som löst.\n>{question}"
ESCALATION_NO_QUESTION = "(frågan kunde inte läsas)"

# ---- the assistant panel (Slack's AI app view) ------------------------------------------------
ASSISTANT_GREETING = (
    "Hej! Jag svarar på frågor om samverkansavtalen, med källor: dokument, sida och citat. "
    "Skriv din fråga här, eller välj ett förslag nedan. Följdfrågor ställer du i samma tråd."
)
ASSISTANT_PROMPTS_TITLE = "Förslag på frågor"
ASSISTANT_STATUS = "Letar i avtalen …"
ASSISTANT_PROMPT_DEADLINES = "Vilka deadlines har vi?"
ASSISTANT_PROMPT_PARTY = "Vad ska {party} göra?"
ASSISTANT_PROMPT_HELP_TITLE = "Hur ställer jag en fråga?"  # sends "hjälp": the usage text

# ---- the deadlines calendar as a file (files.uploadV2: the digest and the Home tab) ---------
CALENDAR_BUTTON = "Hämta kalenderfil"
CALENDAR_TITLE = "Tidsgränser i samverkansavtalen"
CALENDAR_COMMENT = (
    "Kalenderfil med {n} datum ur avtalen (.ics). Öppna den för att lägga in dem i Outlook "
    "eller Google Kalender: årliga tidsgränser upprepas, varje händelse har en påminnelse en "
    "vecka innan och källan i beskrivningen."
)
CALENDAR_EMPTY = "Registret har inga datum att lägga i en kalender just nu."
CALENDAR_INDEX_ERROR = (
    "Registret kan inte läsas just nu, så ingen kalenderfil. Försök igen om en stund."
)
CALENDAR_FAILED = (
    "Kalenderfilen kunde inte skickas just nu. Försök igen om en stund; felet är loggat."
)
