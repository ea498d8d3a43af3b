"""Whether a refresh was complete, and the exit status that tells cron.

A decision, kept apart from the report that shows it: ``run_verdict`` is a
pure function of the crawl's stats, its settings and the outcome counts.
Components tell it what happened through stats:

- ``refresh/signal``: the stop signal that ended the run early (``SIGTERM``),
  set by the crawl command;
- ``archive/write_errors``, ``archive/write_error``: archive writes that
  failed, and the last one's errno name (``ENOSPC``), set by the pipeline;
- ``downloader/request_count`` and ``response_count``: Scrapy's own;
- ``drift/pages/<part>``, ``drift/missing/<part>``: pages that lack a part of
  the template, set by the suspect pipeline (newsspider.drift).

``record`` stores the verdict in the stats (``refresh/interrupted`` or
``refresh/run_failed``, which RunLock also sets for a run that could not
start), ``recorded`` reads it back, and ``exit_status`` turns the stats into
the command's exit status: 0 complete, 1 failed, 128 + N for signal N.
"""

from __future__ import annotations

import signal
from dataclasses import dataclass

from newsspider.drift import drift_line, drifted_parts

SIGNAL = "refresh/signal"
INTERRUPTED = "refresh/interrupted"
FAILED = "refresh/run_failed"
WRITE_ERRORS = "archive/write_errors"
WRITE_ERROR = "archive/write_error"

FAILED_RUN = 1


@dataclass(frozen=True)
class Verdict:
    kind: str
    """``failed`` or ``interrupted``."""
    reason: str

    def __str__(self) -> str:
        return f"{self.kind}: {self.reason}"

    @property
    def line(self) -> str:
        """The log line: ``run failed: …`` or ``run interrupted: …``."""
        return f"run {self}"


def run_verdict(stats, settings, counts: dict[str, int]) -> Verdict | None:
    """Why this run was not a complete success, or None when it was."""
    if stats.get_value(SIGNAL):
        return Verdict("interrupted", f"checked {counts['checked']} of {due(stats)} due")
    if stats.get_value(FAILED):  # a component said why already (the frontier lost Redis)
        return Verdict("failed", stats.get_value(FAILED))
    write_errors = stats.get_value(WRITE_ERRORS, 0)
    if write_errors:
        errno = stats.get_value(WRITE_ERROR) or "error"
        writes = "write" if write_errors == 1 else "writes"
        archive = settings["ARCHIVE_DIR"]
        return Verdict("failed", f"{write_errors} {writes} failed in {archive}: {errno}")
    asked = stats.get_value("downloader/request_count", 0)
    answered = stats.get_value("downloader/response_count", 0)
    if asked and not answered:
        return Verdict("failed", "nothing fetched")
    drifts = drifted_parts(stats, settings)
    if drifts:  # before the error rate: it says why so many pages failed
        return Verdict("failed", drift_line(drifts))
    limit = settings.getfloat("RFI_MAX_ERROR_RATE")
    if counts["checked"] and counts["failed"] / counts["checked"] > limit:
        return Verdict("failed", f"{counts['failed']} of {counts['checked']} articles failed")
    return None


def due(stats) -> int:
    """Articles this run set out to check: archived ones due, and listed ones sent for."""
    return sum(
        stats.get_value(key, 0) for key in ("refresh/due", "discovery/new", "discovery/lastmod_due")
    )


def record(stats, verdict: Verdict) -> None:
    stats.set_value(INTERRUPTED if verdict.kind == "interrupted" else FAILED, verdict.reason)


def recorded(stats) -> Verdict | None:
    """The verdict stored in the stats; an interruption outranks a failure."""
    if stats.get_value(INTERRUPTED):
        return Verdict("interrupted", stats.get_value(INTERRUPTED))
    if stats.get_value(FAILED):
        return Verdict("failed", stats.get_value(FAILED))
    return None


def exit_status(stats) -> int:
    """0 for a complete run, 1 for a failed one, 128 + N when signal N stopped it."""
    name = stats.get_value(SIGNAL)
    if name:
        return 128 + signal.Signals[name].value
    return FAILED_RUN if stats.get_value(FAILED) else 0
