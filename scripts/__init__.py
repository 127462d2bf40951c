"""Build code for the "Beyond the Caliphate: Belgium" microsite.

Run the whole build with ``python -m scripts build``.
"""

import os
import time

__version__ = "1.0.0"

# Vega draws time axes in the process's local time zone, so a chart rendered on a machine set
# to another zone comes out with its ticks moved. Every process that imports the build runs in
# UTC, set here, before anything can render: the renderer reads the zone once, when it starts.
os.environ["TZ"] = "UTC"
time.tzset()
