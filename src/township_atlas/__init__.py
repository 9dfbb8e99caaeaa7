"""Township Atlas (乡村党建产业地图): a township's villages, industries and Party
organisation on an interactive map.

Domain code lives in this package and never imports Streamlit; pages under ``pages/``
compose it.
"""

__version__ = "0.1.0"
