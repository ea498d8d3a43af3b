"""Opening a 100,000-entry archive: cold (no index), warm (index present), floor.

    .venv/bin/python bench/archive_open.py [--entries 100000] [--dir /tmp/newsspider-bench/archive]

The archive is built from the real samples in ../shared/rfi/archive, each copy
with its own URL and a changed sentence, so URLs and fingerprints all differ.
Each figure is measured in a fresh child process (wall time and peak RSS):

- floor: list the folder and read every file (what any open must do at least once)
- cold:  ArchiveIndex.open with no index: parse, canonicalize, fingerprint all
- warm:  ArchiveIndex.open with the index: list + stat, nothing parsed
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from newsspider.archive.entry import Entry, is_entry_file, read_entry  # noqa: E402

SAMPLES = ROOT.parent / "shared" / "rfi" / "archive"

CHILD = r"""
import json, os, resource, sys, time
sys.path.insert(0, sys.argv[3])
mode, folder = sys.argv[1], sys.argv[2]
start = time.perf_counter()
if mode == "floor":
    total = 0
    for item in os.scandir(folder):
        if item.is_file():
            with open(item.path, "rb") as handle:
                total += len(handle.read())
    detail = {"bytes": total}
else:
    from newsspider.archive.index import ArchiveIndex
    with ArchiveIndex.open(folder) as index:
        detail = {"entries": len(index), "parsed": index.rows_read}
elapsed = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"seconds": elapsed, "peak_mib": peak, **detail}))
"""


def build(folder: Path, count: int) -> None:
    samples = [read_entry(p) for p in sorted(SAMPLES.iterdir()) if is_entry_file(p.name)]
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    for i in range(count):
        base = samples[i % len(samples)]
        entry = Entry(
            base.timestamp + i,
            f"{base.title}（{i}）",
            f"{base.url.rstrip('/')}-{i}",
            base.html.replace("</p>", f"（第{i}号）</p>", 1),
        )
        (folder / f"{i:06d}.txt").write_bytes(entry.serialize())


def measure(mode: str, folder: Path) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", CHILD, mode, str(folder), str(ROOT)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--dir", type=Path, default=Path("/tmp/newsspider-bench/archive"))
    args = parser.parse_args()

    started = time.perf_counter()
    build(args.dir, args.entries)
    print(f"built {args.entries} entries in {time.perf_counter() - started:.1f} s at {args.dir}")
    floor = measure("floor", args.dir)  # also warms the page cache for the others
    floor = measure("floor", args.dir)
    shutil.rmtree(args.dir / ".newsspider", ignore_errors=True)
    cold = measure("cold", args.dir)
    warm = measure("warm", args.dir)
    base = floor["seconds"]
    print(f"{'':6} {'seconds':>9} {'x floor':>8} {'peak RSS':>10}  detail")
    for name, row in (("floor", floor), ("cold", cold), ("warm", warm)):
        detail = {k: v for k, v in row.items() if k not in ("seconds", "peak_mib")}
        print(
            f"{name:6} {row['seconds']:9.2f} {row['seconds'] / base:8.2f} "
            f"{row['peak_mib']:8.0f} MiB  {detail}"
        )
    assert cold["entries"] == warm["entries"] == args.entries
    assert warm["parsed"] == 0


if __name__ == "__main__":
    main()
