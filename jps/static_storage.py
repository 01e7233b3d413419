"""The static files storage: WhiteNoise's compressed manifest storage, fingerprinted with DEBUG on too.

Django's manifest storage hands out plain names (``dist/app.css``) whenever ``DEBUG`` is on, so the
demo, which `make run` serves with DEBUG on, would get neither fingerprinted URLs nor WhiteNoise's
year-long ``immutable`` caching (which it gives only to a fingerprinted name). Collected files have
their fingerprints whatever DEBUG says, so this storage always asks for them.
"""

from __future__ import annotations

from typing import Any

from whitenoise.storage import CompressedManifestStaticFilesStorage


class CollectedStaticFilesStorage(CompressedManifestStaticFilesStorage):
    #: Our modules' ``import ... from "./govuk-frontend.min.js"`` point at the fingerprinted file too, so what a
    #: module imports is cached for a year like the module itself.
    support_js_module_import_aggregation = True

    def url(self, name: Any, force: bool = False) -> str:
        return super().url(name, force=True)
