"""`fazhi`: the command line. Thin: parse arguments, call the stage functions, print.

Every subcommand is a plain function (``cmd_nightly``, ``cmd_extract`` …) that can be called from
Python with the same arguments.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID

EXIT_OK, EXIT_FAILURES, EXIT_USAGE = 0, 2, 2

EXAMPLES = {
    "nightly": "examples:\n  fazhi nightly --demo\n  fazhi nightly --sources sources.yaml --data data --out public\n"
               "  fazhi nightly --sources sources.yaml --recheck\n  fazhi nightly --sources sources.yaml --provinces 50,53 --quiet\n"
               "  fazhi nightly --sources sources.yaml --deadline 3h\n\n"
               "exit status: 0 all went well; 2 a source failed (the rest is merged and published) or bad usage; 1 the run crashed;\n"
               "130 / 143 stopped by SIGINT / SIGTERM (what was harvested is merged; the release and the site wait for the next night;\n"
               "a second signal stops at once)",
    "extract": "examples:\n  fazhi extract report.docx\n  fazhi extract reports/ > records.jsonl\n"
               "  fazhi extract page.txt --url http://www.cqwx.gov.cn/jz/dhx/a.html --sources sources.yaml",
    "evaluate": "examples:\n  fazhi evaluate tests/gold tests/fixtures/seeds\n  fazhi evaluate ../shared/devset",
    "serve": "examples:\n  fazhi serve\n  fazhi serve --out public --port 8000",
    "schedule": "examples:\n  PREFECT_API_URL=http://127.0.0.1:4200/api fazhi schedule --sources sources.yaml\n"
                "  prefect deployment run fazhi-nightly/nightly     (trigger a run now)",
    "limits": "examples:\n  PREFECT_API_URL=http://127.0.0.1:4200/api fazhi limits --sources sources.yaml\n"
              "  prefect gcl ls     (see them, and their slots, in Prefect)",
    "releases": "examples:\n  fazhi releases --data data\n  fazhi releases archive --month 2026-12 --data data --out archive\n"
                "  fazhi releases prune --dry-run     (what the retention policy would remove, and why the rest is kept)\n"
                "  fazhi releases prune --data data\n\n"
                "retention: the latest; every release of the last 14 days; before that the last of each month; every version\n"
                "listed in releases/KEEP (one a line, # for comments: cited or archived releases)",
    "diff": "examples:\n  fazhi diff 2026.11.21 2026.11.22\n  fazhi diff 2026.11.22 2026.11.22.1 --data data",
    "verify": "examples:\n  fazhi verify\n  fazhi verify 2026.11.22 --data data",
    "build-site": "examples:\n  fazhi build-site --data data --out public",
    "state": "examples:\n  fazhi state restore --data data --github-release state      (in the nightly workflow, with GH_TOKEN)\n"
             "  fazhi state save --data data --github-release state\n"
             "  fazhi state save --data data --s3 s3://fazhi-state/nightly --endpoint-url https://s3.example.org\n\n"
             "exit status: 0 done (restore: also when nothing was saved yet); 2 refused or failed, with the part, object or file and why",
    "publish": "examples:\n  fazhi publish --s3 s3://fazhi-site/atlas --out public\n"
               "  fazhi publish --s3 s3://fazhi-site --endpoint-url https://oss-cn-hangzhou.aliyuncs.com --addressing-style virtual     (OSS)\n"
               "  fazhi publish --s3 s3://fazhi-site-1250000000 --endpoint-url https://cos.ap-shanghai.myqcloud.com     (Tencent Cloud COS)\n\n"
               "credentials: AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (or ~/.aws), as boto3 reads them; see docs/operating.md\n"
               "exit status: 0 published; 2 refused or failed (naming the file or bucket); run it again to resume",
    "reextract": "examples:\n  fazhi reextract\n  fazhi reextract --data data --sources sources.yaml\n  fazhi reextract --no-release --workers 1\n\n"
                 "exit status: 0 done (or nothing to do); 2 some revisions could not be read again (their earlier figures stay) or bad usage",
}
EXAMPLES["sources"] = (
    "examples:\n  fazhi sources import ../shared/portals/portals.csv\n  fazhi sources import portals.csv --sources sources.yaml --dry-run\n"
    "  fazhi sources status --data data\n  fazhi sources find http://www.example.gov.cn/ --budget 40\n\n"
    "exit status: 0 done; 2 bad input (the file and row, or the URL, named) or, for find, nothing found")
READABLE = (".txt", ".html", ".htm", ".docx", ".pdf", ".doc", ".wps", ".et", ".xls", ".xlsx", ".ofd", ".zip", ".rar", ".jpg", ".jpeg", ".png")
MAX_WAIT_SECONDS = 86_400.0  # build-site --wait: a day is longer than any night
MAX_WORKERS = 1024  # reextract --workers: refused above; above the cores, the cores are used
COMMAND_MIN_PART_LIMIT = 1 << 20  # state --part-limit: one object per few bytes is an upload per few bytes


def _quiet_prefect(verbose: bool) -> None:
    """Defaults for a clean console; an operator's own PREFECT_* settings win."""
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "INFO" if verbose else "WARNING")
    os.environ.setdefault("PREFECT_SERVER_LOGGING_LEVEL", "WARNING")
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")


