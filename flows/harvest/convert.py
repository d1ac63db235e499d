"""The converters: files the pure core cannot read from bytes alone (old Word, WPS, sheets, OFD,
RAR bundles, scans) turned into text pages by a tool, each in a subprocess that cannot hurt the night.

Every tool runs with a timeout, an address-space cap (RLIMIT_AS), a file-size cap (RLIMIT_FSIZE),
no network (a new network namespace, where the kernel lets us make one), in a throwaway
directory that is also its HOME and its LibreOffice profile, in its own process group that is
killed at the timeout or when the night stops. A hostile file (a .doc that hangs the converter, a
bomb, a member name that climbs out) is one report's clear failure, nothing else.

OCR runs once per file: its text is kept by the bytes' sha256 and the engine's version beside the
raw store (``data/ocr/``), page by page as pages are read, so a re-extraction never OCRs again, and a
night stopped half-way keeps what was OCR'd (the rest waits for the next night, and the night's
report says so). At most ``OCR_WORKERS`` OCR processes run at once across the night's threads.

Decisions where issue 29 is silent: .doc goes to antiword first (13 ms, exact) and to LibreOffice
when antiword refuses it or gives no text; .wps to LibreOffice (named .doc: LibreOffice reads the
MS binary base of Kingsoft's files); sheets (.xls, .xlsx, .et) to python-calamine, LibreOffice
(as CSV) when calamine is not installed; .rar to unar (names listed first with lsar: a member
outside the archive refuses the bundle, as for a .zip).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from flows.records import DEFERRED
from flows.run.stop import NIGHT
from parsers import Converted, NeedsTool, OcrInfo, UnreadableDocument, unsafe_member

MB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """What one conversion may take. LibreOffice maps some 1.5 GB of address space at start (its
    libraries), onnxruntime and the OCR models some 2 GB: the memory caps leave room for that and
    stop a bomb well before the machine does."""

    timeout: float = 120.0  # seconds for one file (OCR: for one page)
    memory: int = 3 * 1024 * MB
    ocr_memory: int = 4 * 1024 * MB
    file_size: int = 256 * MB  # the largest file a tool may write (its text, an unpacked member)
    max_members: int = 64
    max_pages: int = 200  # pages OCR'd for one file: a longer scan is not a township's report


LIMITS = Limits()
OCR_WORKERS = max(1, int(os.environ.get("FAZHI_OCR_WORKERS", "0")) or max(1, (os.cpu_count() or 2) // 2))
_OCR_POOL = threading.BoundedSemaphore(OCR_WORKERS)
OCR_DPI = 200  # as the pages of issue 29's measurements: 0.7 % CER with rapidocr


class ConversionFailed(UnreadableDocument):
    """A tool failed on a file (crashed, timed out, gave nothing): one report's failure."""


class Deferred(UnreadableDocument):
    """The night stopped while a tool was converting a file: the report waits for the next night,
    labelled with the tool that was stopped (the night's report counts them by tool)."""

    def __init__(self, message: str, tool: str = "OCR") -> None:
        super().__init__(message)
        self.needs = f"{tool} {DEFERRED}"


class OcrDeferred(Deferred):
    """The night stopped while a file was being OCR'd: what was read is kept, the rest waits."""

    def __init__(self, message: str) -> None:
        super().__init__(message, "OCR")



def tool_label(argv: list[str]) -> str:
    """What a stopped run was, as an operator names it: LibreOffice, OCR, antiword, python-calamine …"""
    name = Path(argv[0]).name
    if name in ("soffice", "libreoffice", "soffice.bin"):
        return "LibreOffice"
    if len(argv) > 3 and Path(argv[2]).name == "convert_worker.py":  # [python, -I, convert_worker.py, command, …]
        return {"ocr": "OCR", "sheet": "python-calamine", "ofd": "ofdkit"}.get(argv[3], argv[3])
    return {"lsar": "unar", "unar": "unar"}.get(name, name)


