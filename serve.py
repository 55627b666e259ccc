"""The server's entry: Streamlit's ASGI app for app.py, plus the sign-in cookie routes and the
security headers of dashboard_lib/ui/web.py.

    .venv/bin/streamlit run serve.py --server.port 8501

``streamlit run`` finds ``app`` below (an ``st.App``) and serves it with uvicorn. Flags and
.streamlit/config.toml (next to this file) apply as for ``streamlit run app.py``; static files
are still served at /app/static/. ``XZ_APP_SCRIPT`` names another page script (tests only).
"""

import os

import streamlit as st

from dashboard_lib import auth, log
from dashboard_lib.ui import web

log.configure()  # the library's own log lines (XZ_LOG_LEVEL) on the server's stderr
auth.warm_up()  # the dummy argon2 hash of unknown names, made before the first log-in
app = st.App(
    os.environ.get("XZ_APP_SCRIPT", "app.py"), routes=web.routes(), middleware=web.middleware()
)
