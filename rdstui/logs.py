"""Where log records go: a file in the state directory, never the terminal under the console."""

from __future__ import annotations

import logging
import os

from rdstui.core.config import state_home

FILE_NAME = "console.log"


def quiet_logging() -> None:
    """Warnings and worse to $XDG_STATE_HOME/rdstui/console.log (0600, its directory 0700);
    nothing to stderr, where botocore would print tracebacks over the console or `status`."""
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    logging.getLogger("moto").setLevel(logging.ERROR)
    logging.captureWarnings(True)
    root = logging.getLogger()
    handler: logging.Handler
    try:
        directory = state_home()
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(directory, 0o700)  # an existing directory is tightened too (the audit log lives here)
        path = directory / FILE_NAME
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        os.close(fd)
        os.chmod(path, 0o600)
        handler = logging.FileHandler(path, encoding="utf-8")
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        handler.setLevel(logging.WARNING)
    except OSError:
        handler = logging.NullHandler()
    for old in [h for h in root.handlers if isinstance(h, logging.StreamHandler) and not isinstance(h, logging.FileHandler)]:
        root.removeHandler(old)
    root.addHandler(handler)
    if root.level == logging.NOTSET or root.level > logging.WARNING:
        root.setLevel(logging.WARNING)
