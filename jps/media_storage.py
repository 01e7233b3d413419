"""Where uploaded files live, from the environment: read by ``jps/settings.py`` (kept free of Django imports)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def media_storage(env: Mapping[str, str]) -> dict[str, Any]:
    """Where uploaded files live: the filesystem (``MEDIA_ROOT``), or a private S3-compatible bucket.

    With ``AWS_STORAGE_BUCKET_NAME`` (and, for a non-AWS store, ``S3_ENDPOINT_URL``) set, django-storages'
    S3 backend: objects written ``private``, never public-read, links signed and short-lived, no
    overwriting of a name. Staff still download only through JPS (``jps.attachments``): nobody is
    handed a bucket URL. Credentials come from boto3's usual chain (environment, instance role).
    """
    bucket = env.get("AWS_STORAGE_BUCKET_NAME", "")
    if not bucket and not env.get("S3_ENDPOINT_URL"):
        return {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    options: dict[str, Any] = {
        "bucket_name": bucket,
        "default_acl": "private",
        "querystring_auth": True,
        "querystring_expire": int(env.get("S3_SIGNED_URL_SECONDS", "300")),
        "file_overwrite": False,
        "object_parameters": {"ServerSideEncryption": env.get("S3_SERVER_SIDE_ENCRYPTION", "AES256")},
    }
    if env.get("S3_ENDPOINT_URL"):
        options["endpoint_url"] = env["S3_ENDPOINT_URL"]
    if env.get("S3_REGION_NAME"):
        options["region_name"] = env["S3_REGION_NAME"]
    return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}
