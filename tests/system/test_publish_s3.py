"""`fazhi publish --s3`: the built site into an S3-compatible bucket (moto's server on 127.0.0.1),
only what changed, deletions last, resumable."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from flows.cli import main
from flows.publish.bucket import IMMUTABLE, RECORD, REVALIDATE, PublishError, SiteBucket, publish_site, site_files
from tests.conftest import DemoNight, fake_s3_credentials


@pytest.fixture
def bucket_url(s3_endpoint: str, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> str:
    import boto3

    fake_s3_credentials(monkeypatch)
    name = "site-" + request.node.name.lower().replace("_", "-")[:40].strip("-")
    boto3.client("s3", endpoint_url=s3_endpoint).create_bucket(Bucket=name)
    return f"s3://{name}/atlas"


def objects(bucket: SiteBucket) -> dict[str, bytes]:
    found = {}
    for page in bucket.client.get_paginator("list_objects_v2").paginate(Bucket=bucket.bucket, Prefix=bucket.prefix):
        for item in page.get("Contents", []):
            key = item["Key"][len(bucket.prefix):]
            if key != RECORD:
                found[key] = bucket.client.get_object(Bucket=bucket.bucket, Key=item["Key"])["Body"].read()
    return found


def assert_mirrors(site: Path, bucket: SiteBucket) -> None:
    assert objects(bucket) == {key: path.read_bytes() for key, path in site_files(site).items()}


def test_a_first_publish_uploads_the_site_with_types_and_cache_headers_then_nothing(demo_night: DemoNight, bucket_url: str,
                                                                                      s3_endpoint: str, capsys: pytest.CaptureFixture[str]) -> None:
    site = demo_night.out
    assert main(["publish", "--s3", bucket_url, "--endpoint-url", s3_endpoint, "--out", str(site), "--quiet"]) == 0
    files = site_files(site)
    assert capsys.readouterr().out.strip() == f"published {site} to {bucket_url}: {len(files)} uploaded, 0 copied in the bucket, 0 unchanged, 0 deleted"
    bucket = SiteBucket(bucket_url, endpoint_url=s3_endpoint)
    assert_mirrors(site, bucket)
    assert not any(key.startswith(".") for key in files)  # the build's marker stays home
    home = bucket.client.head_object(Bucket=bucket.bucket, Key="atlas/index.html")
    assert (home["ContentType"], home["CacheControl"]) == ("text/html; charset=utf-8", REVALIDATE)
    stylesheet = next(k for k in files if k.startswith("assets/stylesheets/main.") and k.endswith(".css"))
    styled = bucket.client.head_object(Bucket=bucket.bucket, Key=f"atlas/{stylesheet}")
    assert (styled["ContentType"], styled["CacheControl"]) == ("text/css; charset=utf-8", IMMUTABLE)

    again = publish_site(site, bucket)
    assert (again.uploaded, again.unchanged, again.deleted) == ([], len(files), [])


def test_bytes_the_bucket_holds_under_another_name_are_copied_there_not_sent(tmp_path: Path, bucket_url: str, s3_endpoint: str) -> None:
    site = tmp_path / "public"
    (site / "a").mkdir(parents=True)
    (site / "index.html").write_text("<p>home</p>", encoding="utf-8")
    (site / "a" / "big.bin").write_bytes(b"x" * 4096)
    bucket = SiteBucket(bucket_url, endpoint_url=s3_endpoint)
    assert sorted(publish_site(site, bucket).uploaded) == ["a/big.bin", "index.html"]
    (site / "b").mkdir()
    shutil.copy(site / "a" / "big.bin", site / "b" / "big.bin")
    again = publish_site(site, bucket)
    assert (again.uploaded, again.copied) == ([], ["b/big.bin"])
    assert_mirrors(site, bucket)


def with_region_capped(sources_file: Path) -> Path:
    """The demo registry, the region portal taking two of its three reports a night."""
    lines = sources_file.read_text(encoding="utf-8").splitlines()
    at = next(i for i, line in enumerate(lines) if line.strip() == "- id: region")
    lines.insert(at + 1, "    max_new_reports: 2")
    capped = sources_file.with_name("capped.yaml")
    capped.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return capped


def hashed(site: Path) -> dict[str, str]:
    import hashlib

    return {key: hashlib.sha256(path.read_bytes()).hexdigest() for key, path in site_files(site).items()}


@pytest.fixture(scope="module")
def one_new_report(prefect_harness: None, tmp_path_factory: pytest.TempPathFactory, s3_endpoint: str) -> dict[str, Any]:
    """Two demo nights, the second finding one new report; the site published after each."""
    import boto3

    from flows.demo.server import demo_sources_yaml, serve_portals
    from flows.nightly import nightly

    root = tmp_path_factory.mktemp("one-new")
    credentials = {"AWS_ACCESS_KEY_ID": "fazhi", "AWS_SECRET_ACCESS_KEY": "fazhi", "AWS_DEFAULT_REGION": "us-east-1"}
    with pytest.MonkeyPatch.context() as patch, serve_portals() as portals:
        for key, value in credentials.items():
            patch.setenv(key, value)
        (root / "sources.yaml").write_text(demo_sources_yaml(portals), encoding="utf-8")
        sources, data, site = with_region_capped(root / "sources.yaml"), root / "data", root / "public"
        boto3.client("s3", endpoint_url=s3_endpoint).create_bucket(Bucket="one-new-report")
        bucket = SiteBucket("s3://one-new-report/atlas", endpoint_url=s3_endpoint)
        first = nightly(sources_file=sources, data_dir=data, out_dir=site, return_state=True).result(raise_on_failure=False)
        everything, before = publish_site(site, bucket), hashed(site)
        second = nightly(sources_file=sources, data_dir=data, out_dir=site, return_state=True).result(raise_on_failure=False)
        night, after = publish_site(site, bucket), hashed(site)
        mirrored = objects(bucket) == {key: path.read_bytes() for key, path in site_files(site).items()}
    return {"first": first, "second": second, "everything": everything, "night": night, "before": before, "after": after,
            "mirrored": mirrored}


@pytest.mark.usefixtures("prefect_harness")
def test_a_night_with_one_new_report_sends_exactly_the_files_that_changed(one_new_report: dict[str, Any]) -> None:
    first, second, night = one_new_report["first"], one_new_report["second"], one_new_report["night"]
    before, after = one_new_report["before"], one_new_report["after"]
    assert first.new == 4 and second.new == 1 and second.release is not None  # the fifth report waited a night (max_new_reports)
    changed = {key for key, sha in after.items() if before.get(key) != sha}
    assert set(night.uploaded) | set(night.copied) == changed and not set(night.uploaded) & set(night.copied)
    assert sorted(night.deleted) == sorted(set(before) - set(after))
    assert "townships/654202108/index.html" in night.uploaded  # 西湖镇, tonight's report, by its code
    assert not night.copied  # the site no longer repeats a release's unchanged files under a new version's folder
    assert len(one_new_report["everything"].uploaded) > 2 * len(night.uploaded)
    assert one_new_report["mirrored"]


@pytest.mark.usefixtures("prefect_harness")
def test_a_night_with_one_new_report_sends_no_table_and_no_page_that_only_cites_the_version(one_new_report: dict[str, Any]) -> None:
    """The release's tables are no longer republished under downloads/<version>/ (28 files of the
    demo's night), and an indicator page whose values did not change keeps its bytes (the version
    it cites comes from release.css: 28 more)."""
    uploaded = one_new_report["night"].uploaded
    assert not [key for key in uploaded if key.startswith("downloads/") and key.endswith((".csv", ".parquet", ".jsonl.gz"))]
    assert sorted(key for key in uploaded if key.startswith("downloads/") and key != "downloads/index.html") == sorted(
        f"downloads/{one_new_report['second'].release.version}/{name}" for name in
        ("CHANGELOG.txt", "datapackage.json", "manifest.json", f"fazhi-{one_new_report['second'].release.version}.zip",
         f"fazhi-{one_new_report['second'].release.version}.zip.sha256"))
    assert not [key for key in uploaded if key.startswith("indicators/") and ("/2022/" in key or "/2025/" in key)]  # tonight's report is 2024's


@pytest.mark.usefixtures("prefect_harness")
def test_a_night_with_one_new_report_uploads_fewer_than_50_files(one_new_report: dict[str, Any]) -> None:
    """The demo's one new report (西湖镇) is the first of its county, 乌苏市: its 未纳入检索 townships
    get no page of their own and the finder's pieces hold the whole register already, so only
    search/townships/on-site.json says the county joined (106 files before: 32 such pages, 26 pieces);
    its text is one bundle (was an HTML page and a .txt)."""
    uploaded = one_new_report["night"].uploaded
    print(f"{len(uploaded)} uploaded: {sum(k.startswith('search/townships/') for k in uploaded)} finder pieces, "
          f"{sum(k.startswith('townships/6') for k in uploaded)} township pages:", *sorted(uploaded))
    assert len(uploaded) < 50
    assert [k for k in uploaded if k.startswith("search/townships/")] == ["search/townships/on-site.json"]
    assert [k for k in uploaded if k.startswith("archive/b/")] == ["archive/b/654202-2024.json.gz"]


class FlakyClient:
    """boto3's client, failing the upload after ``fail_after`` uploads; every call recorded in order."""

    def __init__(self, client: Any, fail_after: int | None = None) -> None:
        self.client, self.fail_after, self.calls = client, fail_after, []  # type: ignore[var-annotated]

    def put_object(self, **kwargs: Any) -> Any:
        if kwargs["Key"].endswith(RECORD):
            self.calls.append(("record", kwargs["Key"]))
        else:
            if self.fail_after is not None and sum(1 for c in self.calls if c[0] == "put") >= self.fail_after:
                from botocore.exceptions import EndpointConnectionError

                raise EndpointConnectionError(endpoint_url="http://127.0.0.1:1")
            self.calls.append(("put", kwargs["Key"]))
        return self.client.put_object(**kwargs)

    def delete_objects(self, **kwargs: Any) -> Any:
        self.calls.append(("delete", tuple(o["Key"] for o in kwargs["Delete"]["Objects"])))
        return self.client.delete_objects(**kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.client, name)


