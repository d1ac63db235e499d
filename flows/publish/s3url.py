"""An ``s3://BUCKET/PREFIX`` location as the state (``fazhi state --s3``) and the site
(``fazhi publish --s3``) both take it: one reading, so the two never disagree on a prefix."""

from __future__ import annotations


def split_s3_url(url: str) -> tuple[str, str] | None:
    """(bucket, prefix) where the prefix is empty or ends in one "/"; None when ``url`` is not an
    S3 location with a bucket."""
    if not url.startswith("s3://") or not url[5:].split("/", 1)[0]:
        return None
    bucket, _, prefix = url[5:].partition("/")
    return bucket, prefix.strip("/") + "/" if prefix.strip("/") else ""
