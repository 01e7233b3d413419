"""People and places as records of their own: who is on a problem (victim, complainant, witness,
subject) and where it happens, one record across every problem (issue 18)."""
