"""Requests per daily run: the re-check schedule against checking everything, both conditional.

    .venv/bin/python bench/refresh_schedule.py [--entries 20000] [--changed 0.01] [--days 120]

A simulated archive of 20,000 articles published over the last two years
(new ones keep arriving at the same rate) in which 1% of the articles change
each day. Each daily run checks what newsspider.schedule says is due (capped
by RFI_MAX_CHECKS_PER_RUN). The naive refresher checks every article every
day. Both send conditional requests: an unchanged article answers 304 (no
body, no parse, no write); a changed one costs a full GET. So the schedule
saves requests (mostly 304s), not full GETs, and pays for it in delay: an
edit is seen only when its article is next due. Both are printed. Figures
are the mean of the last 30 simulated days, after the schedule has settled.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from newsspider import settings as project_settings
from newsspider.archive.state import CheckState
from newsspider.schedule import DAY_MS, HOUR_MS, RecheckPolicy


def simulate(entries: int, changed_share: float, days: int, seed: int = 7) -> dict:
    rng = random.Random(seed)
    policy = RecheckPolicy(
        min_interval_ms=int(project_settings.RFI_RECHECK_MIN_HOURS * HOUR_MS),
        max_interval_ms=int(project_settings.RFI_RECHECK_MAX_DAYS * DAY_MS),
        factor=project_settings.RFI_RECHECK_FACTOR,
    )
    cap = project_settings.RFI_MAX_CHECKS_PER_RUN
    per_day = entries / 730
    start = 1_800_000_000_000  # epoch ms (2027): the schedule works on real timestamps
    published = [start - rng.uniform(0, 730 * DAY_MS) for _ in range(entries)]
    # Begin near a steady state: each article last checked at a random point of
    # its current interval (a fresh archive's first runs would drain a backlog).
    states = [
        CheckState(
            str(i),
            last_checked_ms=int(start - rng.uniform(0, policy.interval(start, int(p)))),
            last_changed_ms=int(p),
        )
        for i, p in enumerate(published)
    ]
    pending_change: dict[int, int] = {}  # article -> when it changed (not yet seen)
    rows = []
    naive_latencies = []  # the naive refresher sees every change at the next daily run
    for day in range(1, days + 1):
        now = start + day * DAY_MS
        for _ in range(int(per_day)):  # today's new articles (found by discovery)
            published.append(now - rng.uniform(0, DAY_MS))
            states.append(CheckState(str(len(states)), last_checked_ms=now, last_changed_ms=now))
        changed_today = int(len(published) * changed_share)
        for i in rng.sample(range(len(published)), changed_today):
            changed_at = now - rng.randrange(DAY_MS)
            pending_change.setdefault(i, changed_at)
            naive_latencies.append((now - changed_at) / DAY_MS)
        due = [
            (policy.due_at(s, int(published[i])), i)
            for i, s in enumerate(states)
            if policy.due_at(s, int(published[i])) <= now
        ]
        due.sort()
        checked = [i for _, i in due[:cap]]
        full = 0
        latencies = []
        for i in checked:
            changed_at = pending_change.pop(i, None)
            if changed_at is not None:
                full += 1
                latencies.append((now - changed_at) / DAY_MS)
            states[i] = CheckState(
                states[i].url,
                last_checked_ms=now,
                last_changed_ms=changed_at if changed_at is not None else states[i].last_changed_ms,
            )
        rows.append(
            {
                "archive": len(states),
                "due": len(due),
                "requests": len(checked),
                "full": full + int(per_day),
                "changed_today": changed_today,
                "new": int(per_day),
                "latency": latencies,
                "naive_latency": naive_latencies,
            }
        )
        naive_latencies = []
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=20_000)
    parser.add_argument("--changed", type=float, default=0.01)
    parser.add_argument("--days", type=int, default=120)
    args = parser.parse_args()
    rows = simulate(args.entries, args.changed, args.days)[-30:]
    archive = statistics.mean(r["archive"] for r in rows)
    requests = statistics.mean(r["requests"] for r in rows)
    due = statistics.mean(r["due"] for r in rows)
    full = statistics.mean(r["full"] for r in rows)
    naive_full = statistics.mean(r["changed_today"] + r["new"] for r in rows)
    latencies = [x for r in rows for x in r["latency"]]
    naive_latencies = [x for r in rows for x in r["naive_latency"]]
    print(
        f"archive ~{archive:.0f} entries, {args.changed:.0%} changing per day, "
        "mean of 30 daily runs, conditional requests on both sides"
    )
    print(
        f"{'':30} {'requests':>9} {'vs naive':>9} {'full GETs':>10} {'vs naive':>9}"
        f" {'edit seen after (days): median':>31} {'90th pct':>9}"
    )
    for name, sent, bodies, delays in (
        ("naive: check everything daily", archive, naive_full, naive_latencies),
        ("schedule (newsspider)", requests, full, latencies),
    ):
        print(
            f"{name:30} {sent:9.0f} {sent / archive:9.3f} {bodies:10.0f} {bodies / naive_full:9.3f}"
            f" {statistics.median(delays):31.1f}"
            f" {statistics.quantiles(delays, n=10)[-1]:9.1f}"
        )
    print(f"due per run before the RFI_MAX_CHECKS_PER_RUN cap: {due:.0f}")
    print(
        f"the schedule saves {archive - requests:.0f} requests a day (mostly 304s: "
        f"{archive - naive_full:.0f} of the naive's {archive:.0f} are) and "
        f"{naive_full - full:.0f} full GETs (edits it has not seen yet), for a median delay of "
        f"{statistics.median(latencies):.1f} days in seeing an edit instead of "
        f"{statistics.median(naive_latencies):.1f}"
    )


if __name__ == "__main__":
    main()
