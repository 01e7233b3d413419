#!/bin/sh
# Export the demo's public site from two revisions and compare them byte for byte.
#
#   scripts/compare_public_site.sh BEFORE_REV [AFTER_REV]
#
# AFTER_REV defaults to the working tree. Each revision is taken with `git archive` into a temporary
# folder (no worktree is created) and exported by scripts/export_demo_site.py from THIS tree (fresh SQLite
# database, demo loaded, clock frozen), then scripts/compare_public_site.py compares the two served versions.
# Exit status 0 when they are byte-identical. KEEP=DIR keeps both exports in DIR/before and DIR/after.
set -eu

here=$(cd "$(dirname "$0")/.." && pwd)
py="$here/.venv/bin/python"
before=${1:?usage: scripts/compare_public_site.sh BEFORE_REV [AFTER_REV]}
after=${2:-}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
out=${KEEP:-$work}

export_rev() {  # export_rev REV NAME: the demo site of revision REV into $out/NAME
    mkdir -p "$work/src-$2"
    git -C "$here" archive "$1" | tar -x -C "$work/src-$2"
    (cd "$work/src-$2" && "$py" "$here/scripts/export_demo_site.py" "$out/$2" >/dev/null 2>&1)
}

rm -rf "$out/before" "$out/after"
export_rev "$before" before
if [ -n "$after" ]; then
    export_rev "$after" after
else
    (cd "$here" && "$py" scripts/export_demo_site.py "$out/after" >/dev/null 2>&1)
fi
"$py" "$here/scripts/compare_public_site.py" "$out/before" "$out/after"
