"""Tables and figures the pages show, built from a Bundle (Streamlit-free)."""
