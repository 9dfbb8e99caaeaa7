"""Where the running app lives: the folder of its main script, and the ``static/`` beside it.

Streamlit serves ``server.enableStaticServing`` files from ``static/`` next to the main
script (``app.py``), not next to this package: with a wheel installed into a virtualenv the
package sits in ``site-packages``, so paths must come from the script being run.
"""

from __future__ import annotations

from pathlib import Path

from streamlit.runtime.scriptrunner import get_script_run_ctx


def app_dir() -> Path:
    """The folder of the app's main script; the working directory outside a script run."""
    ctx = get_script_run_ctx(suppress_warning=True)
    if ctx is not None and getattr(ctx, "main_script_path", ""):
        return Path(ctx.main_script_path).resolve().parent
    return Path.cwd()


def static_dir() -> Path:
    """The ``static/`` folder Streamlit serves at ``/app/static/``."""
    return app_dir() / "static"
