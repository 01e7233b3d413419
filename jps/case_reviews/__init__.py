"""ASB case reviews (issue 19): the applications, their threshold, deadlines, figures and rules."""
