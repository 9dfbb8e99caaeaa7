"""Wall maps (挂图): the township or one village printed at A0–A3 from the live data.

``layout`` places the sheet's parts in millimetres for a paper size and orientation;
``frame`` projects the data and chooses a round scale; ``content`` computes what the
panels say (headline figures checked against the report, legend, village table);
``sheet`` draws it all as vector PDF with fpdf2; ``raster`` makes the 300 dpi PNG and the
optional local-tile underlay. The command is ``python -m township_atlas.wallmap``.
"""
