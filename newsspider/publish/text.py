"""Plain-text views for the terminal: ``archive show``, ``diff`` and ``log``.

Edits are marked the way wdiff marks them, ``[-deleted-]{+inserted+}``, so
they read on any terminal, in a mail from cron and in a pipe.
"""

from __future__ import annotations

from newsspider.archive.changes import Change
from newsspider.archive.readable import article_text, format_ms, format_times
from newsspider.archive.revisions import GoneRecord, Revision, StoredArticle
from newsspider.publish.diff import DELETE, INSERT, ArticleDiff, Block

# Unchanged text kept around an edit in a long paragraph (characters per side).
CONTEXT = 30
STATUS_WORDS = {404: "404 Not Found", 410: "410 Gone"}


def show_text(article: StoredArticle, shown: Revision, also_in: list[str]) -> str:
    """A person's view of one version: header, status, lead, paragraphs, revisions."""
    text = article_text(shown.entry)
    lines = [text.title, shown.entry.url, ""]
    where = article.relative(shown)
    if not shown.current:
        where += f"  (history: revision {shown.number} of {len(article.revisions)})"
    lines.append(f"file:      {where}")
    lines.append(f"captured:  {format_times(shown.timestamp)}")
    if text.published:
        lines.append(f"published: {text.published} (Paris, as the page says)")
    if text.author:
        lines.append(f"author:    {text.author}")
    status = f"gone: {gone_words(article.gone)}" if article.gone else gone_words(None)
    lines.append(f"status:    {status}")
    for name in also_in:
        lines.append(f"also in:   {name} (same URL: a duplicate entry)")
    lines.append("")
    if text.lead:
        lines += [text.lead, ""]
    for paragraph in text.paragraphs:
        lines += [paragraph, ""]
    lines.append("revisions (oldest first):")
    for revision in article.revisions:
        mark = "  <- shown" if revision is shown and not shown.current else ""
        lines.append(f"  {revision_line(article, revision)}{mark}")
    return "\n".join(lines) + "\n"


def revision_line(article: StoredArticle, revision: Revision) -> str:
    role = "current entry" if revision.current else "history"
    return (
        f"{revision.number}. {format_times(revision.timestamp)}  "
        f"{article.relative(revision)}  ({role})"
    )


def gone_words(record: GoneRecord | None) -> str:
    """The gone record in words: ``the page answered 404 Not Found since …``."""
    if record is None:
        return "online when last checked (no gone record)"
    status = STATUS_WORDS.get(record.status, f"HTTP {record.status}")
    line = f"the page answered {status} since {format_times(record.first_gone_ms)}"
    if record.last_checked_ms != record.first_gone_ms:
        line += f", still at {format_ms(record.last_checked_ms)}"
    return line + "; the last version is kept here"


def diff_text(article: StoredArticle, old: Revision, new: Revision, diff: ArticleDiff) -> str:
    """The header of both revisions, then each changed part with its marks."""
    lines = [
        f"--- revision {old.number}  {format_times(old.timestamp)}  {article.relative(old)}",
        f"+++ revision {new.number}  {format_times(new.timestamp)}  {article.relative(new)}",
    ]
    if not diff.changed:
        lines.append("same title, lead and paragraphs")
    for block in diff.changes:
        lines.append(f"{block_heading(block)}: {marked(block, CONTEXT)}")
    return "\n".join(lines) + "\n"


def block_heading(block: Block) -> str:
    if block.kind == "edited" or block.part != "paragraph":
        return block.label
    return f"{block.label} {block.kind}"


def marked(block: Block, context: int | None = None) -> str:
    """The block's text with ``[-deleted-]`` and ``{+inserted+}`` runs.

    With ``context``, unchanged runs longer than twice that are cut to their
    ends, joined by ``…``.
    """
    out = []
    last = len(block.spans) - 1
    for index, (op, text) in enumerate(block.spans):
        if op == DELETE:
            out.append(f"[-{text}-]")
        elif op == INSERT:
            out.append(f"{{+{text}+}}")
        else:
            out.append(_elide(text, context, first=index == 0, last=index == last))
    return "".join(out)


def _elide(text: str, context: int | None, first: bool, last: bool) -> str:
    if context is None:
        return text
    keep_head = 0 if first else context
    keep_tail = 0 if last else context
    if len(text) <= keep_head + keep_tail + 1:
        return text
    head = text[:keep_head]
    tail = text[len(text) - keep_tail :] if keep_tail else ""
    return f"{head}…{tail}"


def log_line(change: Change) -> str:
    """``2023-10-13 20:15:01 UTC  updated  <title>  <entry file>``."""
    kind = change.kind if change.status is None else f"{change.kind} {change.status}"
    return f"{format_ms(change.time_ms)}  {kind:<8}  {change.title}  {change.name}"
