"""Folium map building: layers, symbols, legend, choropleth and selection, all offline.

Data reaches the browser only as JSON inside our own script (``atlas.js``), and every
text is put into the page with ``textContent``: nothing from the data is ever parsed as
HTML or as JavaScript, whatever a name contains.
"""
