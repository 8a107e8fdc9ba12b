"""Block Kit messages for answers, declines and short notices, always inside Slack's limits.

Limits kept by trimming (never by failing): 50 blocks per message, 3,000 characters per section
text, 10 context elements, 2,000 characters per button value. Blocks are built with slack_sdk's
models, whose validators raise if a limit were ever crossed. Every message also has a top-level
`text`, which Slack shows in notifications and screen readers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextActionsBlock,
    ContextBlock,
    DividerBlock,
    FeedbackButtonObject,
    FeedbackButtonsElement,
    MarkdownTextObject,
    SectionBlock,
)

from bot.slack import messages
from bot.slack.escalation import ACTION_ASK_HUMAN, ask_value
from bot.slack.feedback import ACTION_FEEDBACK, encode_value
from bot.slack.mrkdwn import escape_trimmed, link, one_line, source_url, trim
from retrieval.types import Answer, Citation

MAX_BLOCKS = 50
SECTION_MAX = 3000
FALLBACK_MAX = 3000
QUOTE_MAX = 300
TITLE_MAX = 200
MAX_SOURCES = 10


@dataclass(frozen=True)
class SlackMessage:
    """What chat.postMessage / respond() receive: fallback text and blocks."""

    text: str
    blocks: tuple[dict[str, Any], ...] = ()

    def kwargs(self) -> dict[str, Any]:
        """Keyword arguments for chat.postMessage, chat.postEphemeral or respond()."""
        if not self.blocks:
            return {"text": self.text}
        return {"text": self.text, "blocks": list(self.blocks)}


def notice(text: str) -> SlackMessage:
    """A short message from `messages` (already mrkdwn), as one section."""
    section = SectionBlock(text=MarkdownTextObject(text=trim(text, SECTION_MAX)))
    return SlackMessage(text=trim(text, FALLBACK_MAX), blocks=(section.to_dict(),))


def answer_message(
    answer: Answer, docs_base_url: str = "", show_question: bool = False, ask_human: bool = False
) -> SlackMessage:
    """The reply to a question: answer (or decline), numbered sources, feedback buttons.

    `show_question` repeats the question on top, for slash commands where it is not visible;
    `ask_human` adds the "Fråga en människa" button after the feedback buttons.
    """
    head: list[Block] = []
    if show_question:
        quoted = escape_trimmed(one_line(answer.question), SECTION_MAX - 40)
        head.append(
            ContextBlock(elements=[MarkdownTextObject(text=f"{messages.QUESTION_PREFIX} {quoted}")])
        )
    head.append(
        SectionBlock(text=MarkdownTextObject(text=escape_trimmed(_main_text(answer), SECTION_MAX)))
    )
    tail = _feedback_buttons(answer, ask_human)
    sources = _source_blocks(answer, docs_base_url, room=MAX_BLOCKS - len(head) - len(tail) - 2)
    blocks = head + ([DividerBlock(), *sources] if sources else []) + tail
    return SlackMessage(text=_fallback(answer), blocks=tuple(b.to_dict() for b in blocks))


def _main_text(answer: Answer) -> str:
    if answer.answered or answer.text.strip():
        return answer.text.strip() or messages.DECLINE_DEFAULT
    return messages.DECLINE_BY_REASON.get(answer.reason, messages.DECLINE_DEFAULT)


def _source_blocks(answer: Answer, docs_base_url: str, room: int) -> list[Block]:
    """Heading, one section per source and a note on sources left out; at most `room` blocks."""
    if not answer.citations or room < 2:
        return []
    heading = messages.SOURCES_HEADING if answer.answered else messages.CLOSEST_HEADING
    shown_max = min(MAX_SOURCES, room - 2)
    shown = answer.citations[:shown_max]
    blocks: list[Block] = [SectionBlock(text=MarkdownTextObject(text=heading))]
    blocks += [_source(c, answer.answered, docs_base_url) for c in shown]
    left = len(answer.citations) - len(shown)
    if left > 0:
        note = messages.MORE_SOURCES.format(count=left)
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=note)]))
    return blocks


def _source(citation: Citation, answered: bool, docs_base_url: str) -> SectionBlock:
    """`*[1] Title*` (a link when configured), then section and page, then the quote."""
    title = escape_trimmed(one_line(citation.title or citation.document), TITLE_MAX)
    url = source_url(docs_base_url, citation.doc_path or citation.document, citation.page)
    title_md = link(url, title) if url else title
    marker = f"[{citation.n}]" if answered else "•"
    paragraph = "" if citation.section.startswith("§") else citation.paragraph
    where = [paragraph, one_line(citation.section), f"{messages.PAGE} {citation.page}"]
    where += [messages.OCR] if citation.ocr else []
    where += [one_line(citation.date), one_line(citation.reference)]
    where += [messages.OFFICER.format(name=one_line(citation.officer))] if citation.officer else []
    where += [one_line(citation.status)]
    where_md = escape_trimmed(" · ".join(w for w in where if w), 400)
    quote = escape_trimmed(one_line(citation.quote), QUOTE_MAX)
    text = f"*{marker} {title_md}*\n{where_md}" + (f"\n>{quote}" if quote else "")
    return SectionBlock(text=MarkdownTextObject(text=trim(text, SECTION_MAX)))


def _feedback_buttons(answer: Answer, ask_human: bool = False) -> list[Block]:
    """Slack's feedback_buttons in a context_actions block, then "Fråga en människa" if asked."""
    thumbs = FeedbackButtonsElement(
        action_id=ACTION_FEEDBACK,
        positive_button=FeedbackButtonObject(
            text=messages.HELPED,
            accessibility_label=messages.HELPED_LABEL,
            value=encode_value(answer, helped=True),
        ),
        negative_button=FeedbackButtonObject(
            text=messages.DID_NOT_HELP,
            accessibility_label=messages.DID_NOT_HELP_LABEL,
            value=encode_value(answer, helped=False),
        ),
    )
    blocks: list[Block] = [ContextActionsBlock(elements=[thumbs])]
    if ask_human:
        button = ButtonElement(
            text=messages.ASK_HUMAN, action_id=ACTION_ASK_HUMAN, value=ask_value(answer.question)
        )
        blocks.append(ActionsBlock(elements=[button]))
    return blocks


def _fallback(answer: Answer) -> str:
    """Plain top-level text: the answer and the sources' labels, escaped like the blocks."""
    parts = [one_line(_main_text(answer))]
    if answer.citations:
        heading = messages.SOURCES_FALLBACK if answer.answered else messages.CLOSEST_FALLBACK
        labels = "; ".join(f"[{c.n}] {one_line(c.label())}" for c in answer.citations[:MAX_SOURCES])
        parts.append(f"{heading}: {labels}")
    return escape_trimmed("\n".join(parts), FALLBACK_MAX)
