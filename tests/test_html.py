"""Every page of the built site is valid HTML for the Nu Html Checker (npm vnu-jar, system Java).

Never skipped: a machine without Java fails here (.ci/run installs default-jre-headless).
"""

from __future__ import annotations

from helpers import ALLOWED, allowed, run_vnu

# A page with one known error, checked in the same run: proves the checker really looked.
CANARY = '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>x</title></head><body><p><div></div></p></body></html>'


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
