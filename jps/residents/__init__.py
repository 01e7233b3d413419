"""Residents' reports (issue 20): a report from the public, its triage by the neighbourhood's team, hearing back.

``rules`` (who is the neighbourhood's team; registered by ``jps.rules``), ``selectors`` (reads, all scoped
by ``resident_report_scope_q``), ``places`` (a postcode or a point to a neighbourhood, for anyone),
``photos`` (size and type checks; re-encoding without metadata), ``services`` (create, accept, attach,
decline, feedback, unsubscribe) and ``notices`` (the emails to the resident, each sent once).
"""
