"""Publish the built site to an S3-compatible bucket, uploading only what changed.

For readers GitHub Pages does not serve well (a site over its 1 GB, readers in mainland China):
any S3-compatible object store that serves a bucket as a website (AWS S3, Alibaba Cloud OSS,
Tencent Cloud COS, MinIO …). See docs/operating.md.

What was published is recorded in the bucket itself, in ``PREFIX/.fazhi-publish.json`` (each
file's sha256): a publish hashes the local site, uploads the files whose hash differs, then
deletes the objects of files that are gone, and only then records the final state. So:

- **only the changed files travel**: a night with one new report uploads its few pages; a file
  whose bytes the bucket already holds under another name (a new release's unchanged downloads)
  is copied there by the store, not uploaded;
- **interrupting is safe**: the record is written every ``checkpoint`` uploads with what is
  uploaded so far; a publish started again uploads only what is still missing or different;
- **deleted last**: readers never meet a page linking to a file already deleted; pages go up
  after the assets they use (HTML last, the home page very last);
- only objects the record lists are ever deleted: other objects under the prefix are left alone.
"""

from __future__ import annotations

import hashlib
import json
import mimetypes
import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from flows.publish.s3url import split_s3_url

RECORD = ".fazhi-publish.json"
FORMAT = 1
CHECKPOINT = 200  # uploads between two writes of the record (a resumed publish redoes at most this many)
JOBS = 8  # uploads at once: an object store answers each in tens of milliseconds, mostly waiting

# Cache headers. Pages and data files must show tonight's release the next morning: revalidated on
# every visit (an unchanged one answers 304). Files whose name carries a content hash (MkDocs
# Material's assets: main.6f8fc17f.min.css) never change under their name. Anything else: a day.
REVALIDATE = "public, max-age=0, must-revalidate"
IMMUTABLE = "public, max-age=31536000, immutable"
A_DAY = "public, max-age=86400"
FINGERPRINTED = re.compile(r"\.[0-9a-f]{8,}\.(?:min\.)?(?:css|js|woff2?|svg|png|jpg|webp)$")
ALWAYS_FRESH = (".html", ".json", ".xml", ".txt", ".csv", ".webmanifest")
TEXT_TYPES = ("text/", "application/json", "application/xml", "application/javascript", "image/svg+xml")
EXTRA_TYPES = {".webmanifest": "application/manifest+json", ".gz": "application/gzip", ".parquet": "application/vnd.apache.parquet",
               ".mjs": "application/javascript", ".woff2": "font/woff2", ".map": "application/json"}


class PublishError(RuntimeError):
    """A publish that could not go on; the message names the bucket or file and why."""


@dataclass
class Published:
    uploaded: list[str] = field(default_factory=list)  # bytes sent
    copied: list[str] = field(default_factory=list)  # new names of content the bucket already held: copied there, nothing sent
    unchanged: int = 0
    deleted: list[str] = field(default_factory=list)


def content_type(name: str) -> str:
    suffix = Path(name).suffix.lower()
    kind = EXTRA_TYPES.get(suffix) or mimetypes.guess_type(name)[0] or "application/octet-stream"
    return f"{kind}; charset=utf-8" if kind.startswith(TEXT_TYPES) else kind


def cache_control(name: str) -> str:
    if name.lower().endswith(ALWAYS_FRESH) or name.endswith("/"):
        return REVALIDATE
    return IMMUTABLE if FINGERPRINTED.search(name) else A_DAY


def site_files(site: Path) -> dict[str, Path]:
    """Every file of the built site by its key (path under the site, with /), hidden files left out
    (the build's own marker)."""
    found = {}
    for path in sorted(site.rglob("*")):
        key = path.relative_to(site).as_posix()
        if path.is_file() and not any(part.startswith(".") for part in key.split("/")):
            found[key] = path
    return found


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def upload_order(key: str) -> tuple[int, str]:
    """Assets first, then pages, the home page last: a reader who arrives mid-publish follows links
    from an old page to files that are there, or from a new page to files already uploaded."""
    if key == "index.html":
        return (2, key)
    return (1 if key.endswith(".html") else 0, key)


