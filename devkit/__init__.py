"""Tools shared by the test suite and the benchmark scripts: a Streamlit websocket client,
Debian's Chromium against a real server, the explorer map in a page, and files built to break
the importer. Never imported by the app."""
