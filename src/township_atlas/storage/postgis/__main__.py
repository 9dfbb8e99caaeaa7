"""``python -m township_atlas.storage.postgis``: see :mod:`.command`."""

import sys

from township_atlas.storage.postgis.command import main

sys.exit(main())
