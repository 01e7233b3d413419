"""Run as a script: concurrent API writes against a file SQLite database, with the real settings.

``DATABASE_URL`` names the file. The schema is made straight from the models (no migrations:
they take half a minute here), a few users get tokens, then ``--threads`` threads each log
``--writes`` problems through the API at once. Prints the status codes as JSON.
"""

from __future__ import annotations

import json
import os
import sys
import threading
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jps.settings")

import django  # noqa: E402

django.setup()

from django.apps import apps  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from rest_framework.authtoken.models import Token  # noqa: E402

from jps import models as m  # noqa: E402
from tests import factories as f  # noqa: E402


def make_schema() -> None:
    with connection.schema_editor() as editor:
        for model in apps.get_models():
            if model._meta.managed and not model._meta.proxy:
                editor.create_model(model)


def main(threads: int, writes: int) -> dict[str, object]:
    make_schema()
    police = f.PoliceAgencyFactory()
    neighbourhood = f.NeighbourhoodFactory(district=f.DistrictFactory(force=police.force))
    category = f.CategoryFactory()
    tokens = [
        Token.objects.create(
            user=f.UserFactory(role=m.User.Role.OFFICER, agency=police, neighbourhoods=[neighbourhood])
        ).key
        for _ in range(threads)
    ]
    connection.close()
    codes: Counter[int] = Counter()
    errors: list[str] = []
    start = threading.Barrier(threads)

    def writer(token: str) -> None:
        client = Client(headers={"authorization": f"Token {token}"})
        body = {
            "title": "Speeding outside the school",
            "description": "Cars speeding at pick-up time.",
            "neighbourhood": neighbourhood.pk,
            "category": category.pk,
            "source": "community",
            "originator": "Head teacher",
        }
        start.wait()
        try:
            for _ in range(writes):
                try:
                    response = client.post("/api/problems/", body, content_type="application/json")
                except Exception as exc:  # the test client re-raises what a 500 hid
                    codes[500] += 1
                    errors.append(repr(exc)[:200])
                    continue
                codes[response.status_code] += 1
                if response.status_code >= 500:
                    errors.append(response.content.decode()[:200])
        finally:
            connection.close()

    workers = [threading.Thread(target=writer, args=(t,)) for t in tokens]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return {"codes": dict(codes), "errors": errors[:5], "problems": m.Problem.objects.count()}


if __name__ == "__main__":
    print(json.dumps(main(int(sys.argv[1]), int(sys.argv[2]))))
