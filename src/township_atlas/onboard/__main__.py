"""``python -m township_atlas.onboard``: see :mod:`township_atlas.onboard.command`.

The guard matters: the upload worker starts its processes with ``forkserver``, which
imports the main module; without it each worker would run the command again.
"""

import sys

from township_atlas.onboard.command import main

if __name__ == "__main__":
    sys.exit(main())
