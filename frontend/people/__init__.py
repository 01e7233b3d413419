"""People and places from the web (issue 18): on a problem, their own pages, merging; the call handler's
lookup is ``frontend.lookup``.

``panel`` (what the problem page shows of them), ``forms``, ``kinds`` (what differs between people and
places, so the pages are one set of views for both), ``on_problem`` (add, choose, record and remove),
``records`` (the person and place pages, editing and merging) and ``urls``.
"""
