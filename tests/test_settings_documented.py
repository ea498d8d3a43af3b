"""Every setting in newsspider/settings.py has a row in the README's settings tables."""

from __future__ import annotations

import ast
import re

import newsspider.settings
from tests.conftest import ROOT

SETTINGS_FILE = ROOT / "newsspider" / "settings.py"


def declared_settings() -> list[str]:
    tree = ast.parse(SETTINGS_FILE.read_text(encoding="utf-8"))
    return [
        target.id
        for node in tree.body
        if isinstance(node, ast.Assign | ast.AnnAssign)
        for target in (node.targets if isinstance(node, ast.Assign) else [node.target])
        if isinstance(target, ast.Name) and target.id.isupper()
    ]


def readme_rows() -> dict[str, tuple[list[str], str, str]]:
    """Setting name -> (the names its row documents, default cell, meaning cell)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Settings", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) != 3 or not line.startswith("| `"):
            continue
        names = re.findall(r"`([A-Z][A-Z0-9_]+)`", cells[0])
        for name in names:
            rows[name] = (names, cells[1], cells[2])
    return rows


def test_the_settings_file_is_read():
    names = declared_settings()
    assert "ARCHIVE_DIR" in names and "RFI_PROGRESS_INTERVAL" in names and len(names) > 40


def test_every_setting_has_a_row_with_its_default_and_meaning():
    rows = readme_rows()
    missing = [name for name in declared_settings() if name not in rows]
    assert not missing, f"README.md's settings tables lack: {', '.join(missing)}"
    unknown = sorted(set(rows) - set(declared_settings()))
    assert not unknown, f"README.md documents settings that settings.py lacks: {unknown}"
    empty = [name for name, (_, default, meaning) in rows.items() if not default or not meaning]
    assert not empty, f"README.md's settings rows without a default or a meaning: {empty}"


def test_a_plain_default_in_the_readme_is_the_one_in_settings_py():
    wrong = []
    for name, (names, default, _) in readme_rows().items():
        value = getattr(newsspider.settings, name, None)
        if len(names) > 1 or not isinstance(value, bool | int | float | str):
            continue  # grouped rows and containers are described, not spelled out
        spellings = {str(value), f"{value:g}"} if isinstance(value, float) else {str(value)}
        if not any(re.search(rf"(?<![\w.]){re.escape(t)}(?![\w.])", default) for t in spellings):
            wrong.append(f"{name}: README says {default}, settings.py {value!r}")
    assert not wrong, "; ".join(wrong)
