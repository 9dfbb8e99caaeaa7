"""Streamlit edge: page chrome, cached data access, shared widgets. Pages import from here;
the domain modules never import Streamlit."""
