"""Contact agreements with victims and complainants, and the log of contacts made (issue 18): writes in
``services``, reads in ``selectors``. The models are in ``jps/models/contacts.py``; the reminders that a
contact is due or overdue in ``jps/reminders/contacts.py``; the dashboard figure in
``jps/insight/contact_figures.py``."""
