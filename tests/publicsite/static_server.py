"""A plain static web server over an exported site, configured as docs/deploy.md configures nginx.

``http.server`` in a thread, serving the version folder: files under ``api/`` are JSON whatever
their name (they have no extension) and a folder's path there serves its ``index`` file
(``try_files $uri $uri/index``), so the data.police.uk clients see what they would in production.
"""

from __future__ import annotations

import functools
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit


class SiteHandler(SimpleHTTPRequestHandler):
    def translate_path(self, path: str) -> str:
        local = super().translate_path(path)
        if urlsplit(path).path.startswith("/api/") and os.path.isdir(local):
            return os.path.join(local, "index")
        return local

    def guess_type(self, path: str | os.PathLike[str]) -> str:
        if Path(path).relative_to(Path(self.directory).resolve()).parts[:1] == ("api",):
            return "application/json"
        return super().guess_type(path)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002  (the base class's name)
        pass


@contextmanager
def static_site(folder: Path) -> Iterator[str]:
    """Serve ``folder`` (symlinks followed) on a free loopback port; yields the base URL, ending in ``/``."""
    handler = functools.partial(SiteHandler, directory=str(folder.resolve()))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
