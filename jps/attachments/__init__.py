"""Staff attachments (issue 20): photos and documents on problems, their actions and residents' reports.

``rules`` (who may upload, see, remove and publish; registered by ``jps.rules``), ``selectors``
(reads, scoped by ``attachment_scope_q``) and ``services`` (upload, download, remove, publish with a
public update). The checks on the bytes themselves are ``jps.files``.
"""
