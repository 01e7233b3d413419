"""Webhooks for partner systems: an agency's endpoints, the events written for them, and their delivery.

``rules`` (who manages an agency's endpoints), ``addresses`` (which URLs may receive: https and public,
checked when registered and again before each send), ``payloads`` (what an event says: the API's partner
shape, no personal data), ``services`` (endpoints, ``event_emit`` called by the domain services, and
``delivery_attempt``: claim, sign, send, record), ``signing`` (the HMAC and the HTTP POST) and
``selectors`` (what a user sees of them). The package sits beside ``jps.publishing``: the problem and
casework services import it; it imports only the models and ``jps.base``.

Its permission (``jps.manage_webhooks``) is registered when the package is first imported, which the
problem services do as the project loads.
"""

from . import rules as _rules  # noqa: F401
