"""recheck: re-checks IMR decisions against the treatment guidelines they cite.

Data flow: letter -> items -> facts -> guideline criteria -> findings -> verdict -> report.
"""

import sys

__version__ = "0.1.0"

# durable-rules compiles on 3.13 but fails at import; say so instead of an ImportError traceback.
if not ((3, 11) <= sys.version_info[:2] < (3, 13)):
    raise SystemExit(
        f"recheck needs Python 3.11 or 3.12 (durable-rules does not import on "
        f"{sys.version_info.major}.{sys.version_info.minor})"
    )
