"""``python -m township_atlas.sample OUT_DIR``: write the sample township (or a county)."""

from township_atlas.sample import main

main()
