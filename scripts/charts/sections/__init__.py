"""The charts of each section: one module per section, named after it (``scripts.findings.SECTIONS``).

The registry imports every module in this folder (``registry.section_modules``): a new section's
charts need no list edited anywhere. Shared building blocks live in ``scripts.charts._common``.
"""