def test_an_interrupted_publish_resumes_with_what_is_left(demo_night: DemoNight, bucket_url: str, s3_endpoint: str) -> None:
    site = demo_night.out
    total = len(site_files(site))
    real = SiteBucket(bucket_url, endpoint_url=s3_endpoint)
    flaky = FlakyClient(real.client, fail_after=23)
    with pytest.raises(PublishError, match="uploading .* failed"):
        publish_site(site, SiteBucket(bucket_url, client=flaky), jobs=1, checkpoint=10)
    assert len(real.record()) == 20  # two checkpoints written; the three uploads after them are not recorded
    resumed = publish_site(site, real, jobs=4, checkpoint=10)
    assert len(resumed.uploaded) + len(resumed.copied) == total - 20 and resumed.unchanged == 20
    assert_mirrors(site, real)


def test_changed_files_go_up_before_gone_ones_are_deleted_and_pages_after_assets(demo_night: DemoNight, bucket_url: str,
                                                                                 s3_endpoint: str, tmp_path: Path) -> None:
    site = tmp_path / "public"
    shutil.copytree(demo_night.out, site)
    real = SiteBucket(bucket_url, endpoint_url=s3_endpoint)
    publish_site(site, real)
    gone = sorted(k for k in site_files(site) if k.endswith(".html") and k != "index.html")[0]
    (site / gone).unlink()
    (site / "index.html").write_text((site / "index.html").read_text(encoding="utf-8") + "<!-- tonight -->", encoding="utf-8")
    stylesheet = next(p for k, p in site_files(site).items() if k.endswith(".css"))
    stylesheet.write_text(stylesheet.read_text(encoding="utf-8") + "\n/* tonight */", encoding="utf-8")
    flaky = FlakyClient(real.client)
    done = publish_site(site, SiteBucket(bucket_url, client=flaky))
    assert sorted(done.uploaded) == sorted(["index.html", stylesheet.relative_to(site).as_posix()]) and done.deleted == [gone]
    kinds = [kind for kind, _ in flaky.calls]
    assert kinds == ["put", "put", "record", "delete", "record"]
    assert flaky.calls[1] == ("put", "atlas/index.html")  # the page after the asset it uses
    assert_mirrors(site, real)


def test_bad_locations_and_sites_say_so_in_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["publish", "--s3", "https://bucket/x", "--out", str(tmp_path)]) == 2
    assert capsys.readouterr().err.strip() == "error: https://bucket/x: an S3 location is s3://BUCKET or s3://BUCKET/PREFIX"
    assert main(["publish", "--s3", "s3://bucket/x", "--out", str(tmp_path / "none"), "--endpoint-url", "http://127.0.0.1:9"]) == 2
    assert "no built site here" in capsys.readouterr().err
