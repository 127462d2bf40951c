"""Build code for the "Beyond the Caliphate: Belgium" microsite.

Run the whole build with ``python -m scripts build``.
"""

__version__ = "1.0.0"