class SiteBucket:
    """The site's objects under ``s3://BUCKET/PREFIX``; credentials from boto3's usual places
    (AWS_ACCESS_KEY_ID …, ~/.aws); ``endpoint_url`` for a store other than AWS."""

    def __init__(self, url: str, endpoint_url: str | None = None, client: Any = None, addressing_style: str = "auto") -> None:
        location = split_s3_url(url)
        if location is None:
            raise PublishError(f"{url}: an S3 location is s3://BUCKET or s3://BUCKET/PREFIX")
        self.bucket, self.prefix = location
        self.url = url
        if client is None:
            try:
                import boto3
            except ImportError:
                raise PublishError(f"{url}: publishing to S3 needs boto3: pip install 'fazhi-atlas[s3]'") from None
            from botocore.config import Config

            # Alibaba Cloud OSS answers path-style requests (endpoint/bucket/key) with an error: it
            # needs "virtual" (bucket.endpoint/key); botocore's "auto" uses path style on an endpoint_url.
            client = boto3.client("s3", endpoint_url=endpoint_url, config=Config(s3={"addressing_style": addressing_style}))
        self.client = client

    def _call(self, what: str, call: Callable[[], Any]) -> Any:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            return call()
        except (BotoCoreError, ClientError) as exc:
            raise PublishError(f"{self.url}: {what} failed: {exc}") from exc

    def record(self) -> dict[str, str]:
        """key → sha256 of what the last publish left in the bucket; empty before the first."""
        from botocore.exceptions import ClientError

        try:
            body = self.client.get_object(Bucket=self.bucket, Key=self.prefix + RECORD)["Body"].read()
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404", "NotFound"):
                return {}
            raise PublishError(f"{self.url}: reading {RECORD} failed: {exc}") from exc
        try:
            found = json.loads(body)
            files = found["files"]
            if not isinstance(files, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in files.items()):
                raise ValueError("'files' is not a map of names to hashes")
        except (ValueError, KeyError, TypeError) as exc:
            raise PublishError(f"{self.url}/{RECORD}: unreadable ({exc}); delete it to publish everything again") from None
        return dict(files)

    def write_record(self, files: dict[str, str]) -> None:
        body = json.dumps({"format": FORMAT, "files": dict(sorted(files.items()))}, ensure_ascii=False).encode()
        self._call(f"writing {RECORD}", lambda: self.client.put_object(
            Bucket=self.bucket, Key=self.prefix + RECORD, Body=body, ContentType="application/json", CacheControl="no-store"))

    def upload(self, path: Path, key: str, sha256: str) -> None:
        with path.open("rb") as handle:
            self._call(f"uploading {key}", lambda: self.client.put_object(
                Bucket=self.bucket, Key=self.prefix + key, Body=handle, ContentType=content_type(key),
                CacheControl=cache_control(key), Metadata={"sha256": sha256}))

    def copy(self, source: str, key: str, sha256: str) -> bool:
        """Copy an object the bucket holds to a new name, server-side (a new release's files that
        did not change are the last one's bytes under a new folder); False when the source is not
        there after all (a deletion the record did not hear of): then it is uploaded."""
        from botocore.exceptions import ClientError

        try:
            self.client.copy_object(Bucket=self.bucket, Key=self.prefix + key, CopySource={"Bucket": self.bucket, "Key": self.prefix + source},
                                    MetadataDirective="REPLACE", ContentType=content_type(key), CacheControl=cache_control(key),
                                    Metadata={"sha256": sha256})
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404", "NotFound"):
                return False
            raise PublishError(f"{self.url}: copying {source} to {key} failed: {exc}") from exc
        return True

    def delete(self, keys: list[str]) -> None:
        for start in range(0, len(keys), 1000):  # DeleteObjects takes at most 1,000 keys
            batch = [{"Key": self.prefix + k} for k in keys[start:start + 1000]]
            reply = self._call("deleting objects", partial(self.client.delete_objects, Bucket=self.bucket, Delete={"Objects": batch, "Quiet": True}))
            if reply.get("Errors"):
                error = reply["Errors"][0]
                raise PublishError(f"{self.url}: deleting {error.get('Key')} failed: {error.get('Message') or error.get('Code')}")


def publish_site(site: Path, bucket: SiteBucket, jobs: int = JOBS, checkpoint: int = CHECKPOINT,
                 progress: Callable[[int, int], None] | None = None) -> Published:
    """Upload the files of ``site`` that differ from the bucket's record, delete the ones gone, and
    record the result (see the module's docstring for the order and why)."""
    if not site.is_dir():
        raise PublishError(f"{site}: no built site here (run `fazhi nightly` or `fazhi build-site` first)")
    local = site_files(site)
    if "index.html" not in local:
        raise PublishError(f"{site}: no index.html; not a built site")
    hashes = {key: _sha256(path) for key, path in local.items()}
    recorded = bucket.record()
    changed = sorted((k for k in local if recorded.get(k) != hashes[k]), key=upload_order)
    done = Published(unchanged=len(local) - len(changed))
    state = dict(recorded)  # what the bucket holds, as far as is known: the record, plus each upload
    held = {sha: key for key, sha in recorded.items()}  # content the bucket has, under one of its names

    def send(key: str) -> tuple[str, bool]:
        """Upload, or copy server-side when the bucket already holds these bytes; (key, copied)."""
        source = held.get(hashes[key])
        if source is not None and source != key and bucket.copy(source, key, hashes[key]):
            return key, True
        bucket.upload(local[key], key, hashes[key])
        return key, False

    for start in range(0, len(changed), max(1, checkpoint)):
        batch = changed[start:start + max(1, checkpoint)]
        pages = [k for k in batch if upload_order(k)[0] > 0]  # a batch's pages wait for its assets
        with ThreadPoolExecutor(max(1, jobs)) as pool:
            for group in ([k for k in batch if k not in pages], [k for k in pages if k != "index.html"], [k for k in pages if k == "index.html"]):
                for key, copied in pool.map(lambda k: send(k), group):
                    state[key] = hashes[key]
                    (done.copied if copied else done.uploaded).append(key)
        bucket.write_record(state)
        if progress:
            progress(len(done.uploaded) + len(done.copied), len(changed))
    gone = sorted(k for k in recorded if k not in local)
    if gone:
        bucket.delete(gone)
        done.deleted = gone
        for key in gone:
            state.pop(key, None)
        bucket.write_record(state)
    return done
