"""Every page of the built site is valid HTML for the Nu Html Checker (npm vnu-jar, system Java).

Never skipped: a machine without Java fails here (.ci/run installs default-jre-headless).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

from scripts.paths import ROOT

VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"

# Errors we accept: (exact message, a piece of the offending markup, why). Keep this short.
ALLOWED = [
    (
        # Material's drawer and search toggles are checkboxes with autocomplete="off", which
        # HTML allows only on text-like inputs. Material needs it so Firefox does not restore
        # an open drawer or search box on reload, and the two inputs are written in Material's
        # base.html outside any block a theme override can replace.
        "Attribute “autocomplete” is only allowed when the input type is “color”, “date”, "
        "“datetime-local”, “email”, “hidden”, “month”, “number”, “password”, “range”, “search”, "
        "“tel”, “text”, “time”, “url”, or “week”.",
        '<input class="md-toggle" data-md-toggle=',
    ),
]

# A page with one known error, checked in the same run: proves the checker really looked.
CANARY = '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>x</title></head><body><p><div></div></p></body></html>'


def run_vnu(files: list[Path]) -> list[dict]:
    java = shutil.which("java")
    assert java, "Java 17+ is required for the Nu Html Checker: apt-get install -y default-jre-headless"
    assert VNU.is_file(), f"{VNU} is missing: run `npm ci`"
    # One JVM for every page: starting it is the slow part.
    result = subprocess.run(
        [java, "-jar", str(VNU), "--errors-only", "--format", "json", "--stdout", "--exit-zero-always",
         *map(str, files)],
        capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)["messages"]


def allowed(message: dict) -> bool:
    return any(
        message.get("message") == text and fragment in message.get("extract", "")
        for text, fragment, *_ in ALLOWED
    )


def test_every_page_passes_the_nu_html_checker(built_site, tmp_path):
    canary = tmp_path / "canary.html"
    canary.write_text(CANARY, encoding="utf-8")
    pages = sorted(built_site.site.rglob("*.html"))
    assert len(pages) > 30  # every page, embeds included
    messages = run_vnu([canary, *pages])

    assert any(m["url"].endswith("/canary.html") for m in messages), "vnu reported nothing for a broken page"
    site_messages = [m for m in messages if not m["url"].endswith("/canary.html")]
    unexpected = [
        f"{m['url'].split('/site/', 1)[-1]}:{m.get('lastLine')}: {m['message']}  [{m.get('extract', '').strip()[:120]}]"
        for m in site_messages
        if m["type"] != "info" and not allowed(m)
    ]
    assert not unexpected, "\n".join(unexpected[:40])
    # An exception nobody needs any more should go.
    for text, fragment, *_ in ALLOWED:
        assert any(m.get("message") == text and fragment in m.get("extract", "") for m in site_messages), (
            f"allow-list entry no longer needed: {text[:60]}"
        )
