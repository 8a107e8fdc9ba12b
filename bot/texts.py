"""User-facing texts of the answerer and the command line (console, register), in Swedish.

What a Slack user reads is in `bot.slack.messages`.
"""

import re

from bot.question import Kind
from retrieval.lexicon import lexicon
from retrieval.register import WEEKDAY_CODES

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


PASSED = " (passerat)"  # a dated deadline before today, in a list of deadlines


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
# ISO 8601 periods and RRULEs as staff read them: "P6M" -> "6 månader",
# "FREQ=MONTHLY;INTERVAL=3" -> "var 3:e månad", "FREQ=YEARLY;BYMONTH=2,8" -> "varje år i
# februari och augusti" (bot.texts.period_text, rule_text)
UNITS = {
    "D": ("dag", "dagar"),
    "W": ("vecka", "veckor"),
    "M": ("månad", "månader"),
    "Y": ("år", "år"),
}
EVERY = {
    "DAILY": "varje dag",
    "WEEKLY": "varje vecka",
    "MONTHLY": "varje månad",
    "YEARLY": "varje år",
}
EVERY_OTHER = {
    "DAILY": "varannan dag",
    "WEEKLY": "varannan vecka",
    "MONTHLY": "varannan månad",
    "YEARLY": "vartannat år",
}
EVERY_NTH = {
    "DAILY": "var {n}:e dag",
    "WEEKLY": "var {n}:e vecka",
    "MONTHLY": "var {n}:e månad",
    "YEARLY": "vart {n}:e år",
}
RULE_PARTS = frozenset({"FREQ", "INTERVAL", "BYMONTH", "BYDAY"})  # what rule_text reads
IN_MONTHS = " i {months}"
ON_DAYS = " på {days}"
AND = " och "
WEEKDAYS = ("måndag", "tisdag", "onsdag", "torsdag", "fredag", "lördag", "söndag")  # Monday first
UNDATED = "Utan fast datum:"

# a source's status in its citation, and the note an answer from an expired document carries
STATUS_TEMPLATE = "mall"
STATUS_EXPIRED = "gällde till {date}"
EXPIRED_NOTE = "(Obs: avtalet gällde till {date}.)"
# a question for a letterhead fact, answered from the document's metadata (bot.letterhead)
LETTERHEAD_ANSWERS = {
    "officer": "Handläggare för {title} är {value}.",
    "reference": "{title} har diarienummer {value}.",
}
# after an answer from a decision when a later one on the same matter is indexed (bot.newer)
NEWER_DECISION = "Det finns ett nyare beslut i samma ärende: {title}, {date}. [{n}]"


def period_text(period: str) -> str:
    """An ISO 8601 period of one unit in words ("P6M" -> "6 månader"); anything else as given."""
    match = re.fullmatch(r"P(\d+)([DWMY])", period)
    if not match:
        return period
    n = int(match.group(1))
    one, many = UNITS[match.group(2)]
    return f"{n} {one if n == 1 else many}"


def rule_text(rule: str) -> str:
    """A register entry's RRULE in words; a rule with parts it does not know, as given."""
    parts = dict(p.split("=", 1) for p in rule.removeprefix("RRULE:").split(";") if "=" in p)
    freq, interval = parts.get("FREQ", ""), parts.get("INTERVAL", "1")
    if freq not in EVERY or not interval.isdigit() or set(parts) - RULE_PARTS:
        return rule
    n = int(interval)
    text = EVERY[freq] if n == 1 else EVERY_OTHER[freq] if n == 2 else EVERY_NTH[freq].format(n=n)
    words = lexicon()
    if months := parts.get("BYMONTH"):
        names = [
            words.months[int(m) - 1] for m in months.split(",") if m.isdigit() and 0 < int(m) <= 12
        ]
        text += IN_MONTHS.format(months=_listed(names))
    if days := parts.get("BYDAY"):
        codes = [d for d in days.split(",") if d in WEEKDAY_CODES]
        text += ON_DAYS.format(
            days=_listed([f"{WEEKDAYS[WEEKDAY_CODES.index(d)]}ar" for d in codes])
        )
    return text


def _listed(items: list[str]) -> str:
    """ "a", "a och b", "a, b och c"."""
    return AND.join([", ".join(items[:-1]), items[-1]]) if len(items) > 1 else "".join(items)
