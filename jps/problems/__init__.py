"""Problems: the record, its SARA workflow (``workflow``), its writes (``services``) and reads (``selectors``).

Its models live in ``jps/models/problems.py`` and ``jps/models/stages.py`` (the app's one models package).
"""
