"""Template drift: an entry part that most of a run's pages lack.

When RFI changes its template, one part of the entry (the lead, the share
block…) stops being found on page after page. SuspectPagePipeline counts, per
part (newsspider.page.article.PARTS), the run's pages that have it or should
have it (stats ``drift/pages/<part>``) and those that should but do not
(``drift/missing/<part>``). A page should have a part when its archived entry
has it; a new article's page, what every page of the template has (title,
date line, body, share or author block; not a lead: wire items have none).

A part missing on more than RFI_DRIFT_MAX_SHARE of its pages, and on at least
RFI_DRIFT_MIN_PAGES of them, means the template changed: the pipeline logs
one WARNING (``drift_line``) and the run fails with that reason
(newsspider.verdict). A pure function of the stats and the settings, like the
verdict.
"""

from __future__ import annotations

from dataclasses import dataclass

from newsspider.page.article import PARTS, no_part

PAGES = "drift/pages/"
"""+ part: pages that have the part or should have it."""
MISSING = "drift/missing/"
"""+ part: pages that should have the part and do not."""


@dataclass(frozen=True)
class PartDrift:
    part: str
    missing: int
    pages: int

    def __str__(self) -> str:
        return f"{self.missing} of {self.pages} pages have {no_part(self.part)}"


def drifted_parts(stats, settings) -> list[PartDrift]:
    """The parts this run's pages lack beyond RFI_DRIFT_MAX_SHARE and RFI_DRIFT_MIN_PAGES."""
    share = settings.getfloat("RFI_DRIFT_MAX_SHARE")
    least = settings.getint("RFI_DRIFT_MIN_PAGES")
    found = []
    for part in PARTS:
        missing = stats.get_value(MISSING + part, 0)
        pages = stats.get_value(PAGES + part, 0)
        if missing >= least and missing > share * pages:
            found.append(PartDrift(part, missing, pages))
    return found


def drift_line(drifts: list[PartDrift]) -> str:
    """``template changed? 37 of 40 pages have no lead (p.t-content__chapo)``."""
    return "template changed? " + ", ".join(map(str, drifts))
