"""What changed between two versions of an article, down to the character.

Paragraphs are first lined up (difflib over whole paragraphs, then the most
alike pairs inside a replaced run), then each pair is compared character by
character with diff-match-patch: Chinese has no spaces between words, so a
word diff would mark a whole sentence for one changed character.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from diff_match_patch import diff_match_patch

from newsspider.archive.readable import ArticleText

DELETE, EQUAL, INSERT = -1, 0, 1
# Two paragraphs this alike (share of characters kept) are one paragraph edited.
_SAME_PARAGRAPH = 0.5
# Past this many pairs in one replaced run, pair by position (keeps time bounded).
_MAX_PAIRINGS = 400


@dataclass(frozen=True, slots=True)
class Block:
    """One part of the article in both versions: the title, the lead or a paragraph."""

    part: str
    """"title", "lead" or "paragraph"."""
    old_number: int | None
    """Paragraph number in the older version (from 1), None if added (or not a paragraph)."""
    new_number: int | None
    """Paragraph number in the newer version, None if removed (or not a paragraph)."""
    spans: tuple[tuple[int, str], ...]
    """(DELETE | EQUAL | INSERT, text) in reading order."""

    @property
    def kind(self) -> str:
        """ "same", "edited", "added" or "removed"."""
        ops = {op for op, text in self.spans if text}
        if ops <= {EQUAL}:
            return "same"
        if ops == {INSERT}:
            return "added"
        if ops == {DELETE}:
            return "removed"
        return "edited"

    @property
    def label(self) -> str:
        if self.part != "paragraph":
            return self.part
        number = self.new_number if self.new_number is not None else self.old_number
        return f"paragraph {number}"

    @property
    def old_text(self) -> str:
        return "".join(text for op, text in self.spans if op != INSERT)

    @property
    def new_text(self) -> str:
        return "".join(text for op, text in self.spans if op != DELETE)


@dataclass(frozen=True, slots=True)
class ArticleDiff:
    old: ArticleText
    new: ArticleText
    blocks: tuple[Block, ...]
    """Title, lead, then every paragraph of either version in reading order."""

    @property
    def changed(self) -> bool:
        return any(block.kind != "same" for block in self.blocks)

    @property
    def changes(self) -> list[Block]:
        return [block for block in self.blocks if block.kind != "same"]

    def summary(self, limit: int = 240) -> str:
        """One line for a person: what changed, with the first words of each edit."""
        if not self.changed:
            return "no change in title, lead or paragraphs"
        parts = []
        for block in self.changes:
            if block.kind == "edited":
                parts.append(f"{block.label} edited: {_gist(block)}")
            else:
                parts.append(f"{block.label} {block.kind}")
        line = "; ".join(parts)
        return line if len(line) <= limit else line[: limit - 1] + "…"


def diff_articles(old: ArticleText, new: ArticleText) -> ArticleDiff:
    """Compare two versions of an article (older first)."""
    blocks = [
        Block("title", None, None, char_diff(old.title, new.title)),
        Block("lead", None, None, char_diff(old.lead, new.lead)),
    ]
    blocks.extend(_paragraph_blocks(old.paragraphs, new.paragraphs))
    return ArticleDiff(old, new, tuple(blocks))


def char_diff(old: str, new: str) -> tuple[tuple[int, str], ...]:
    """Character-level diff of two texts, merged into readable runs."""
    if old == new:
        return ((EQUAL, old),) if old else ()
    engine = diff_match_patch()
    found = engine.diff_main(old, new, False)
    engine.diff_cleanupSemantic(found)
    return tuple((op, text) for op, text in found if text)


def _paragraph_blocks(old: tuple[str, ...], new: tuple[str, ...]) -> list[Block]:
    blocks: list[Block] = []
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            blocks.extend(
                Block("paragraph", i + 1, j + 1, ((EQUAL, old[i]),))
                for i, j in zip(range(i1, i2), range(j1, j2), strict=True)
            )
            continue
        pairs = _pair(old, new, i1, i2, j1, j2)
        i, j = i1, j1
        for pi, pj in [*pairs, (i2, j2)]:
            blocks.extend(
                Block("paragraph", k + 1, None, ((DELETE, old[k]),)) for k in range(i, pi)
            )
            blocks.extend(
                Block("paragraph", None, k + 1, ((INSERT, new[k]),)) for k in range(j, pj)
            )
            if (pi, pj) != (i2, j2):
                blocks.append(Block("paragraph", pi + 1, pj + 1, char_diff(old[pi], new[pj])))
            i, j = pi + 1, pj + 1
    return blocks


def _pair(old, new, i1: int, i2: int, j1: int, j2: int) -> list[tuple[int, int]]:
    """Which old and new paragraphs of a replaced run are the same paragraph edited.

    The pairing, in order, with the most kept characters (a small dynamic
    programme over the run); pairs less alike than _SAME_PARAGRAPH are left
    as one removed and one added paragraph.
    """
    rows, cols = i2 - i1, j2 - j1
    if rows * cols > _MAX_PAIRINGS:
        return [(i1 + k, j1 + k) for k in range(min(rows, cols))]
    alike = [[_likeness(old[i1 + r], new[j1 + c]) for c in range(cols)] for r in range(rows)]
    best = [[0.0] * (cols + 1) for _ in range(rows + 1)]
    for r in range(rows - 1, -1, -1):
        for c in range(cols - 1, -1, -1):
            paired = alike[r][c] + best[r + 1][c + 1] if alike[r][c] >= _SAME_PARAGRAPH else 0
            best[r][c] = max(paired, best[r + 1][c], best[r][c + 1])
    pairs, r, c = [], 0, 0
    while r < rows and c < cols:
        if alike[r][c] >= _SAME_PARAGRAPH and best[r][c] == alike[r][c] + best[r + 1][c + 1]:
            pairs.append((i1 + r, j1 + c))
            r, c = r + 1, c + 1
        elif best[r][c] == best[r + 1][c]:
            r += 1
        else:
            c += 1
    return pairs


def _likeness(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()


def _gist(block: Block, width: int = 24) -> str:
    """The first deleted and inserted words of an edit: ``“上个月” → “九月”``."""
    deleted = next((text for op, text in block.spans if op == DELETE), "")
    inserted = next((text for op, text in block.spans if op == INSERT), "")
    shown = [f"“{_clip(text, width)}”" if text else "∅" for text in (deleted, inserted)]
    return " → ".join(shown)


def _clip(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"