class ConversionStats:
    """How many tool runs this process made: the tests read ``ocr_pages`` to prove a
    re-extraction runs no OCR, the night's report the deferred OCR."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.ocr_pages = 0
        self.runs: dict[str, int] = {}

    def count(self, tool: str, pages: int = 0) -> None:
        with self.lock:
            self.runs[tool] = self.runs.get(tool, 0) + 1
            self.ocr_pages += pages


STATS = ConversionStats()


@lru_cache(maxsize=1)
def _netless_prefix() -> tuple[str, ...]:
    """`unshare --net` when this machine lets us make a network namespace (root, or user
    namespaces on): the tool then has no network at all; else nothing (the tools used open no
    connection when converting, and none is given a URL)."""
    unshare = shutil.which("unshare")
    if unshare is None:
        return ()
    for prefix in ((unshare, "--net"), (unshare, "--map-root-user", "--net")):
        try:
            if subprocess.run([*prefix, "true"], capture_output=True, timeout=10).returncode == 0:
                return prefix
        except (OSError, subprocess.SubprocessError):
            continue
    return ()


def _limit(memory: int, file_size: int) -> Callable[[], None]:
    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
        resource.setrlimit(resource.RLIMIT_FSIZE, (file_size, file_size))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    return apply


def run_tool(argv: list[str], workdir: Path, name: str, *, timeout: float, memory: int, file_size: int,
             stdout_name: str = "stdout.txt", env: dict[str, str] | None = None) -> tuple[int, Path]:
    """Run one tool confined (see the module's docstring); its exit code and the file its standard
    output went to. Killed, with its whole process group, at the timeout or when the night stops."""
    out = workdir / stdout_name
    clean_env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(workdir), "TMPDIR": str(workdir), "LANG": "C.UTF-8",
                 "LC_ALL": "C.UTF-8", "OMP_NUM_THREADS": "1", **(env or {})}
    tool = Path(argv[0]).name
    with open(out, "wb") as stdout:
        process = subprocess.Popen([*_netless_prefix(), *argv], cwd=workdir, stdin=subprocess.DEVNULL, stdout=stdout, stderr=subprocess.DEVNULL,
                                   env=clean_env, start_new_session=True, preexec_fn=_limit(memory, file_size))
        killed: list[str] = []

        def kill(why: str) -> None:
            killed.append(why)
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass

        with NIGHT.on_stop(lambda: kill("the night stopped")):
            try:
                code = process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                kill(f"it did not finish in {timeout:g} s")
                code = process.wait()
        try:  # what the tool left behind in its group (LibreOffice's helpers) goes too
            os.killpg(process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
    STATS.count(tool)
    if killed:
        if killed[0] == "the night stopped":
            label = tool_label(argv)
            raise Deferred(f"{name}: {label} stopped: {NIGHT.reason or 'the night stopped'}; the report waits for the next night", label)
        raise ConversionFailed(f"{name}: {tool} killed: {killed[0]} (a file that hangs the converter)")
    return code, out


def _text_of(path: Path) -> str:
    data = path.read_bytes() if path.exists() else b""
    for encoding in ("utf-8", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("utf-8", errors="replace")


def _worker(command: str, *args: str) -> list[str]:
    """The Python worker (flows/harvest/convert_worker.py) run as a script with this interpreter."""
    return [sys.executable, "-I", str(Path(__file__).with_name("convert_worker.py")), command, *args]


@lru_cache(maxsize=None)
def has_module(name: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(name) is not None


def libreoffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def page_modules_missing(fmt: str) -> list[str]:
    """What the OCR worker lacks to make images of this format's pages (the ocr extra): Pillow for
    every page, PDFium for a PDF's. Debian's tesseract alone reads no PDF: without these the worker
    failed (exit 1) and the night with it, where the report should be kept as unreadable."""
    needed = ["PIL", *(["pypdfium2"] if fmt == "pdf" else [])]
    return [module for module in needed if not has_module(module)]


@lru_cache(maxsize=1)
def ocr_engine() -> tuple[str, str] | None:
    """(engine, version) of the OCR this machine has: rapidocr (the `ocr` extra) first, Debian's
    tesseract with Simplified Chinese as the fallback, or None."""
    if has_module("rapidocr") and has_module("onnxruntime"):
        from importlib.metadata import version

        return "rapidocr", version("rapidocr")
    tesseract = shutil.which("tesseract")
    if tesseract:
        try:
            listed = subprocess.run([tesseract, "--list-langs"], capture_output=True, text=True, timeout=30)
            if "chi_sim" in listed.stdout:
                first = subprocess.run([tesseract, "--version"], capture_output=True, text=True, timeout=30).stdout.split("\n", 1)[0]
                return "tesseract", first.split()[-1] if first.split() else "unknown"
        except (OSError, subprocess.SubprocessError):
            return None
    return None


class OcrCache:
    """OCR'd pages kept by (sha256 of the file's bytes, engine, version), one JSON line a page,
    appended as each page is read: a night stopped half-way keeps its pages."""

    def __init__(self, root: Path | str | None) -> None:
        self.root = Path(root) if root is not None else None
        self.lock = threading.Lock()

    def path(self, sha256: str, engine: tuple[str, str]) -> Path | None:
        if self.root is None:
            return None
        tag = re.sub(r"[^A-Za-z0-9_.-]", "_", f"{engine[0]}-{engine[1]}")
        return self.root / sha256[:2] / f"{sha256}.{tag}.jsonl"

    def load(self, sha256: str, engine: tuple[str, str]) -> dict[int, tuple[str, float]]:
        path = self.path(sha256, engine)
        pages: dict[int, tuple[str, float]] = {}
        if path is None or not path.exists():
            return pages
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                row = json.loads(line)
                pages[int(row["page"])] = (str(row["text"]), float(row["confidence"]))
            except (ValueError, KeyError, TypeError):
                continue  # a line cut by a crash: that page is read again
        return pages

    def add(self, sha256: str, engine: tuple[str, str], page: int, text: str, confidence: float) -> None:
        path = self.path(sha256, engine)
        if path is None:
            return
        with self.lock:
            path.parent.mkdir(parents=True, exist_ok=True)
            with open(path, "a", encoding="utf-8") as handle:
                handle.write(json.dumps({"page": page, "text": text, "confidence": confidence}, ensure_ascii=False) + "\n")
                handle.flush()
                os.fsync(handle.fileno())


class Converters:
    """The shell's parsers.Converter: called by the core for a format it cannot read alone."""

    def __init__(self, ocr_cache: Path | str | None = None, limits: Limits = LIMITS) -> None:
        self.cache = OcrCache(ocr_cache)
        self.limits = limits

    def __call__(self, data: bytes, fmt: str, name: str, pages: tuple[int, ...] = ()) -> Converted:
        with tempfile.TemporaryDirectory(prefix="fazhi-convert-") as tmp:
            workdir = Path(tmp)
            if fmt == "doc":
                return self._doc(data, name, workdir)
            if fmt == "wps":
                return self._libreoffice(data, name, workdir, "doc", "txt:Text (encoded):UTF8", "txt")
            if fmt in ("xls", "xlsx", "et"):
                return self._sheet(data, fmt, name, workdir)
            if fmt == "ofd":
                return self._ofd(data, name, workdir)
            if fmt == "rar":
                return self._rar(data, name, workdir)
            if fmt in ("pdf", "image"):
                return self._ocr(data, fmt, name, pages or (0,), workdir)
        raise NeedsTool(name, fmt)

    def _run(self, argv: list[str], workdir: Path, name: str, **kw: object) -> tuple[int, Path]:
        return run_tool(argv, workdir, name, timeout=self.limits.timeout, memory=self.limits.memory, file_size=self.limits.file_size, **kw)  # type: ignore[arg-type]

    def _doc(self, data: bytes, name: str, workdir: Path) -> Converted:
        source = workdir / "input.doc"
        source.write_bytes(data)
        antiword = shutil.which("antiword")
        if antiword:
            code, out = self._run([antiword, "-m", "UTF-8.txt", "-w", "0", str(source)], workdir, name)
            text = _text_of(out)
            if code == 0 and text.strip():
                return Converted(pages=[text], tool="antiword")
        if libreoffice() is None:
            raise NeedsTool(name, "doc", "antiword refused it" if antiword else "")
        return self._libreoffice(data, name, workdir, "doc", "txt:Text (encoded):UTF8", "txt")

    def _libreoffice(self, data: bytes, name: str, workdir: Path, suffix: str, target: str, out_suffix: str) -> Converted:
        office = libreoffice()
        if office is None:
            raise NeedsTool(name, "wps" if suffix == "doc" else "et")
        source = workdir / f"lo-input.{suffix}"
        source.write_bytes(data)
        outdir = workdir / "out"
        profile = workdir / "profile"
        code, _ = self._run([office, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--invisible", "--norestore", "--nolockcheck",
                             "--nodefault", "--convert-to", target, "--outdir", str(outdir), str(source)], workdir, name)
        result = outdir / f"lo-input.{out_suffix}"
        if not result.exists():
            raise ConversionFailed(f"{name}: LibreOffice could not convert it (exit {code})")
        return Converted(pages=[_text_of(result)], tool="libreoffice")

    def _sheet(self, data: bytes, fmt: str, name: str, workdir: Path) -> Converted:
        if has_module("python_calamine"):
            source = workdir / f"input.{'xlsx' if fmt == 'xlsx' else 'xls'}"
            source.write_bytes(data)
            code, out = self._run(_worker("sheet", str(source)), workdir, name)
            if code == 0:
                return Converted(pages=json.loads(_text_of(out) or "[]"), tool="python-calamine")
            if libreoffice() is None:
                raise ConversionFailed(f"{name}: python-calamine could not read the sheet (exit {code})")
        if libreoffice() is None:
            raise NeedsTool(name, fmt)
        return self._libreoffice(data, name, workdir, "xlsx" if fmt == "xlsx" else "xls", "csv:Text - txt - csv (StarCalc):44,34,76", "csv")

    def _ofd(self, data: bytes, name: str, workdir: Path) -> Converted:
        if not has_module("ofdkit"):
            raise NeedsTool(name, "ofd")
        source = workdir / "input.ofd"
        source.write_bytes(data)
        code, out = self._run(_worker("ofd", str(source)), workdir, name)
        if code != 0:
            raise ConversionFailed(f"{name}: ofdkit could not read the .ofd (exit {code})")
        found = json.loads(_text_of(out))
        pages: list[str] = found["pages"]
        textless = tuple(i for i, page in enumerate(pages) if len("".join(page.split())) < 20)
        if not textless:
            return Converted(pages=pages, tool="ofdkit")
        # Pages without text are scans: OCR'd from the page images the .ofd holds.
        images: dict[str, str] = found["images"]  # page index → the member holding its scan
        wanted = tuple(i for i in textless if str(i) in images)
        if not wanted:
            return Converted(pages=pages, tool="ofdkit")
        ocr = self._ocr(data, "ofd", name, wanted, workdir)
        for index, text in zip(wanted, ocr.pages):
            pages[index] = text
        return Converted(pages=pages, ocr=ocr.ocr, tool="ofdkit")

    def _rar(self, data: bytes, name: str, workdir: Path) -> Converted:
        unar, lsar = shutil.which("unar"), shutil.which("lsar")
        if unar is None or lsar is None:
            raise NeedsTool(name, "rar")
        source = workdir / "input.rar"
        source.write_bytes(data)
        code, listing = self._run([lsar, "-j", "-e", "GBK", str(source)], workdir, name, stdout_name="listing.json")
        try:
            entries = json.loads(_text_of(listing)).get("lsarContents", [])
        except ValueError:
            entries = None
        if code != 0 or entries is None:
            raise ConversionFailed(f"{name}: not a readable .rar (lsar exit {code})")
        names = [str(e.get("XADFileName", "")) for e in entries if not e.get("XADIsDirectory")]
        for member in names:
            if unsafe_member(member):
                raise UnreadableDocument(f"{name}: the .rar has a member named {member!r} outside the archive (path traversal): refused")
        if len(names) > self.limits.max_members:
            raise UnreadableDocument(f"{name}: the .rar holds {len(names)} files (cap {self.limits.max_members}): refused")
        outdir = workdir / "members"
        outdir.mkdir()
        code, _ = self._run([unar, "-q", "-no-directory", "-force-overwrite", "-e", "GBK", "-o", str(outdir), str(source)], workdir, name)
        files = sorted(p for p in outdir.rglob("*") if p.is_file() and not p.is_symlink())
        if code != 0:
            raise ConversionFailed(f"{name}: unar could not unpack the .rar (exit {code}; a member past {self.limits.file_size:,} bytes is a bomb)")
        return Converted(members=[(str(p.relative_to(outdir)), p.read_bytes()) for p in files], tool="unar")

    def _ocr(self, data: bytes, fmt: str, name: str, pages: tuple[int, ...], workdir: Path) -> Converted:
        """OCR the pages asked (from the cache when they were read before), page by page, kept as
        read; the night's stop ends it with what was read kept."""
        engine = ocr_engine()
        missing = page_modules_missing(fmt)
        if engine is None or missing:
            why = "no OCR engine installed" if engine is None else f"{', '.join(missing)} not installed to turn its pages into images"
            raise NeedsTool(name, "pdf" if fmt == "pdf" else "image", f"{why}: pip install 'fazhi-atlas[ocr]'")
        if len(pages) > self.limits.max_pages:
            raise UnreadableDocument(f"{name}: {len(pages)} pages to OCR (cap {self.limits.max_pages}): not a township's report")
        sha = hashlib.sha256(data).hexdigest()
        done = self.cache.load(sha, engine)
        todo = [p for p in pages if p not in done]
        if todo:
            if NIGHT.stopped:
                raise OcrDeferred(f"{name}: OCR deferred: {NIGHT.reason}; {len(pages) - len(todo)} of {len(pages)} page(s) read, the rest waits for the next night")
            done.update(self._ocr_pages(data, fmt, name, todo, workdir, sha, engine))
        texts = [done[p][0] for p in pages]
        confidences = [done[p][1] for p in pages if done[p][0].strip()]
        mean = sum(confidences) / len(confidences) if confidences else 0.0
        return Converted(pages=texts, ocr=OcrInfo(engine=engine[0], version=engine[1], confidence=round(mean, 4), pages=len(pages)), tool=engine[0])

    def _ocr_pages(self, data: bytes, fmt: str, name: str, todo: list[int], workdir: Path, sha: str,
                   engine: tuple[str, str]) -> dict[int, tuple[str, float]]:
        source = workdir / f"ocr-input.{fmt}"
        source.write_bytes(data)
        result = workdir / "ocr.jsonl"
        argv = _worker("ocr", engine[0], fmt, str(source), str(result), str(OCR_DPI), ",".join(map(str, todo)))
        read: dict[int, tuple[str, float]] = {}
        with _OCR_POOL:
            try:
                code, _ = run_tool(argv, workdir, name, timeout=self.limits.timeout * len(todo), memory=self.limits.ocr_memory,
                                   file_size=self.limits.file_size)
            except Deferred as exc:
                self._keep(result, sha, engine, read)
                raise OcrDeferred(f"{str(exc).removesuffix('; the report waits for the next night')}; {len(read)} of {len(todo)} page(s) OCR'd and kept, the rest waits for the next night") from None
            except ConversionFailed:
                self._keep(result, sha, engine, read)
                raise
        self._keep(result, sha, engine, read)
        if code != 0 or len(read) < len(todo):
            raise ConversionFailed(f"{name}: OCR failed on {len(todo) - len(read)} of {len(todo)} page(s) (exit {code})")
        return read

    def _keep(self, result: Path, sha: str, engine: tuple[str, str], read: dict[int, tuple[str, float]]) -> None:
        """The pages the worker finished, into the cache (a last line cut by a kill is not one)."""
        if not result.exists():
            return
        for line in result.read_text(encoding="utf-8", errors="replace").splitlines():
            try:
                row = json.loads(line)
                page, text, confidence = int(row["page"]), str(row["text"]), float(row["confidence"])
            except (ValueError, KeyError, TypeError):
                continue
            if page not in read:
                read[page] = (text, confidence)
                self.cache.add(sha, engine, page, text, confidence)
                STATS.count("ocr-page", 1)


_BY_ROOT: dict[str, Converters] = {}
_BY_ROOT_LOCK = threading.Lock()


def converters_for(raw_root: Path | None) -> Converters:
    """The converters of a data directory: its OCR cache is ``ocr/`` beside the raw store
    (``data/ocr``), one Converters per directory."""
    key = str(raw_root)
    with _BY_ROOT_LOCK:
        if key not in _BY_ROOT:
            _BY_ROOT[key] = Converters(raw_root.with_name("ocr") if raw_root is not None else None)
        return _BY_ROOT[key]
