"""``publish_site --full``: a bar per page rendered when asked, and one summary line."""

from __future__ import annotations

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def test_full_export_summary_and_progress(area, tmp_path, capsys):
    call_command("publish_site", "--full", "--output", str(tmp_path / "site"), "--progress")
    out, err = capsys.readouterr()
    assert out.splitlines()[-1].startswith("publish_site: ")
    assert " files written, " in out and " linked, 0 removed in " in out
    assert "pages: 100%" in err
    call_command("publish_site", "--output", str(tmp_path / "site"))
    out, err = capsys.readouterr()
    assert out.splitlines()[-1].startswith("publish_site: ") and err == ""
