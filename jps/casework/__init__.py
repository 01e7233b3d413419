"""Casework around a problem: actions, hand-overs, contacts, reviews, progress updates, further reports,
merging and the duplicate check. Writes in ``services``, reads in ``selectors``.
"""
