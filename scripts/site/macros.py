"""Page macros (mkdocs-macros-plugin): every number and chart on a page comes through here.

Pages never type a figure: they name a finding id, and the macro prints the ledger's value,
with the report's own figure beside it when the two differ. The functions that render HTML
are plain Python (scripts.site.render) so that another static-site generator could call them.
"""

from __future__ import annotations

import re
from html import escape
from pathlib import Path

from scripts import project
from scripts.site import PageError, cards, chart_pages, manifest, render

CHART_ID = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")


def define_env(env) -> None:
    # The build's manifest beside the docs folder the generator was given (or the checkout's outputs).
    # MkDocs gives docs_dir as an absolute path; Zensical as configured, under its root_dir.
    docs_dir = Path(env.conf.get("root_dir", ".")) / env.conf["docs_dir"]
    state = render.SiteState.load(manifest.for_docs(docs_dir))
    # The theme's template (overrides/main.html) prints these in every page's head; "share" holds
    # each page's social card by the page's path.
    env.conf.setdefault("extra", {})["page_meta"] = {
        **project.page_metadata(state.root),
        "share": cards.share_meta(state.site_url, state.catalogue, docs_dir),
    }
    # Findings already described on each page: the hidden description is written once per page.
    described: dict[str, set[str]] = {}

    def page_base() -> str:
        # Relative path from the current page to the site root, so links survive any base URL.
        url = env.page.url if env.page else ""
        depth = url.strip("/").count("/") + 1 if url.strip("/") else 0
        return "../" * depth

    def page_file() -> str:
        page = getattr(env, "page", None)
        source = getattr(getattr(page, "file", None), "src_uri", None)
        return f"docs/{source}" if source else "docs/"

    @env.macro
    def finding(finding_id: str, words: bool = False) -> str:
        """Our value, marked up with its statement; the report's figure beside it if different.

        ``words=True`` writes an exact count under ten as a word ("no", "three").
        """
        seen = described.setdefault(env.page.url if env.page else "", set())
        first = finding_id not in seen
        seen.add(finding_id)
        return render.finding(state, finding_id, words=words, base=page_base(), describe=first)

    @env.macro
    def value(finding_id: str, words: bool = False) -> str:
        """Just the ledger's display text (for headings and alt text, no markup)."""
        return render.plain_value(state, finding_id, words=words)

    @env.macro
    def reported(finding_id: str) -> str:
        """The report's figure, as printed."""
        return render.reported(state, finding_id)

    @env.macro
    def chart(chart_id: str) -> str:
        if not isinstance(chart_id, str) or not CHART_ID.fullmatch(chart_id):
            raise PageError(page_file(), f"chart id {chart_id!r} is not a chart id (lowercase letters, digits "
                            "and hyphens, as listed in charts/index.json)")
        return render.chart_figure(state, chart_id, page_base())

    @env.macro
    def ledger_table(section: str | None = None) -> str:
        """The full ledger (no section: the Ledger page) or a section's rows, linked to it."""
        return render.ledger_table(state, section, page_base())

    @env.macro
    def status_meaning(status: str) -> str:
        """What one ledger status means, in the words of scripts.ledger.STATUSES."""
        return render.STATUSES[status]

    @env.macro
    def status_summary() -> str:
        return render.status_summary(state)

    @env.macro
    def data_dictionary() -> str:
        return render.data_dictionary(state)

    @env.macro
    def palette_table() -> str:
        return render.palette_table(state)

    @env.macro
    def sources_table() -> str:
        return render.sources_table(state)

    @env.macro
    def reuse_catalogue() -> str:
        return chart_pages.catalogue(state, page_base())

    @env.macro
    def chart_page(chart_id: str) -> str:
        """A chart's own page (the build writes one Markdown file per chart that calls this)."""
        from scripts.site import chart_pages

        return chart_pages.chart_page(state, chart_id, page_base())

    @env.macro
    def attack_identification() -> str:
        return render.attack_identification(state)

    @env.macro
    def corrections_log() -> str:
        return render.corrections_log(state)

    @env.macro
    def byline() -> str:
        """The team credit (CITATION.cff) and the date of the last change (SOURCE_DATE_EPOCH)."""
        return render.byline(state)

    @env.macro
    def credit_line() -> str:
        """The one credit line (scripts.project.credit_line), as every chart, image and card prints it."""
        return f'<p class="btc-credit-line">{escape(project.credit_line(root=state.root))}</p>'

    @env.macro
    def citation(style: str = "plain", chart_id: str | None = None) -> str:
        return render.citation_block(state, style, chart_id)
