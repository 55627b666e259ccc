"""Logic of the 县中托管帮扶 monitoring dashboard, testable without Streamlit.

Only ``ui.py`` imports streamlit; pages call the functions here with plain values.
"""
