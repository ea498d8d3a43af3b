"""Opening a 100,000-entry archive: cold (no index), warm (index present), each against its floor.

    .venv/bin/python bench/archive_open.py [--entries 100000] [--dir /tmp/newsspider-bench/archive]

The archive is built from the real samples in ../shared/rfi/archive, each copy
with its own URL and a changed sentence, so URLs and fingerprints all differ.
Each figure is measured in a fresh child process (wall time and peak RSS), and
compared with the floor of what it must do:

- read floor: list the folder and read every file (what a cold open must do at least)
- stat floor: list the folder and stat every file (what a warm open must do at least)
- cold: ArchiveIndex.open with no index: parse, canonicalize, fingerprint all,
  on every core (a process pool); "cold, one process" reads them all itself
- warm: ArchiveIndex.open with the index: list + stat, nothing parsed

The two cold opens must build the same index (checked). Target: cold < 15 s
for 100,000 entries on 2 cores.
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
import hashlib, json, os, resource, sys, time
sys.path.insert(0, sys.argv[3])
mode, folder = sys.argv[1], sys.argv[2]
from newsspider.archive import index as index_module
if mode == "cold-1":
    index_module.PARALLEL_FROM = float("inf")
start = time.perf_counter()
if mode == "read":
    total = 0
    for item in os.scandir(folder):
        if item.is_file():
            with open(item.path, "rb") as handle:
                total += len(handle.read())
    detail = {"bytes": total}
elif mode == "stat":
    detail = {"files": sum(1 for item in os.scandir(folder) if item.stat().st_size >= 0)}
else:
    with index_module.ArchiveIndex.open(folder) as index:
        detail = {"entries": len(index), "parsed": index.rows_read}
    detail["elapsed"] = time.perf_counter() - start  # the index content is read after
    digest = hashlib.sha256()
    with index_module.ArchiveIndex.open(folder) as index:
        for row in index.db.execute("SELECT * FROM files ORDER BY name"):
            digest.update(repr(row).encode())
    detail["rows_hash"] = digest.hexdigest()
elapsed = detail.pop("elapsed", None) or time.perf_counter() - start
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
    measure("read", args.dir)  # warms the page cache for the others
    read_floor = measure("read", args.dir)
    stat_floor = measure("stat", args.dir)
    shutil.rmtree(args.dir / ".newsspider", ignore_errors=True)
    one = measure("cold-1", args.dir)
    shutil.rmtree(args.dir / ".newsspider", ignore_errors=True)
    cold = measure("cold", args.dir)
    warm = measure("warm", args.dir)
    print(f"{'':17} {'seconds':>9} {'x floor':>8} {'peak RSS':>10}  detail")
    for name, row, floor in (
        ("read floor", read_floor, read_floor),
        ("stat floor", stat_floor, stat_floor),
        ("cold, one process", one, read_floor),
        ("cold", cold, read_floor),
        ("warm", warm, stat_floor),
    ):
        detail = {k: v for k, v in row.items() if k not in ("seconds", "peak_mib", "rows_hash")}
        print(
            f"{name:17} {row['seconds']:9.2f} {row['seconds'] / floor['seconds']:8.2f} "
            f"{row['peak_mib']:8.0f} MiB  {detail}"
        )
    print("x floor: cold opens against the read floor, the warm open against the stat floor")
    assert cold["entries"] == warm["entries"] == one["entries"] == args.entries
    assert cold["rows_hash"] == one["rows_hash"] == warm["rows_hash"], "index content differs"
    assert warm["parsed"] == 0


if __name__ == "__main__":
    main()
