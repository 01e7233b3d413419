"""The neighbourhood team in public and the Policing Pledge in public (issue 20).

``team``: an officer's consent, rank and photo, and a neighbourhood's team email and "where to find
us" (services). ``commitments``: the Pledge's commitments as a registry of row functions, each
counting every neighbourhood's months in a few aggregate queries. ``selectors``: the twelve months
per neighbourhood and the misses a supervisor has still to explain. ``services``: recording the
"why not". ``rules``: who may do each.
"""
