"""What keeps the person and place search fast at national scale (docs/performance.md, "People and
places"): word similarity answered from a trigram index that leads with the force (migration 0031)."""

from __future__ import annotations

import pytest
from django.db import connection

from jps import models as m
from jps import selectors, services

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_trgm and PostgreSQL query plans"),
]


def test_a_forces_search_is_one_condition_the_index_that_leads_with_the_force_answers(pcso):  # type: ignore[no-untyped-def]
    """With a trigram index on the name alone, a force's search took every candidate in the country,
    or computed the similarity of every person in the force (200-350 ms at national scale). The
    force and the words are now one index condition of ``(force_id, name gin_trgm_ops)``: the match
    a single ``%>`` (an ``OR`` would split into index scans without the force) and the force a
    bigint (``btree_gin`` compares like types only). ``bench/people.py run`` checks the plans at scale."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE indexname LIKE %s", ["%_force_%_trgm"])
        indexes = dict(cursor.fetchall())
    for search, index, column in (
        (selectors.person_search, "person_force_name_trgm", "name"),
        (selectors.place_search, "place_force_address_trgm", "address"),
    ):
        assert f"USING gin (force_id, {column} gin_trgm_ops)" in indexes[index]
        sql, params = search(pcso, "Jones").query.sql_with_params()
        where = sql.split(" WHERE ", 1)[1]
        assert '"force_id" = (%s)::bigint' in where and f'"{column}" %%> %s' in where and " OR " not in where, sql


def test_a_slip_or_a_street_inside_a_whole_address_is_still_found(pcso):  # type: ignore[no-untyped-def]
    ann = services.person_create(by=pcso, name="Ann Jones")
    flat = services.place_create(by=pcso, address="Flat 3, 12 Station Road, Canterbury CT1 2AB")
    assert list(selectors.person_search(pcso, "Jones Ann")) == [ann]  # words in any order
    assert list(selectors.person_search(pcso, "Ann Jomes")) == [ann]  # a slip
    assert list(selectors.place_search(pcso, "Staton Road")) == [flat]  # misspelt, inside the whole address
    assert list(selectors.place_search(pcso, "Dover")) == []


def test_a_partners_links_for_a_page_of_people_are_checked_against_a_union_of_known_size(world, pcso, partner_user):  # type: ignore[no-untyped-def]
    """Of a ``UNION ALL`` PostgreSQL guesses 200 ids, and probed a page's links by each of a partner's
    3,400 problems (40-50 ms); of a ``UNION`` it knows the size and hashes it (3 ms). Same links."""
    ann = services.person_create(by=pcso, name="Ann Jones")
    services.problem_person_link(problem=world.own, person=ann, role="victim", by=pcso)  # the council takes part
    m.ProblemPerson.objects.create(problem=world.closed, person=ann, role="witness", added_by=pcso)  # out of its sight
    links = selectors.person_links_visible_to(partner_user).filter(person_id__in=[ann.pk])
    sql = str(links.query).upper()
    assert " UNION " in sql and "UNION ALL" not in sql
    assert [(link.problem_id, link.role) for link in links] == [(world.own.pk, "victim")]
    assert selectors.person_read_through(partner_user, [ann.pk]) == [(ann.pk, world.own.pk)]
