"""Charts for the "Threat levels" section of the site.

Add charts here with the ``@chart(..., section="threat_levels")`` decorator (see
``scripts/charts/registry.py``); they are discovered because this module is listed
in ``SECTION_MODULES``. Typical imports::

    import altair as alt

    from scripts.charts import theme
    from scripts.charts.describe import from_ledger
    from scripts.charts.registry import chart
"""
