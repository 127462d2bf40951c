"""Charts of the microsite: registry, shared theme, and exporters.

- ``context``: ``ChartContext``, the tables and findings ledger charts are drawn from.
- ``registry``: the ``@chart`` decorator and discovery of the section modules.
- ``theme``: the site's Vega-Lite theme (light and dark).
- ``describe``: alt text generated from ledger values.
- ``export``: ``build_all`` (specs + CSV) and ``export_site_assets`` (SVG/PNG/Vega).

Section modules (``overview``, ``geography``, ...) hold the chart functions.
"""
