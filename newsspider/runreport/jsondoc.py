"""The report for scripts: the same facts as the Markdown, URLs percent-encoded."""

from __future__ import annotations

import json
from dataclasses import asdict

from newsspider.runreport.model import LISTED, RunReport


def json_report(report: RunReport) -> str:
    articles = {outcome: report.articles[outcome] for outcome in LISTED}
    data = {
        "verdict": report.verdict,
        "started": report.started.isoformat(),
        "finished": report.finished.isoformat() if report.finished else None,
        "finish_reason": report.finish_reason,
        "archive": report.archive,
        "counts": report.counts,
        "articles": {outcome: [asdict(a) for a in listed] for outcome, listed in articles.items()},
        "suspect": [asdict(a) for a in report.suspect],
        "listings_not_read": [asdict(item) for item in report.listings_not_read],
        "not_added": {
            why: {"count": skipped.count, "first": skipped.first}
            for why, skipped in report.not_added.items()
        },
        "unreadable_files": [asdict(item) for item in report.unreadable_files],
        "settings": report.settings,
        # The first report format, kept for scripts that read it:
        "urls": {outcome: [a.url for a in listed] for outcome, listed in articles.items()},
        "failures": {a.url: a.reason for a in report.articles["failed"]},
    }
    if report.workers:  # a run over Redis (REDIS_URL)
        data["workers"] = report.workers
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
