"""../shared is only read: the tests that use it pass with it mounted read-only.

CI runs as root, and root writes into a chmod-ed folder all the same; a bind
mount with ``-o ro`` in a private mount namespace (``unshare --mount``) stops
root too. The project's seeds/ and cassettes/ are mounted read-only with it.
(conftest.py's ``read_only_folders`` also checks, after every run, that these
folders are unchanged.)
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import CASSETTES, ROOT, SHARED

NESTED = "NEWSSPIDER_SHARED_READ_ONLY"
MOUNT_READ_ONLY_THEN_RUN = """
count=$1; shift
while [ "$count" -gt 0 ]; do
    mount --bind -o ro "$1" "$1" || exit 97
    shift; count=$((count - 1))
done
exec "$@"
"""
READ_ONLY = [str(SHARED.resolve()), str(ROOT / "seeds"), str(CASSETTES)]


def users_of_shared() -> list[str]:
    """The test modules that hand ../shared/rfi/archive, or a copy of it, to code."""
    return sorted(
        f"tests/{path.name}"
        for path in (ROOT / "tests").glob("test_*.py")
        if path.name != Path(__file__).name
        and ("SHARED_ARCHIVE" in (text := path.read_text()) or "shared_copy(" in text)
    )


def in_read_only_namespace(*command: str) -> subprocess.CompletedProcess:
    read_only = [str(len(READ_ONLY)), *READ_ONLY]
    return subprocess.run(
        ["unshare", "--mount", "sh", "-c", MOUNT_READ_ONLY_THEN_RUN, "sh", *read_only, *command],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, NESTED: "1"},  # the run inside never starts another
    )


def test_the_tests_that_use_shared_pass_with_it_mounted_read_only():
    if os.environ.get(NESTED):
        pytest.skip("already inside the read-only run")
    if os.geteuid() != 0 or shutil.which("unshare") is None:
        pytest.skip("needs root and unshare(1) to mount ../shared read-only")
    probe = in_read_only_namespace("sh", "-c", '! test -w "$0"', READ_ONLY[0])
    if probe.returncode != 0:
        pytest.skip(f"cannot mount ../shared read-only here: {probe.stderr.strip()[-200:]}")

    modules = users_of_shared()
    assert "tests/test_index.py" in modules and "tests/test_archive_command.py" in modules
    done = in_read_only_namespace(sys.executable, "-m", "pytest", "-q", *modules)
    assert done.returncode == 0, done.stdout[-3000:]
