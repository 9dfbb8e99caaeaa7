"""``python -m township_atlas.accounts``: see :mod:`township_atlas.accounts.cli`."""

from township_atlas.accounts.cli import main

raise SystemExit(main())
