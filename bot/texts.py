"""User-facing texts of the answerer and the console, in Swedish."""

DECLINE_NO_RELEVANT = (
    "Jag hittar inget i avtalsdokumenten som svarar på det. "
    "Försök formulera frågan på ett annat sätt, eller fråga din samordnare."
)
DECLINE_NOT_STATED = (
    "Dokumenten handlar om närliggande saker, men jag hittar inte {what} i dem, "
    "så jag kan inte svara säkert. Se de närmaste avsnitten nedan."
)
WHAT_BY_KIND = {
    "day": "något datum för det du frågar om",
    "date": "något datum eller någon tidsgräns för det du frågar om",
    "duration": "hur länge det gäller eller pågår",
    "party": "vem som ansvarar för det du frågar om",
    "amount": "något belopp eller antal för det du frågar om",
    "cost": "någon kostnad för det du frågar om",
    "reference": "något diarienummer för det du frågar om",
    "general": "det du frågar om",
}
EMPTY_QUESTION = "Skriv en fråga om samverkansavtalet, till exempel: Vad ska kommunen göra?"
CONSOLE_WELCOME = (
    "samverkansbot – ställ en fråga om samverkansavtalen (tom rad eller Ctrl-D avslutar).\n"
    "Slack är inte konfigurerat; svaren visas här i stället."
)
CONSOLE_PROMPT = "Fråga> "
SOURCES_HEADING = "Källor:"
CLOSEST_HEADING = "Närmaste avsnitt (inte ett svar):"
