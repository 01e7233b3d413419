"""Mixed-role load on JPS: PCSOs, supervisors, partners and analysts at their usual work.

Run by ``make load`` (bench/load.sh), which starts gunicorn on loopback against the bench
database and writes the credentials file this reads (``LOAD_USERS``, from
``bench/load_users.py``). Each simulated person holds a real session (web pages) and a
real API token (API calls), and waits 1-5 s between actions, like someone working.

Weights follow who uses JPS most: officers log and work problems, partners check and
update their agency's actions (mostly through the API from their own case systems),
supervisors work their review queue, analysts read the dashboard and the library.
"""

from __future__ import annotations

import itertools
import json
import os
import random
from typing import Any

from locust import HttpUser, between, task

with open(os.environ.get("LOAD_USERS", "users.json")) as handle:
    CREDENTIALS: dict[str, list[dict[str, Any]]] = json.load(handle)
_NEXT = {role: itertools.cycle(people) for role, people in CREDENTIALS.items() if people}


class Person(HttpUser):
    abstract = True
    role = ""
    wait_time = between(1, 5)

    def on_start(self) -> None:
        me = next(_NEXT[self.role])
        self.me = me
        self.api = {"Authorization": f"Token {me['token']}", "Accept": "application/json"}
        self.client.cookies.set("sessionid", me["session"])
        self.problems: list[int] = []

    def page(self, path: str, name: str | None = None) -> None:
        self.client.get(path, name=name or path)

    def api_get(self, path: str, name: str, **params: Any) -> Any:
        with self.client.get(path, params=params, headers=self.api, name=name, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code}: {response.text[:200]}")
                return None
            return response.json()

    def remember_problems(self, data: Any) -> None:
        if data and data.get("results"):
            self.problems = [p["id"] for p in data["results"]]

    def a_problem(self) -> int | None:
        return random.choice(self.problems) if self.problems else None


class PCSO(Person):
    role = "officer"
    weight = 4

    @task(3)
    def my_work(self) -> None:
        self.page("/", "my work")

    @task(2)
    def district_problems(self) -> None:
        district = random.choice(self.me["districts"])
        stage = random.choice(["scanning", "analysis", "response"])
        self.remember_problems(
            self.api_get("/api/problems/", "api problems ?district&stage", district=district, stage=stage)
        )

    @task(3)
    def problem_detail(self) -> None:
        if (pk := self.a_problem()) is not None:
            self.api_get(f"/api/problems/{pk}/", "api problem detail")

    @task(2)
    def problem_page(self) -> None:
        if (pk := self.a_problem()) is not None:
            self.page(f"/problems/{pk}/", "problem page")

    @task(1)
    def search(self) -> None:
        self.api_get(
            "/api/problems/", "api search q=", q=random.choice(["drinking", "graffiti", "speeding", "site 12"])
        )

    @task(1)
    def add_update(self) -> None:
        if (pk := self.a_problem()) is None:
            return
        body = {"problem": pk, "text": "Visited the location; residents report it is quieter this week."}
        with self.client.post(
            "/api/updates/", json=body, headers=self.api, name="api add update", catch_response=True
        ) as response:
            if response.status_code not in (201, 403):  # 403: a problem the officer may see but not work
                response.failure(f"{response.status_code}: {response.text[:200]}")


class Supervisor(Person):
    role = "supervisor"
    weight = 2

    @task(3)
    def review_queue(self) -> None:
        self.page("/", "my work")

    @task(2)
    def overdue(self) -> None:
        self.remember_problems(self.api_get("/api/problems/", "api problems ?overdue", overdue="true"))

    @task(2)
    def problem_page(self) -> None:
        if (pk := self.a_problem()) is not None:
            self.page(f"/problems/{pk}/", "problem page")

    @task(1)
    def dashboard(self) -> None:
        self.page("/dashboard/", "dashboard")


class Partner(Person):
    role = "partner"
    weight = 3

    @task(4)
    def my_open_actions(self) -> None:
        self.api_get("/api/actions/", "api actions ?ours&open", ours="true", open="true")

    @task(2)
    def problems(self) -> None:
        self.remember_problems(self.api_get("/api/problems/", "api problems"))

    @task(2)
    def problem_detail(self) -> None:
        if (pk := self.a_problem()) is not None:
            self.api_get(f"/api/problems/{pk}/", "api problem detail")

    @task(1)
    def my_work(self) -> None:
        self.page("/", "my work")


class Analyst(Person):
    role = "analyst"
    weight = 1

    @task(2)
    def dashboard(self) -> None:
        self.page("/dashboard/", "dashboard")

    @task(1)
    def library(self) -> None:
        self.page("/library/", "library")

    @task(1)
    def evaluations(self) -> None:
        self.api_get("/api/evaluations/", "api evaluations")
