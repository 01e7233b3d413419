"""Audit of two-factor devices: django-otp's TOTP device with simple-history, the secret left out.

django-otp owns the model; registering its history here puts the history table in the
``jps`` app. The key is excluded so the audit never holds a secret. A row is written on
enrolment, confirmation, each verification (last use, failure count) and deletion (reset).
"""

from django_otp.plugins.otp_totp.models import TOTPDevice
from simple_history import register

register(TOTPDevice, app="jps", excluded_fields=["key"])
