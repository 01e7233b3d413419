"""The people and places pages, included by one line in ``frontend/urls.py``.

A place's own page is ``/places/<id>/`` (no page used that path: ``frontend/views/places.py`` is the
neighbourhoods, not these records).
"""

from __future__ import annotations

from django.urls import path

from . import on_problem, records
from .kinds import PEOPLE, PLACES

urlpatterns = [path("people/<int:pk>/", records.person_page, name="person")]
urlpatterns += [path("places/<int:pk>/", records.place_page, name="place")]
for kind in (PEOPLE, PLACES):
    on = f"problems/<int:pk>/{kind.plural}"
    own = f"{kind.plural}/<int:pk>"
    given, on_it = {"kind": kind}, f"problem_{kind.name}"
    urlpatterns += [
        path(f"{on}/add/", on_problem.record_add, given, name=f"{on_it}_add"),
        path(f"{on}/add/<int:record_pk>/", on_problem.record_choose, given, name=f"{on_it}_choose"),
        path(f"{on}/new/", on_problem.record_new, given, name=f"{on_it}_new"),
        path(f"{on}/<int:link_pk>/remove/", on_problem.record_remove, given, name=f"{on_it}_remove"),
        path(f"{own}/edit/", records.record_edit, given, name=f"{kind.name}_edit"),
        path(f"{own}/merge/", records.record_merge, given, name=f"{kind.name}_merge"),
        path(f"{own}/merge/<int:other_pk>/", records.record_merge_confirm, given, name=f"{kind.name}_merge_confirm"),
    ]
