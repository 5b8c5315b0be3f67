"""The idle bot does not load numpy (~15 MB of its memory); the first match does.

Each check runs in a fresh interpreter: the test process itself has long imported numpy.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# What `koopbot run` builds before it connects: the command line module, the app with its
# database, Matrix connection, scheduler and every command module, the content and its
# answer index, the texts; then one question answered from the FAQ.
IDLE = """
import asyncio, json, sys
from pathlib import Path

import bot.__main__
from bot.app import App, load_answers
from bot.config import load_settings
from commands.i18n import Catalog

settings = load_settings(Path(sys.argv[1]))
app = App(settings)
asyncio.run(app.db.open())
content, answers = load_answers(settings)
Catalog.load()
result = answers.answer("Was gehört in eine Kooperationsvereinbarung?")
asyncio.run(app.db.close())
print(json.dumps({"numpy": "numpy" in sys.modules, "answered": result.entry_id}))
"""

# A partner search: the matching engine imports numpy now, and still finds the partner.
MATCH = """
import json, sys

from commands.matching import InstitutionKind, MatchIndex, Profile, top_partners

before = "numpy" in sys.modules
index = MatchIndex.build(
    [
        Profile("@a:x", InstitutionKind.MUSIKSCHULE, needs=("Räume",), visible=True),
        Profile("@b:x", InstitutionKind.OGS_TRAEGER, offers=("Räume",), visible=True),
    ]
)
found = [m.user_id for m in top_partners(index, "@a:x")]
print(json.dumps({"before": before, "after": "numpy" in sys.modules, "found": found}))
"""


def _run(script: str, *args: str) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-c", script, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def test_idle_bot_and_answers_do_not_import_numpy(tmp_path: Path) -> None:
    config = tmp_path / "koopbot.toml"
    config.write_text(
        '[matrix]\nuser_id = "@koopbot:localhost"\npassword = "pw"\n'
        f'[storage]\ndir = "{tmp_path / "data"}"\n',
        encoding="utf-8",
    )
    result = _run(IDLE, str(config))
    assert result["answered"] == "vereinbarung-inhalt"
    assert result["numpy"] is False


def test_first_match_imports_numpy_and_finds_partner() -> None:
    result = _run(MATCH)
    assert result == {"before": False, "after": True, "found": ["@b:x"]}
