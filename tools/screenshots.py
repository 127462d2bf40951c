"""Screenshots of every page for review: light and dark, desktop and phone.

    python -m tools.screenshots [--site site] [--out screenshots]

Serves the built site on 127.0.0.1 and drives Debian's Chromium through Playwright.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import json
import threading
from pathlib import Path

from playwright.sync_api import sync_playwright

from scripts.project import PAGE_PATHS as PAGES
from scripts.paths import SITE

VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 360, "height": 740}}
SCHEMES = {"light": "default", "dark": "slate"}
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--site", type=Path, default=SITE)
    parser.add_argument("--out", type=Path, default=Path("screenshots"))
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)

    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(args.site))
    handler.log_message = lambda *a: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"

    written = 0
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=args.chromium, args=ARGS)
        for device, viewport in VIEWPORTS.items():
            for scheme_name, scheme in SCHEMES.items():
                context = browser.new_context(viewport=viewport, device_scale_factor=1, is_mobile=device == "phone")
                palette = {"index": 0 if scheme == "default" else 1,
                           "color": {"media": "", "scheme": scheme, "primary": "indigo", "accent": "indigo"}}
                context.add_init_script(f"localStorage.setItem('/.__palette', {json.dumps(json.dumps(palette))})")
                page = context.new_page()
                for path in PAGES:
                    page.goto(base + path, wait_until="load")
                    figures = page.locator("figure.btc-chart")
                    if figures.count():  # reach for a chart, as a reader would, so the live charts swap in
                        figures.first.dispatch_event("pointerenter")
                    page.wait_for_timeout(1500)
                    name = (path.strip("/") or "home").replace("/", "-")
                    target = args.out / f"{name}-{device}-{scheme_name}.png"
                    page.screenshot(path=str(target), full_page=True)
                    written += 1
                context.close()
        browser.close()
    server.shutdown()
    print(f"wrote {written} screenshots to {args.out}/")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
