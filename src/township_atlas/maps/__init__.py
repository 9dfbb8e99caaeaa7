"""Folium map building: layers, symbols, legend, choropleth and selection, all offline.

Data reaches the browser only as JSON for our own script (``atlas.js``): a static file the
map fetches (``datafile``), or inside the script when anonymous viewing is off. Every text
is put into the page with ``textContent``: nothing from the data is ever parsed as HTML or
as JavaScript, whatever a name contains.
"""
