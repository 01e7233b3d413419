"""The static public site: view models (``viewmodels``), rendering (``render``), the versioned store (``store``).

``export.publish`` composes them; see docs/public-site.md. The package depends on ``jps``
(``jps.publishing`` says what is public) and nothing depends on it but the web's link
resolver and the ``publish_site`` command: the publishing job reaches it through
``jps.publishing.site_publish``, which this app's ``ready`` wires up.
"""
