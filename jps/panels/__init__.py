"""Multi-agency case panels (issue 19): an ASB risk panel or tasking meeting of a CSP area, its agenda
built by JPS (``agenda``), minuted at the table (``services``), read case by case (``selectors``); who
sees and who may minute in ``rules``. The models live in ``jps/models/panels.py``."""
