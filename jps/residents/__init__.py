"""Residents (issue 20): a report from the public and its triage by the neighbourhood's team, hearing back, and
messages to the team.

``rules`` (who is the neighbourhood's team; registered by ``jps.rules``), ``selectors`` (reads, all scoped
by ``resident_report_scope_q``), ``places`` (a postcode or a point to a neighbourhood, for anyone),
``photos`` (size and type checks; re-encoding without metadata), ``services`` (create, accept, attach,
decline, feedback, unsubscribe) and ``notices`` (the emails to the resident, each sent once). Messages to
the team: ``inbox_rules`` (the same team), ``inbox`` (create, assign, reply, close; the emails to the
sender) and ``inbox_selectors`` (the inbox, and the Pledge's 24-hour measure).
"""
