"""Full GETs per daily run: incremental refresh against "fetch everything".

    .venv/bin/python bench/refresh_schedule.py [--entries 20000] [--changed 0.01] [--days 90]

A simulated archive of 20,000 articles published over the last two years
(new ones keep arriving at the same rate) in which 1% of the articles change
each day. Each daily run checks what newsspider.schedule says is due (capped
by RFI_MAX_CHECKS_PER_RUN), with conditional requests: an unchanged article
answers 304 (no body, no parse, no write); a changed one costs a full GET.
The naive refresher fetches every article in full every day. Figures are the
mean of the last 30 simulated days, after the schedule has settled.
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
    for day in range(1, days + 1):
        now = start + day * DAY_MS
        for _ in range(int(per_day)):  # today's new articles (found by discovery)
            published.append(now - rng.uniform(0, DAY_MS))
            states.append(CheckState(str(len(states)), last_checked_ms=now, last_changed_ms=now))
        for i in rng.sample(range(len(published)), int(len(published) * changed_share)):
            pending_change.setdefault(i, now - rng.randrange(DAY_MS))
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
                "changed_today": int(len(published) * changed_share),
                "latency": latencies,
            }
        )
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
    latencies = [x for r in rows for x in r["latency"]]
    print(
        f"archive ~{archive:.0f} entries, {args.changed:.0%} changing per day, "
        "mean of 30 daily runs"
    )
    print(f"{'':28} {'requests':>9} {'full GETs':>10} {'vs naive':>9}")
    print(f"{'naive: fetch everything':28} {archive:9.0f} {archive:10.0f} {1:9.3f}")
    print(f"{'incremental (schedule+304)':28} {requests:9.0f} {full:10.0f} {full / archive:9.3f}")
    print(f"due per run before the RFI_MAX_CHECKS_PER_RUN cap: {due:.0f}")
    print(
        f"changes picked up within: median {statistics.median(latencies):.1f} days, "
        f"90th percentile {statistics.quantiles(latencies, n=10)[-1]:.1f} days "
        "(naive: same day)"
    )


if __name__ == "__main__":
    main()
