"""Merge new messages from the code into the Chinese catalog, keeping what is translated.

Usage: .venv/bin/python scripts/translate.py [translations.json]
The optional JSON file maps English message ids to Chinese; messages still untranslated are
listed (tests/app/test_i18n.py fails while any remain).
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[1]
CATALOG = ROOT / "app" / "translations" / "zh" / "LC_MESSAGES" / "messages.po"
# Every package, as the layering contract names them (five were listed by hand here, so a run
# marked the newer packages' messages obsolete).
PACKAGES = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"][
    "root_packages"
]


def main() -> None:
    extra = json.loads(Path(sys.argv[1]).read_text()) if len(sys.argv) > 1 else {}
    with tempfile.TemporaryDirectory() as tmp:
        pot_path = Path(tmp) / "messages.pot"
        subprocess.run(  # noqa: S603 - our own pybabel, fixed arguments
            [
                str(Path(sys.executable).parent / "pybabel"),
                "--quiet",
                "extract",
                "-F",
                "babel.cfg",
                "-k",
                "_l",
                "--no-location",
                "-o",
                str(pot_path),
                *PACKAGES,
            ],
            cwd=ROOT,
            check=True,
        )
        with pot_path.open("rb") as handle:
            template = read_po(handle)
    with CATALOG.open("rb") as handle:
        catalog = read_po(handle, locale="zh")
    known = {m.id: m.string for m in catalog if m.id and m.string}
    known.update(extra)
    catalog.update(template, no_fuzzy_matching=True)
    missing = []
    for message in catalog:
        if not message.id:
            continue
        message.string = known.get(message.id, "")
        message.flags.discard("fuzzy")
        if not message.string:
            missing.append(message.id)
    catalog.obsolete.clear()
    with CATALOG.open("wb") as handle:
        write_po(handle, catalog, width=100, no_location=True, omit_header=False)
    for message_id in missing:
        print("untranslated:", message_id)


if __name__ == "__main__":
    main()
