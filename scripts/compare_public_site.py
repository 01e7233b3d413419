"""Compare two exports of the public site file by file: ``python scripts/compare_public_site.py BEFORE AFTER``.

Each argument is an output folder of ``publish_site`` (the one holding ``current``). Every
file the served version holds (``current/``, shard symlinks followed) must be byte-identical,
and neither may hold a file the other lacks. The one thing allowed to differ is the name of
the version (a timestamp and a random token): in ``.publish.json`` it is replaced by
``<version>`` before comparing. Exits 1 and lists the differences if there are any.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

MANIFEST = ".publish.json"


def served_files(root: Path) -> dict[str, bytes]:
    """Every file of the served version, by its path in the site, with the version's name blanked out."""
    current = (root / "current").resolve()
    files: dict[str, bytes] = {}
    for folder, _dirs, names in os.walk(current, followlinks=True):
        for name in names:
            path = Path(folder, name)
            files[path.relative_to(current).as_posix()] = path.read_bytes()
    if MANIFEST in files:
        files[MANIFEST] = _normalised_manifest(files[MANIFEST], version=current.name)
    return files


def _normalised_manifest(content: bytes, *, version: str) -> bytes:
    manifest = json.loads(content)
    shards = manifest.get("shards", {})
    manifest["shards"] = {key: "<version>" if rev == version else rev for key, rev in shards.items()}
    return json.dumps(manifest, indent=0, sort_keys=True).encode()


def compare(before: Path, after: Path) -> list[str]:
    """The differences between two exports, one line each; empty when they are byte-identical."""
    old, new = served_files(before), served_files(after)
    differences = [f"only before: {path}" for path in sorted(set(old) - set(new))]
    differences += [f"only after: {path}" for path in sorted(set(new) - set(old))]
    differences += [f"differs: {path}" for path in sorted(set(old) & set(new)) if old[path] != new[path]]
    return differences


def main() -> int:
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    before, after = Path(sys.argv[1]), Path(sys.argv[2])
    differences = compare(before, after)
    for line in differences:
        print(line)
    count = len(served_files(before))
    print(f"{count} files compared: " + ("byte-identical" if not differences else f"{len(differences)} differences"))
    return 1 if differences else 0


if __name__ == "__main__":
    sys.exit(main())