def cmd_nightly(demo: bool, sources: Path | None, data: Path, out: Path, verbose: bool = False, recheck: bool = False,
                provinces: list[str] | None = None, quiet: bool = False, deadline: float | None = None,
                workers: int | None = None, *, formats: bool = False) -> int:
    """Run the nightly flow (``workers``: sources harvested at once, default harvest_workers());
    exit 2 when any source failed (what succeeded is still published; a report kept as unreadable is not a failure),
    1 when the run itself crashed, 128 + the signal's number when SIGTERM or SIGINT stopped it.
    The summary also goes to data/logs/."""
    if quiet and not verbose:  # failures only: the run report lists them; Prefect's own warnings stay in its API log
        os.environ.setdefault("PREFECT_LOGGING_LEVEL", "ERROR")
        logging.getLogger("urllib3").setLevel(logging.ERROR)  # a retry per refused connection: the failure line says it once
    _quiet_prefect(verbose)
    from flows.harvest.registry import SourcesError, load_sources
    from flows.nightly import DEFAULT_DEADLINE_SECONDS, harvest_threads, nightly
    from flows.records import RunSummary
    from flows.run.report import render_summary_lines
    from flows.run.stop import shield_temporary_server

    if not os.environ.get("PREFECT_API_URL"):
        from flows.run.prefecthome import prefect_database_problem

        if (problem := prefect_database_problem()) is not None:
            print(f"error: {problem}", file=sys.stderr)
            return EXIT_USAGE
        shield_temporary_server(data / "logs" / "prefect-server.log" if quiet else None)

    def run(sources_file: Path) -> object:
        with _progress(quiet), _console_without_tracebacks(verbose):
            try:
                night = nightly.with_options(task_runner=harvest_threads(workers)) if workers else nightly
                state = night(sources_file=sources_file, data_dir=data, out_dir=out, recheck=recheck, provinces=provinces,
                                deadline_seconds=deadline or DEFAULT_DEADLINE_SECONDS, stop_on_signals=True, return_state=True)
            except Exception as exc:  # Prefect itself could not run the flow (its server did not start): reported below
                if os.environ.get("FAZHI_TRACEBACK"):
                    raise
                return exc
        return state.result(raise_on_failure=False)

    from flows import nightly as nightly_module
    from flows.publish.site import SiteOutError, check_out_dir
    from flows.store.lock import DataDirError, DataLocked, data_lock

    try:
        if not demo:
            load_sources(sources or Path("sources.yaml"))  # a broken registry stops here, before Prefect starts
        check_out_dir(out, data)
        # Taken here, before Prefect starts, so that a lock wait ends in one line; the flow's own
        # data_lock passes through (share=True).
        with data_lock(data, wait_seconds=nightly_module.LOCK_WAIT_SECONDS, share=True):
            if demo:
                from flows.demo.server import FORMATS_PORTALS, FORMATS_SOURCES_TEMPLATE, demo_sources_yaml, serve_portals

                # The formats portal (a scanned PDF, a .doc, an .ofd, a .zip) is part of the demo night
                # (issue 29); ``formats`` is kept as a no-op for the scripts that pass --formats.
                with serve_portals() as portals, serve_portals(FORMATS_PORTALS) as extra, tempfile.TemporaryDirectory(prefix="fazhi-demo-") as tmp:
                    sources_file = Path(tmp) / "demo-sources.yaml"
                    registry = demo_sources_yaml(portals)
                    # the formats portal's source appended to the demo's list
                    registry = registry.rstrip("\n") + "\n" + demo_sources_yaml(extra, FORMATS_SOURCES_TEMPLATE).split("sources:\n", 1)[1]
                    sources_file.write_text(registry, encoding="utf-8")
                    _say(quiet, f"demo portals on {', '.join(p.base_url for p in [*portals.values(), *extra.values()])}")
                    result = run(sources_file)
            else:
                result = run(sources or Path("sources.yaml"))
    except (SourcesError, SiteOutError, DataDirError, DataLocked) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if (stopped := _stopped_by_signal(result, data)) is not None:
        return stopped
    if not isinstance(result, RunSummary):
        if (problem := environment_problem(result, data)) is not None:
            print(f"error: the nightly run stopped: {problem} (what was merged before is kept)", file=sys.stderr)
            return EXIT_USAGE
        print(f"error: the nightly run crashed: {result}", file=sys.stderr)
        return 1
    lines = render_summary_lines(result)
    log = _write_log(data, lines)
    for line in lines if not quiet else [line for line in lines if line.startswith(("失败", "待读", "延后", "  - "))]:
        print(line)
    _say(quiet, f"log: {log}")
    # A report that needs a tool not installed here is kept and counted (待读), not a failed night.
    return EXIT_FAILURES if any(not f.needs for f in result.failures) else EXIT_OK


def _stopped_by_signal(result: object, data: Path) -> int | None:
    """When a signal stopped the night: its summary to data/logs/, one line to stderr, and the
    shell's exit status for that signal (128 + its number); None when no signal came."""
    from flows.records import RunSummary
    from flows.run.report import render_summary_lines
    from flows.run.stop import NIGHT

    if NIGHT.signal is None:
        return None
    log = _write_log(data, render_summary_lines(result)) if isinstance(result, RunSummary) else None
    print(f"error: {NIGHT.reason}: what was harvested is merged and {data}/.lock is released; the release and the site are "
          f"left for the next night" + (f" (summary: {log})" if log else ""), file=sys.stderr)
    return 128 + NIGHT.signal


def _deadline(text: str) -> float:
    from flows.run.stop import parse_duration

    try:
        return parse_duration(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r}: at least 1")
    return value


def _bounded_seconds(text: str) -> float:
    """A wait in seconds: a finite number between 0 and one day (`nan`, `inf` and `1e308` waited
    forever)."""
    import math

    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not math.isfinite(value) or not 0 <= value <= MAX_WAIT_SECONDS:
        raise argparse.ArgumentTypeError(f"{text!r}: give a number of seconds from 0 to {MAX_WAIT_SECONDS:.0f}")
    return value


def _int_between(low: int, high: int | None, unit: str) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            value = int(text.replace(",", "").replace("_", ""))
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of {unit}") from None
        if value < low or (high is not None and value > high):
            raise argparse.ArgumentTypeError(f"{text}: give {unit} from {low:,}" + (f" to {high:,}" if high is not None else " up"))
        return value
    return parse


def environment_problem(error: object, data: Path | None = None) -> str | None:
    """One line for an error of the machine rather than of the code (disk full, read-only or
    forbidden folder, a store that can't be written), naming the file; None for anything else."""
    import errno
    import shutil
    import sqlite3

    if isinstance(error, shutil.Error):  # copytree gathers each file's error: a full disk shows as errors on copied files
        found = [e for e in (error.args[0] if error.args and isinstance(error.args[0], list) else []) if isinstance(e, tuple) and len(e) == 3]
        full = [e for e in found if "No space left on device" in str(e[2]) or "Disk quota exceeded" in str(e[2])]
        if full:
            return f"the disk is full: No space left on device writing {full[0][1]} ({len(full)} file(s) not copied)"
    if isinstance(error, OSError) and error.errno in (errno.ENOSPC, errno.EDQUOT):
        where = error.filename or data or "a file"  # a write() names no file: the data folder, not "a file"
        return f"the disk is full: {error.strerror} writing {where}"
    if isinstance(error, OSError) and error.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return f"{error.filename or data or 'a file'}: {error.strerror}"
    if isinstance(error, sqlite3.OperationalError) and any(s in str(error) for s in ("disk is full", "readonly", "unable to open")):
        return f"{data / 'fazhi.sqlite' if data else 'the store'}: {error}"
    if isinstance(error, sqlite3.OperationalError) and "disk I/O error" in str(error) and data is not None:
        # SQLite in WAL mode reports a full disk as an I/O error: say how much room is left
        return f"{data / 'fazhi.sqlite'}: {error} ({_free_bytes(data)} free on its disk)"
    return None


def _free_bytes(folder: Path) -> str:
    import shutil

    try:
        return f"{shutil.disk_usage(folder).free:,} bytes"
    except OSError:
        return "unknown bytes"


def _say(quiet: bool, line: str) -> None:
    if not quiet:
        print(line)


