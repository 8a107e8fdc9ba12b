"""User-facing texts of the answerer and the command line (console, register), in Swedish.

What a Slack user reads is in `bot.slack.messages`.
"""

from bot.question import Kind

DECLINE_NO_RELEVANT = (
    "Jag hittar inget i avtalsdokumenten som svarar på det. "
    "Försök formulera frågan på ett annat sätt, eller fråga din samordnare."
)
DECLINE_NOT_STATED = (
    "Dokumenten handlar om närliggande saker, men jag hittar inte {what} i dem, "
    "så jag kan inte svara säkert. Se de närmaste avsnitten nedan."
)
WHAT_BY_KIND: dict[Kind, str] = {
    Kind.DAY: "något datum för det du frågar om",
    Kind.DATE: "något datum eller någon tidsgräns för det du frågar om",
    Kind.DURATION: "hur länge det gäller eller pågår",
    Kind.PARTY: "vem som ansvarar för det du frågar om",
    Kind.AMOUNT: "något belopp eller antal för det du frågar om",
    Kind.COST: "någon kostnad för det du frågar om",
    Kind.REFERENCE: "något diarienummer för det du frågar om",
    Kind.GENERAL: "det du frågar om",
}
EMPTY_QUESTION = "Skriv en fråga om samverkansavtalet, till exempel: Vad ska kommunen göra?"
CONSOLE_WELCOME = (
    "samverkansbot – ställ en fråga om samverkansavtalen (tom rad eller Ctrl-D avslutar).\n"
    "Slack är inte konfigurerat; svaren visas här i stället."
)
CONSOLE_PROMPT = "Fråga> "
SOURCES_HEADING = "Källor:"
CLOSEST_HEADING = "Närmaste avsnitt (inte ett svar):"

# ---- answers from the register (bot.register_answer) -----------------------------------------
EVERY_YEAR = "{month_day} varje år"


def obligations_heading(party: str, count: int, shown: int) -> str:
    """ "Dokumenten ger kommunen 3 åtaganden:", saying so when only the first `shown` follow."""
    noun = "åtagande" if count == 1 else "åtaganden"
    return f"Dokumenten ger {party} {count} {noun}{_first_shown(count, shown)}:"


def deadlines_heading(count: int, shown: int, in_month: bool) -> str:
    """ "Dokumenten nämner 2 deadlines den månaden:" ("den månaden" for a question naming one)."""
    noun = "deadline" if count == 1 else "deadlines"
    when = " den månaden" if in_month else ""
    return f"Dokumenten nämner {count} {noun}{when}{_first_shown(count, shown)}:"


def _first_shown(count: int, shown: int) -> str:
    return f" (de {shown} första visas)" if count > shown else ""


# ---- python -m bot deadlines | obligations (bot.register_cli) ---------------------------------
YEARLY = " (varje år)"
RELATIVE = "(relativ)"
PAGE = "s."
# what an entry of each kind is, shown beside it (bot.register_cli.kind_note)
KIND_NOTES = {
    "validity_end": "slutar gälla",
    "notice": "sista dag att säga upp",
    "renewal": "förlängs automatiskt om ingen säger upp",
    "recurring": "återkommande",
    "month": "någon gång under månaden",
    "season": "någon gång under perioden",
}
NOTICE_PERIOD = "uppsägningstid {period}"
RENEWAL_PERIOD = "med {period} i taget"
UNDATED = "Utan fast datum:"

# a source's status in its citation, and the note an answer from an expired document carries
STATUS_TEMPLATE = "mall"
STATUS_EXPIRED = "gällde till {date}"
EXPIRED_NOTE = "(Obs: avtalet gällde till {date}.)"