class _PlainProgress(logging.Handler):
    """Progress as plain lines (CI logs, pipes): a stage's start, every tenth of it, its end."""

    def emit(self, record: logging.LogRecord) -> None:
        done, total = record.__dict__["done"], record.__dict__["total"]
        if done in (0, total) or done * 10 // total != (done - 1) * 10 // total:
            state = "started" if done == 0 else "done" if done == total else f"{done}/{total}"
            print(f"· {record.__dict__['stage']}: {state}" + (f" ({total})" if total > 1 and done in (0, total) else ""), flush=True)


class _BarProgress(logging.Handler):
    """Progress as a rich bar per stage, in a terminal."""

    def __init__(self, progress: Progress) -> None:
        super().__init__()
        self.progress = progress
        self.tasks: dict[str, TaskID] = {}

    def emit(self, record: logging.LogRecord) -> None:
        stage, done, total = record.__dict__["stage"], record.__dict__["done"], record.__dict__["total"]
        if stage not in self.tasks:
            self.tasks[stage] = self.progress.add_task(stage, total=total)
        self.progress.update(self.tasks[stage], completed=done, total=total)


@contextlib.contextmanager
def _progress(quiet: bool) -> Iterator[None]:
    """Show the night's progress announcements (flows.run.progress) while the flow runs."""
    from flows.run.progress import LOGGER

    with contextlib.ExitStack() as stack:
        if not quiet:
            if sys.stdout.isatty():
                from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

                bar = stack.enter_context(Progress(TextColumn("{task.description:<24}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn()))
                handler: logging.Handler = _BarProgress(bar)
            else:
                handler = _PlainProgress()
            LOGGER.addHandler(handler)
            stack.callback(LOGGER.removeHandler, handler)
        yield


class _DropTraceback(logging.Filter):
    """Prefect logs a failed task's or flow's exception with its traceback; on the console, the
    run's own one line (and the run report) say what failed. Prefect's API log keeps them."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info:
            record.msg, record.args = f"{record.getMessage()} (--verbose shows the traceback)", None
        record.exc_info, record.exc_text = None, None
        return True


@contextlib.contextmanager
def _console_without_tracebacks(verbose: bool) -> Iterator[None]:
    """Unless --verbose: no traceback from Prefect's console handler during the run."""
    handlers = [] if verbose else [h for h in logging.getLogger().handlers if type(h).__name__ == "PrefectConsoleHandler"]
    drop = _DropTraceback()
    for handler in handlers:
        handler.addFilter(drop)
    try:
        yield
    finally:
        for handler in handlers:
            handler.removeFilter(drop)


def _write_log(data: Path, lines: list[str]) -> Path:
    from datetime import datetime

    folder = data / "logs"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"nightly-{datetime.now().strftime('%Y%m%dT%H%M%S')}.log"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _files(paths: Sequence[Path]) -> Iterator[Path]:
    for path in paths:
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in READABLE)
        else:
            yield path


def cmd_extract(paths: Sequence[Path], url: str | None = None, sources_path: Path | None = None) -> int:
    """Print one JSON record per file (JSON Lines for several); unreadable files: message and exit 2.

    ``url`` gives the file the context a fetched page has in the night: its address (the host is
    evidence for the county) and, with ``sources_path``, the source entry serving it (adcode, covers)."""
    from flows.harvest.convert import converters_for
    from flows.harvest.page_context import PageContextError, checked_url, with_page_context
    from flows.run.localfiles import LocalFileError, read_local_file
    from parsers import UnreadableDocument, extract_report, extractor_version, read_document

    sources = None
    try:
        if url is not None:
            checked_url(url)
        if sources_path is not None:
            from flows.harvest.registry import SourcesError, load_sources

            try:
                sources = load_sources(sources_path)
            except SourcesError as exc:
                raise PageContextError(str(exc)) from exc
    except PageContextError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    status = EXIT_OK
    convert = converters_for(None)  # .doc, .wps, .ofd, sheets, archives, scans: through the installed tools, no OCR cache
    for path in _files(paths):
        try:
            document, source = with_page_context(read_document(read_local_file(path), str(path), None, convert), url, sources)
            extraction = extract_report(document, source)
        except LocalFileError as exc:  # its message names the file
            print(f"error: {exc}", file=sys.stderr)
            status = EXIT_FAILURES
            continue
        except (OSError, UnreadableDocument, ValueError) as exc:
            print(f"error: {path}: {exc}", file=sys.stderr)
            status = EXIT_FAILURES
            continue
        record = {
            "extractor_version": extractor_version(),
            "report": extraction.report.model_dump(mode="json"),
            "observations": [o.model_dump(mode="json") for o in extraction.observations],
            "flags": [f.model_dump(mode="json") for f in extraction.flags],
            "values": [v.model_dump(mode="json") for v in extraction.values],
        }
        print(json.dumps(record, ensure_ascii=False))
    return status


def _labelled_url(path: Path) -> str | None:
    """The ``source_url`` of the ``.meta.json`` beside a text, when it is a page address."""
    from flows.evaluate.identity import LabelError, read_labels
    from parsers import web_url_problem

    meta = path.with_name(path.stem + ".meta.json")
    if not meta.is_file():
        return None
    try:
        url = read_labels(meta).get("source_url")
    except LabelError:
        return None  # the identification table names the bad file
    return url if isinstance(url, str) and web_url_problem(url) is None else None


def cmd_evaluate(gold: Path, text_dir: Path | None) -> int:
    """Precision, recall and F1 of the extractor on a hand-labelled gold set (a TRAINING score),
    its qualifier agreement, the unclassified counts (the reviewer's queue, not scored) and, where
    the gold gives them, the year's values."""
    from flows.evaluate.goldset import GoldSetError, load_gold_set
    from parsers import UnreadableDocument, evaluate, evaluate_canonical, extract_report, read_document, render_canonical, render_evaluation

    try:
        gold_set = load_gold_set(gold, text_dir)
    except GoldSetError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    from flows.harvest.page_context import with_page_context
    from flows.run.localfiles import LocalFileError, read_local_file

    observations, values = {}, {}
    for report in sorted(gold_set.scored):
        path = gold_set.texts[report]
        try:  # read as `extract` reads: a regular file under the cap (a 300 MB text took 1.9 GB of memory)
            # With the page's address from the .meta.json beside it, as the night knows it.
            extraction = extract_report(with_page_context(read_document(read_local_file(path), str(path)), _labelled_url(path))[0])
        except LocalFileError as exc:  # its message names the file
            print(f"error: {exc}", file=sys.stderr)
            return EXIT_USAGE
        except (OSError, UnreadableDocument) as exc:
            print(f"error: {path}: {exc}", file=sys.stderr)
            return EXIT_USAGE
        observations[report], values[report] = extraction.observations, extraction.values
    title = f"{gold}, {len(gold_set.scored)} township documents scored"
    print(render_evaluation(evaluate(gold_set.rows, observations, gold_set.scored), title))
    if gold_set.canonical:
        print(render_canonical(evaluate_canonical(gold_set.canonical, values)))
    folders = {path.parent for path in gold_set.texts.values()}
    for folder in sorted(folders):
        if any(folder.glob("*.meta.json")):  # identification labels beside the texts (the dev set's layout)
            from flows.evaluate.identity import LabelError, render_identification

            try:
                print()
                print(render_identification(folder, "TRAINING score"))
            except LabelError as exc:
                print(f"error: {exc}", file=sys.stderr)
                return EXIT_USAGE
    return EXIT_OK


def cmd_serve(out: Path, port: int) -> int:
    """Serve the built site on 127.0.0.1 for a preview."""
    import functools
    from http.server import ThreadingHTTPServer

    from flows.publish.preview import SiteHandler

    if not 0 <= port <= 65535:
        print(f"error: --port {port}: not a TCP port (0 to 65535; 0 picks a free one)", file=sys.stderr)
        return EXIT_USAGE
    if not (out / "index.html").exists():
        print(f"error: {out}/index.html not found: run `fazhi nightly --demo` (or `fazhi build-site`) first", file=sys.stderr)
        return EXIT_USAGE
    handler = functools.partial(SiteHandler, directory=str(out))
    try:
        server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    except OSError as exc:
        print(f"error: --port {port}: can't listen on 127.0.0.1:{port} ({exc.strerror or exc})", file=sys.stderr)
        return EXIT_USAGE
    with server:
        print(f"serving {out} on http://127.0.0.1:{server.server_address[1]}/ (Ctrl+C to stop)")
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
    return EXIT_OK


def cmd_archive(data: Path, month: str | None, out: Path) -> int:
    """The month's archival bundle (flows.release.archive), ready to deposit for a DOI."""
    from flows.release.archive import ArchiveError, archive_month
    from flows.release.versions import checked_manifest, latest_version

    releases = data / "releases"
    latest = latest_version(releases)
    if month is None:
        if latest is None:
            print(f"error: no release in {releases} to archive", file=sys.stderr)
            return EXIT_USAGE
        month = str(checked_manifest(releases, latest).get("released_on", ""))[:7]
    try:
        folder = archive_month(releases, month, out)
    except ArchiveError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    print(f"archive: {folder} (deposit its files; .zenodo.json holds the metadata)")
    return EXIT_OK


def cmd_releases(data: Path) -> int:
    """List the releases, oldest first; a release whose manifest is broken is named on stderr (exit 2)."""
    from flows.release.versions import ManifestError, checked_manifest, latest_version, list_versions, manifest_folders

    releases = data / "releases"
    latest = latest_version(releases)
    versions = list_versions(releases)
    broken = []
    for folder in manifest_folders(releases):
        try:
            checked_manifest(releases, folder.name)
        except ManifestError as exc:
            broken.append(str(exc))
    if not versions and not broken:
        print(f"no releases in {releases}")
        return EXIT_OK
    for version in versions:
        m = checked_manifest(releases, version)
        mark = "  (latest)" if version == latest else ""
        queued = m["counts"].get("unclassified")
        queue = f" ({queued} unclassified)" if isinstance(queued, int) else ""
        print(f"{version}  {m['created']}  {m['counts']['reports']} reports  {m['counts']['observations']} figures{queue}{mark}")
    for problem in broken:
        print(f"error: {problem}", file=sys.stderr)
    return EXIT_FAILURES if broken else EXIT_OK


def cmd_prune(data: Path, dry_run: bool = False) -> int:
    """Remove the releases the retention policy (flows.release.retention) does not keep; with
    ``dry_run`` only say what would go. Exit 2 when releases/KEEP is unreadable or the data folder
    is being written by a night."""
    from datetime import datetime, timezone

    from flows.release.retention import KeepListError, prune
    from flows.release.verify import verify_release
    from flows.release.versions import latest_version
    from flows.store.lock import DataDirError, DataLocked, data_lock

    releases = data / "releases"
    if not releases.is_dir():
        print(f"no releases in {releases}")
        return EXIT_OK
    try:
        with data_lock(data, wait_seconds=60.0, purpose="releases prune") if not dry_run else contextlib.nullcontext():
            done = prune(releases, datetime.now(timezone.utc), dry_run=dry_run)
    except (KeepListError, DataDirError, DataLocked) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    for decision in done.decisions:
        verb = "keep " if decision.kept else ("would prune " if dry_run else "pruned ")
        print(f"{verb}{decision.version}" + (f"  ({', '.join(decision.reasons)})" if decision.kept else ""))
    freed = f"{done.freed_bytes / 2**20:.1f} MB"
    print(f"{len(done.pruned)} release(s) {'would be ' if dry_run else ''}pruned, {len(done.kept)} kept; "
          f"{freed} {'would be ' if dry_run else ''}freed")
    if not dry_run and done.kept:
        latest = latest_version(releases) or done.kept[-1]  # what the next night cuts from: checked whole
        problems = verify_release(releases, latest)
        for problem in problems:
            print(f"error: {problem}", file=sys.stderr)
        if problems:
            return EXIT_FAILURES
    return EXIT_OK


def cmd_publish(out: Path, s3: str, endpoint_url: str | None = None, jobs: int | None = None, quiet: bool = False,
                addressing_style: str = "auto") -> int:
    """Upload the built site's changed files to an S3-compatible bucket (flows.publish.bucket)."""
    from flows.publish.bucket import JOBS, PublishError, SiteBucket, publish_site

    try:
        bucket = SiteBucket(s3, endpoint_url=endpoint_url, addressing_style=addressing_style)
        done = publish_site(out, bucket, jobs=jobs or JOBS,
                            progress=None if quiet else lambda sent, total: _say(quiet, f"sent {sent}/{total}"))
    except PublishError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    print(f"published {out} to {s3}: {len(done.uploaded)} uploaded, {len(done.copied)} copied in the bucket, {done.unchanged} unchanged, "
          f"{len(done.deleted)} deleted")
    return EXIT_OK


def cmd_diff(a: str, b: str, data: Path) -> int:
    """What changed between two releases: reports added, revised, withdrawn; figures old → new."""
    import csv

    from flows.release.changes import diff_folders
    from flows.run.localfiles import special_file

    releases = data / "releases"
    for version in (a, b):
        if Path(version).name != version or version in (".", ".."):
            print(f"error: {version[:80]!r} is not a release version (see `fazhi releases`)", file=sys.stderr)
            return EXIT_USAGE
        if not (releases / version / "reports.csv").exists():
            print(f"error: no release {version} in {releases} (see `fazhi releases`)", file=sys.stderr)
            return EXIT_USAGE
        folder = releases / version
        for path in sorted(folder.iterdir()):  # a FIFO in place of a table waited forever for a writer
            if kind := special_file(path):
                print(f"error: {path}: {kind}, not a file of a release", file=sys.stderr)
                return EXIT_USAGE
    try:
        lines = diff_folders(releases / a, releases / b, _withdrawn_ids(data))
    except (csv.Error, KeyError, ValueError, UnicodeDecodeError) as exc:  # a damaged table: one line naming the releases
        print(f"error: {releases / a} → {releases / b}: a table cannot be read ({type(exc).__name__}: {str(exc)[:200]})", file=sys.stderr)
        return EXIT_USAGE
    print(f"{a} → {b}: {len(lines)} change(s)")
    for line in lines:
        print(line)
    return EXIT_OK


def _withdrawn_ids(data: Path) -> set[str]:
    """Reports the store knows as withdrawn, so that `fazhi diff` says "withdrawn" rather than
    "gone" for a report that left the current tables (none without a store: a downloaded release)."""
    import sqlite3

    from flows.store.layout import DataLayout

    path = DataLayout(root=data).store_path
    if not path.is_file():
        return set()
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            return {row[0] for row in conn.execute("SELECT report_id FROM reports WHERE status = 'withdrawn'")}
        finally:
            conn.close()
    except sqlite3.Error:
        return set()


def cmd_verify(version: str | None, data: Path) -> int:
    from flows.release.verify import verify_release
    from flows.release.versions import latest_version

    releases = data / "releases"
    version = version or latest_version(releases)
    if version is None:
        print(f"error: no release in {releases}", file=sys.stderr)
        return EXIT_USAGE
    problems = verify_release(releases, version)
    if not problems:  # the files are the manifest's: now what they say, across tables (issue 26)
        from flows.release.checks import check_tables
        from flows.release.versions import read_manifest

        released = str(read_manifest(releases, version).get("released_on") or "")
        problems = check_tables(releases / version, int(released[:4]) if released[:4].isdigit() else None)
    for problem in problems:
        print(f"error: {problem}", file=sys.stderr)
    if not problems:
        print(f"{version}: every file matches its manifest, and the tables agree with each other")
    return EXIT_FAILURES if problems else EXIT_OK


def cmd_build_site(data: Path, out: Path, wait: float = 60.0) -> int:
    """Rebuild the site from the latest release, under the data lock a night holds (a build-site
    during a night's site step, or beside another build-site, waits, then fails in one line)."""
    from sitegen.build import SiteBuildError

    from flows.publish.site import SiteOutError, check_out_dir, publish_latest
    from flows.release.versions import latest_version
    from flows.store.layout import DataLayout
    from flows.store.lock import DataDirError, DataLocked, data_lock

    if not data.is_dir() or latest_version(data / "releases") is None:
        print(f"error: no release in {data / 'releases'} to build a site from", file=sys.stderr)
        return EXIT_USAGE
    try:
        check_out_dir(out, data)
        with data_lock(data, wait_seconds=wait, purpose="build-site"):
            built = publish_latest(DataLayout(root=data), out)
    except (SiteOutError, DataDirError, DataLocked, SiteBuildError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except OSError as exc:
        if (problem := environment_problem(exc, data)) is None:
            raise
        print(f"error: the site was not built: {problem}; the previous site is left as it was", file=sys.stderr)
        return EXIT_USAGE
    if built is None:
        print(f"error: no release in {data / 'releases'} to build a site from", file=sys.stderr)
        return EXIT_USAGE
    print(f"site: {built.path}/index.html")
    return EXIT_OK


def cmd_state(action: str, data: Path, github_release: str | None, s3: str | None, repo: str | None = None,
              endpoint_url: str | None = None, part_limit: int | None = None, force: bool = False) -> int:
    """Save the data directory (store, raw bytes by year, latest release) in parts under GitHub's
    2 GiB asset limit, or restore it before a night on a fresh machine."""
    from flows.publish.state import GITHUB_ASSET_LIMIT, StateError, backend_from, iter_report_lines, restore_state, save_state
    from flows.store.lock import DataLocked

    try:
        backend = backend_from(github_release, s3, repo=repo, endpoint_url=endpoint_url)
        if action == "restore":
            manifest = restore_state(data, backend, say=print)
            if manifest is not None:
                print(f"restored state {manifest.id} (saved {manifest.saved:%Y-%m-%d %H:%M} UTC) into {data}")
            return EXIT_OK
        manifest, reports = save_state(data, backend, part_limit=part_limit or GITHUB_ASSET_LIMIT, force=force)
    except (StateError, DataLocked, OSError) as exc:  # OSError: a full disk, an unreadable file; it names the file
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_FAILURES
    for line in iter_report_lines(reports):
        print(line)
    print(f"saved state {manifest.id} to {backend.describe()}")
    return EXIT_OK


def cmd_reextract(data: Path, sources: Path | None = None, workers: int | None = None, release: bool = True, quiet: bool = False) -> int:
    """Extract every stored revision again from the raw store when the extractor version changed
    (no network), then cut a release whose change log tells figures changed by the rules from
    figures changed by a new text. Holds the data lock, as a night does."""
    import sqlite3
    from datetime import datetime, timezone

    from flows.harvest.registry import SourcesError, load_sources
    from flows.reextract import reextract, stored_sources
    from flows.release.cut import cut_release
    from flows.release.versions import latest_version
    from flows.run.progress import announce
    from flows.store.database import open_store
    from flows.store.layout import DataLayout
    from flows.store.lock import DataLocked, data_lock

    layout = DataLayout(root=data)
    if not layout.store_path.exists():
        print(f"error: {layout.store_path}: no store here (run `fazhi nightly` first, or give --data)", file=sys.stderr)
        return EXIT_USAGE
    try:
        registry = {s.id: s for s in load_sources(sources)} if sources else None
    except SourcesError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    now = datetime.now(timezone.utc)
    cores = os.cpu_count() or 1  # more processes than cores only fight over them (64 forked on 2 cores)
    if workers and workers > cores and not quiet:
        print(f"note: {workers} workers asked, {cores} used (one per core)")
    try:
        with data_lock(data, wait_seconds=60), open_store(layout.store_path) as conn:
            entries = registry if registry is not None else stored_sources(conn)
            with _progress(quiet):
                done = reextract(conn, layout.raw(), now, entries, workers=workers or os.cpu_count() or 1,
                                 progress=lambda finished, total: announce("reextract", finished, total))
            cut = cut_release(conn, layout.releases, list(entries.values()), now) if release else None
    except DataLocked as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except (OSError, sqlite3.Error) as exc:  # a full disk: one line; what was committed before stays
        if (problem := environment_problem(exc, data)) is None:
            raise
        print(f"error: reextract stopped: {problem} (what was stored before is kept)", file=sys.stderr)
        return EXIT_USAGE
    if not quiet:
        if done.pending == 0:
            print(f"extractor {done.version}: every stored revision is already extracted with it")
        else:
            print(f"extractor {', '.join(v or 'unrecorded' for v in done.previous) or '?'} → {done.version}: {done.reextracted} of {done.pending} "
                  f"revision(s) extracted again in {done.seconds:.1f} s ({done.per_second:.0f}/s); year's values changed in {len(done.figures_changed)}, "
                  f"identification in {len(done.reidentified)}, normalised text in {done.texts_changed}")
        if release:
            print(f"release: {cut.version} in {cut.path}" if cut else f"release: nothing changed (latest: {latest_version(layout.releases) or 'none yet'})")
    for failure in done.failures:
        print(f"error: {failure.source_id}: {failure.reason}", file=sys.stderr)
    return EXIT_FAILURES if done.failures else EXIT_OK


def _needs_server(command: str) -> bool:
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    if os.environ.get("PREFECT_API_URL"):
        return False
    print(f"error: `fazhi {command}` needs a Prefect server: start one with `prefect server start` and set "
          "PREFECT_API_URL=http://127.0.0.1:4200/api (see the README)", file=sys.stderr)
    return True


def cmd_limits(sources: Path) -> int:
    """Create or update the per-host rate limits on the Prefect server (one per portal host)."""
    from flows.harvest.limits import limit_name, sync_host_limits
    from flows.harvest.registry import SourcesError, load_sources

    try:
        registry = load_sources(sources)
    except SourcesError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    for host, rate in sorted(sync_host_limits(registry).items()):
        print(f"{limit_name(host)}: 1 request per {1 / rate:g} s")
    return EXIT_OK


def cmd_schedule(sources: Path, data: Path, out: Path) -> int:
    """Set the per-host rate limits, then serve the nightly flow on its schedule (02:00
    Asia/Shanghai) until stopped."""
    if _needs_server("schedule"):
        return EXIT_USAGE
    from flows.nightly import serve_nightly

    if (status := cmd_limits(sources)) != EXIT_OK:
        return status
    serve_nightly(sources.resolve(), data.resolve(), out.resolve())
    return EXIT_OK


def _versions() -> str:
    from flows.release.provenance import code_version
    from parsers import extractor_version

    return f"fazhi {code_version()} (extractor {extractor_version()})"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="fazhi", description="Fazhi Atlas 法治地图: township rule-of-law reports, their figures, a dataset and a site.")
    parser.add_argument("--version", action="version", version=_versions(), help="print the code and extractor versions and exit")
    sub = parser.add_subparsers(dest="command", required=True)

    def add(name: str, help_text: str) -> argparse.ArgumentParser:
        return sub.add_parser(name, help=help_text, description=help_text, epilog=EXAMPLES[name], formatter_class=argparse.RawDescriptionHelpFormatter)

    p = add("nightly", "Run the nightly flow: discover, fetch, parse, extract, merge, release, build the site.")
    p.add_argument("--demo", action="store_true", help="serve the bundled demo government portals on 127.0.0.1 and run against them")
    p.add_argument("--formats", action="store_true", help="no longer needed, accepted as before: --demo always serves the formats portal "
                   "(a scanned PDF, a .doc, an .ofd, a .zip; docs/formats.md)")
    p.add_argument("--sources", type=Path, help="the sources registry (default: sources.yaml)")
    p.add_argument("--data", type=Path, default=Path("data"), help="data directory: store, raw bytes, releases (default: data)")
    p.add_argument("--out", type=Path, default=Path("public"),
                   help="where the built site goes: a new or empty folder, or a site fazhi built (default: public)")
    p.add_argument("--recheck", action="store_true", help="fetch stored reports again (conditional GET) to find revised and withdrawn ones")
    p.add_argument("--provinces", type=lambda v: v.split(","), help="one shard: comma-separated 2-digit province codes (none: sources without a code)")
    p.add_argument("--quiet", action="store_true", help="print failures only")
    p.add_argument("--verbose", action="store_true", help="show Prefect's own log lines")
    p.add_argument("--deadline", type=_deadline, default=None, metavar="DURATION",
                   help="sources not finished this long after the harvest began fail with that reason; the rest is merged "
                        "and published (e.g. 3h, 90m, 3600; default 4h)")
    p.add_argument("--workers", type=_positive_int, default=None, metavar="N",
                   help="sources harvested at once (default: $FAZHI_WORKERS, else 8 a core, at most 32)")

    p = add("extract", "Print the report record and figures of files (.txt, .html, .docx, .pdf; .doc, .wps, .et/.xls, .ofd, .zip, .rar and scans with the converters and the ocr extra) as JSON.")
    p.add_argument("paths", type=Path, nargs="+", metavar="FILE", help="files or directories")
    p.add_argument("--url", metavar="URL", help="the page's address, as the night knows it: its host is evidence for the county")
    p.add_argument("--sources", type=Path, metavar="SOURCES", help="a sources.yaml: the entry serving --url gives its adcode and covers")

    p = add("evaluate", "Score extraction against a gold set: precision, recall and F1 per indicator, misses and false hits; "
                        "the counts no indicator takes (unclassified, not scored), per report; "
                        "and identification (township, county, year, date, level, kind) where .meta.json labels lie beside the texts.")
    p.add_argument("gold", type=Path, metavar="GOLD",
                   help="a directory of <report>.jsonl (+ canonical.jsonl), a gold.jsonl, or a dev-set folder (gold.jsonl + reports/)")
    p.add_argument("text_dir", type=Path, nargs="?", metavar="TEXT_DIR",
                   help="the reports, as <report>.txt/.html/.docx/.pdf (default for a dev-set folder: its reports/)")

    p = add("serve", "Preview the built site on 127.0.0.1.")
    p.add_argument("--out", type=Path, default=Path("public"), help="the built site (default: public)")
    p.add_argument("--port", type=int, default=8000)

    p = add("schedule", "Serve the nightly flow as a Prefect deployment, scheduled at 02:00 Asia/Shanghai.")
    p.add_argument("--sources", type=Path, default=Path("sources.yaml"))
    p.add_argument("--data", type=Path, default=Path("data"))
    p.add_argument("--out", type=Path, default=Path("public"))

    p = add("limits", "Set one Prefect rate limit per portal host (shared by every worker), from the sources registry.")
    p.add_argument("--sources", type=Path, default=Path("sources.yaml"))

    p = add("releases", "List the dataset releases; `releases prune` removes those the retention policy does not keep; "
                        "`releases archive` bundles a month's last release for a DOI (Zenodo).")
    p.add_argument("action", nargs="?", choices=["list", "prune", "archive"], default="list",
                   help="list (default); prune; or archive: the month's bundle with .zenodo.json in --out")
    p.add_argument("--month", metavar="YYYY-MM", help="archive: the month to archive (default: the latest release's)")
    p.add_argument("--out", type=Path, default=Path("archive"), help="archive: where archive bundles go (default: archive)")
    p.add_argument("--data", type=Path, default=Path("data"))
    p.add_argument("--dry-run", action="store_true", help="prune: say what would be removed and why the rest is kept; remove nothing")

    p = add("publish", "Upload the built site to an S3-compatible bucket (S3, OSS, COS, MinIO): only the files changed since the last publish.")
    p.add_argument("--s3", required=True, metavar="s3://BUCKET/PREFIX", help="where the site goes")
    p.add_argument("--endpoint-url", metavar="URL", help="the object store's endpoint, for a store other than AWS")
    p.add_argument("--out", type=Path, default=Path("public"), help="the built site (default: public)")
    p.add_argument("--jobs", type=_positive_int, default=None, help="uploads at once (default 8)")
    p.add_argument("--addressing-style", choices=["auto", "virtual", "path"], default="auto",
                   help="bucket in the host name (virtual: Alibaba Cloud OSS needs it) or in the path (default: boto3's choice)")
    p.add_argument("--quiet", action="store_true", help="print the summary only")

    p = add("diff", "Show what changed between two releases: reports added, revised, withdrawn; figures old → new.")
    p.add_argument("a", metavar="A", help="the older release version")
    p.add_argument("b", metavar="B", help="the newer release version")
    p.add_argument("--data", type=Path, default=Path("data"))

    p = add("verify", "Check every file of a release against its manifest (default: the latest).")
    p.add_argument("version", nargs="?")
    p.add_argument("--data", type=Path, default=Path("data"))

    p = add("reextract", "Extract every stored report again from its stored bytes when the extraction rules changed, then cut a release.")
    p.add_argument("--data", type=Path, default=Path("data"), help="data directory: store, raw bytes, releases (default: data)")
    p.add_argument("--sources", type=Path, help="identify with these registry entries (default: those the last night recorded in the store)")
    p.add_argument("--workers", type=_int_between(1, MAX_WORKERS, "workers"),
                   help="processes that extract (default, and at most: one per core)")
    p.add_argument("--no-release", dest="release", action="store_false", help="re-extract only; the next night cuts the release")
    p.add_argument("--quiet", action="store_true", help="print failures only")

    p = add("build-site", "Build the site from the latest release.")
    p.add_argument("--data", type=Path, default=Path("data"))
    p.add_argument("--out", type=Path, default=Path("public"), help="a new or empty folder, or a site fazhi built (default: public)")
    p.add_argument("--wait", type=_bounded_seconds, default=60.0, metavar="SECONDS",
                   help="how long to wait for a night (or another build-site) to release the data (default: 60)")

    p = add("state", "Save the data directory between nights in parts under 2 GiB (store, raw bytes by year, latest release), or restore it.")
    p.add_argument("action", choices=["save", "restore"])
    p.add_argument("--data", type=Path, default=Path("data"))
    p.add_argument("--github-release", metavar="TAG", help="keep the parts as assets of this GitHub release (through the gh CLI)")
    p.add_argument("--repo", metavar="OWNER/REPO", help="the GitHub repository (default: $GITHUB_REPOSITORY, else the checkout's)")
    p.add_argument("--s3", metavar="s3://BUCKET/PREFIX", help="keep the parts in an S3-compatible bucket instead (needs the s3 extra)")
    p.add_argument("--endpoint-url", metavar="URL", help="the S3-compatible service, when it is not AWS")
    p.add_argument("--part-limit", type=_int_between(COMMAND_MIN_PART_LIMIT, None, "bytes"), metavar="BYTES",
                   help="largest chunk in bytes, at least 1 MiB (default: 2,000,000,000, under GitHub's 2 GiB)")
    p.add_argument("--force", action="store_true", help="save even when the saved state is not the one this directory was restored from")

    p = add("sources", "Widen and watch the registry: import candidate portals, find report columns, show each source's health.")
    actions = p.add_subparsers(dest="action", required=True)
    q = actions.add_parser("import", help="append a candidates CSV's rows as unchecked sources.yaml entries (listings derived by CMS layout)")
    q.add_argument("csv", type=Path, metavar="CSV", help="a candidates file like ../shared/portals/portals.csv")
    q.add_argument("--sources", type=Path, default=Path("sources.yaml"), help="the registry to append to (default: sources.yaml)")
    q.add_argument("--dry-run", action="store_true", help="print what would be added; change nothing")
    q = actions.add_parser("status", help="each source's health over the nights: last success, last error, items, nights since "
                                          "something new, and flags (stale, broken, robots, 412, off-host)")
    q.add_argument("--data", type=Path, default=Path("data"), help="data directory (default: data)")
    q.add_argument("--sources", type=Path, help="show these registry entries, in its order (default: every source the store has nights for)")
    q.add_argument("--stale-nights", type=int, default=None, metavar="N", help="flag a source with nothing new for N nights (default: 400)")
    q.add_argument("--flagged", action="store_true", help="only the sources with a flag")
    q = actions.add_parser("find", help="from any page of a portal (home page, article, township sub-site), find its report "
                                        "column(s) and print sources.yaml entries for them")
    q.add_argument("urls", nargs="+", metavar="URL", help="pages to start from (each walked on its own host)")
    q.add_argument("--budget", type=int, default=40, metavar="PAGES", help="pages read at most per start URL (default: 40)")
    q.add_argument("--adcode", help="the county (6-digit register code) of the publisher, when the site's name does not say it")
    q.add_argument("--name", help="the publisher's name for the entries (default: the site's name)")
    q.add_argument("--rate", type=float, default=1.0, help="requests per second to the portal (default: 1)")
    return parser


def cmd_sources(args: argparse.Namespace) -> int:
    if args.action == "import":
        return cmd_sources_import(args.csv, args.sources, args.dry_run)
    if args.action == "status":
        return cmd_sources_status(args.data, args.sources, args.stale_nights, args.flagged)
    if args.action == "find":
        return cmd_sources_find(args.urls, args.budget, args.adcode, args.name, args.rate)
    return EXIT_USAGE


def cmd_sources_find(urls: list[str], budget: int = 40, adcode: str | None = None, name: str | None = None, rate: float = 1.0) -> int:
    """Walk each portal from its start page and print the entries found, each with the path of links
    that led to it (YAML comments); exit 2 when a start URL is unusable or nothing was found."""
    from urllib.parse import urlsplit

    from flows.harvest.candidates import render_entries
    from flows.harvest.find import entries_for, find_columns
    from flows.harvest.http import HttpClient, resolves_to_loopback
    from parsers import county_name, web_url_problem

    if adcode is not None and county_name(adcode) is None:
        print(f"error: --adcode {adcode}: not a county code of the register (6 digits, 2023 codes)", file=sys.stderr)
        return EXIT_USAGE
    if not 1 <= budget <= 1000:
        print(f"error: --budget {budget}: between 1 and 1000 pages", file=sys.stderr)
        return EXIT_USAGE
    status = EXIT_OK
    for url in urls:
        problem = web_url_problem(url)
        if problem:
            print(f"error: {url[:200]}: not a page URL: {problem}", file=sys.stderr)
            status = EXIT_USAGE
            continue
        # loopback only when the start itself is on loopback (a test or demo portal), as the night allows it
        client = HttpClient(allow_private=resolves_to_loopback(urlsplit(url).hostname or ""))
        result = find_columns(client, url, budget=budget, rate=rate)
        entries = entries_for(result, adcode, name)
        print(f"# {url}: {result.pages} page(s) read, {len(entries)} column(s) found"
              + ("" if result.adcode or adcode else "; county not named by the site: give --adcode"))
        for found, entry in zip(result.found, entries):
            print(f"#   {entry['listing'][0]}: {' → '.join(found.path) or '(the start page)'}")  # type: ignore[index]
        if entries:
            print(render_entries(entries, f"found from {url}").rstrip("\n"))
        else:
            for error in result.errors[:5]:
                print(f"#   error: {error}")
            status = EXIT_USAGE
    return status


def cmd_sources_status(data: Path, sources: Path | None = None, stale_nights: int | None = None, flagged: bool = False) -> int:
    """One block per source: checked or not, last success and error, items last night against the
    usual, nights since something new, reports per year, flags. Exit 0 (2: no store, bad registry)."""
    from flows import store
    from flows.harvest.registry import SourcesError, load_sources
    from flows.store.layout import DataLayout

    layout = DataLayout(root=data)
    if not layout.store_path.is_file():
        print(f"error: {layout.store_path}: no store here (run a night first, or give --data)", file=sys.stderr)
        return EXIT_USAGE
    try:
        registry = load_sources(sources) if sources else None
    except SourcesError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    with store.open_store(layout.store_path) as conn:
        statuses = store.source_status(conn, registry, stale_nights or store.STALE_NIGHTS)
    shown = [s for s in statuses if s.flags or not flagged]
    for s in shown:
        checked = f"checked {s.checked_on[:10]}" if s.checked_on else "checked" if s.checked else "unchecked"
        items = "-" if s.items_last is None else f"{s.items_last}" + (f" (usually {s.items_usual})" if s.items_usual is not None else "")
        years = ", ".join(f"{y}: {n}" for y, n in sorted(s.years.items())) or "none"
        print(f"{s.source_id}  [{checked}; {s.nights} night(s)]")
        print(f"  last success: {s.last_success or 'never'}; last error: "
              + (f"{s.last_error_on} {s.last_error}" if s.last_error else "none"))
        print(f"  items last night: {items}; nights since something new: {s.nights_since_new if s.nights_since_new is not None else '-'};"
              f" newest: {s.newest or '-'}; reports by year: {years}")
        if s.listing_found:
            print(f"  listing found by the night: {s.listing_found} (add it to the entry's listing)")
        if s.flags:
            print(f"  flags: {'; '.join(s.flags)}")
    print(f"{len(statuses)} source(s), {sum(1 for s in statuses if s.flags)} flagged, "
          f"{sum(1 for s in statuses if s.checked)} checked")
    return EXIT_OK


def cmd_sources_import(csv_path: Path, sources: Path, dry_run: bool = False) -> int:
    """Candidates → unchecked entries appended to the registry; a summary of what was added and why
    the rest was not."""
    from flows.harvest.candidates import CandidatesError, import_candidates
    from flows.harvest.registry import SourcesError

    try:
        result = import_candidates(csv_path, sources, dry_run=dry_run)
    except (CandidatesError, SourcesError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    plan = result.plan
    with_listing = sum(1 for e in plan.entries if "listing" in e)
    verb = "added to" if result.written else "would be added to" if dry_run else "added to"
    print(f"{len(plan.entries)} entries {verb} {sources}: {with_listing} with a derived listing, "
          f"{len(plan.entries) - with_listing} to be found (find_from); all checked: false")
    print("rows with a derived listing, by family: " + (", ".join(f"{k} {v}" for k, v in plan.derived.most_common()) or "none")
          + f"; rows without one: {plan.unresolved}")
    for line in plan.skipped:
        print(f"  skipped: {line}")
    for line in plan.disagreements:
        print(f"  note: {line}")
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; bad input it did not foresee still ends in one line and exit 2, not a
    traceback (FAZHI_TRACEBACK=1 shows the traceback, for a developer)."""
    args = build_parser().parse_args(argv)
    try:
        return _run_command(args)
    except (OSError, ValueError) as exc:
        if os.environ.get("FAZHI_TRACEBACK"):
            raise
        where = f"{exc.filename}: " if isinstance(exc, OSError) and exc.filename else ""
        print(f"error: fazhi {args.command}: {where}{exc.strerror if isinstance(exc, OSError) and exc.strerror else exc}".splitlines()[0],
              file=sys.stderr)
        return EXIT_USAGE


def _run_command(args: argparse.Namespace) -> int:
    if args.command == "nightly":
        return cmd_nightly(args.demo, args.sources, args.data, args.out, args.verbose, args.recheck, args.provinces, args.quiet, args.deadline,
                           args.workers, formats=args.formats)
    if args.command == "extract":
        return cmd_extract(args.paths, args.url, args.sources)
    if args.command == "evaluate":
        return cmd_evaluate(args.gold, args.text_dir)
    if args.command == "serve":
        return cmd_serve(args.out, args.port)
    if args.command == "schedule":
        return cmd_schedule(args.sources, args.data, args.out)
    if args.command == "limits":
        return EXIT_USAGE if _needs_server("limits") else cmd_limits(args.sources)
    if args.command == "releases":
        if args.action == "archive":
            return cmd_archive(args.data, args.month, args.out)
        return cmd_prune(args.data, args.dry_run) if args.action == "prune" else cmd_releases(args.data)
    if args.command == "publish":
        return cmd_publish(args.out, args.s3, args.endpoint_url, args.jobs, args.quiet, args.addressing_style)
    if args.command == "diff":
        return cmd_diff(args.a, args.b, args.data)
    if args.command == "verify":
        return cmd_verify(args.version, args.data)
    if args.command == "state":
        return cmd_state(args.action, args.data, args.github_release, args.s3, args.repo, args.endpoint_url, args.part_limit, args.force)
    if args.command == "reextract":
        return cmd_reextract(args.data, args.sources, args.workers, args.release, args.quiet)
    if args.command == "sources":
        return cmd_sources(args)
    return cmd_build_site(args.data, args.out, args.wait)


if __name__ == "__main__":
    raise SystemExit(main())
