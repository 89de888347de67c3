"""The watched folder's layout and the moves of a file through it.

```
INBOX/             staff drop scans here (subfolders too)
INBOX/processing/  taken: being processed (what a restart finishes)
INBOX/done/        processed (ok, partial, or the same bytes as an earlier drop)
INBOX/failed/      refused or failed, with <name>.error.txt saying why
INBOX/reports/     the report files (default; they are also in the database)
```

Every move is a rename within one file system, so a file is always in exactly
one of these places, whatever moment the process is killed at.
"""

from __future__ import annotations

import logging
import os
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.report_io import write_text_atomically

logger = logging.getLogger(__name__)

PROCESSING, DONE, FAILED, REPORTS = "processing", "done", "failed", "reports"
RESERVED = frozenset({PROCESSING, DONE, FAILED, REPORTS})
# Names scanners, browsers and copy tools give a file while still writing it; it is renamed when complete.
IN_PROGRESS_SUFFIXES = frozenset({".part", ".partial", ".tmp", ".temp", ".crdownload", ".download", ".filepart"})
ERROR_SUFFIX = ".error.txt"
SCAN_SUFFIXES = frozenset({".pdf", ".tif", ".tiff", ".png", ".jpg", ".jpeg", ".bmp"})
"""What a scan's file name ends in (the format itself is read from the bytes)."""
# Most file systems allow 255 bytes per name; room is kept for " (2)" and the .error.txt beside a failed file.
MAX_NAME_BYTES = 200


@dataclass(frozen=True)
class Inbox:
    """A watched folder: where files are dropped, and the folders they move through."""

    root: Path
    reports: Path

    @classmethod
    def at(cls, root: Path, reports: Path | None = None) -> Inbox:
        """The inbox at ``root``, its reports in ``reports`` (default ``root/reports``)."""
        root = root.resolve()
        return cls(root=root, reports=(reports or root / REPORTS).resolve())

    @property
    def processing(self) -> Path:
        return self.root / PROCESSING

    @property
    def done(self) -> Path:
        return self.root / DONE

    @property
    def failed(self) -> Path:
        return self.root / FAILED

    def prepare(self) -> None:
        """Create the folders (all on the inbox's file system, so that moves are renames)."""
        for folder in (self.root, self.processing, self.done, self.failed, self.reports):
            folder.mkdir(parents=True, exist_ok=True)

    def dropped(self) -> Iterator[Path]:
        """Files waiting in the inbox (subfolders too, not ours), skipping hidden and still-being-written names."""
        yield from _files(self.root, skip_top=RESERVED, keep=_is_dropped)

    def filed(self) -> Iterator[Path]:
        """What was filed in ``done/`` and ``failed/``: scans, and refused links (not the ``.error.txt`` files)."""
        for folder in (self.done, self.failed):
            yield from _files(folder, skip_top=frozenset(), keep=_is_filed_scan)

    def claimed(self) -> list[Path]:
        """Files in ``processing/``: taken by a run that may have been stopped."""
        return sorted(_files(self.processing, skip_top=frozenset(), keep=lambda _: True))

    def name_of(self, path: Path) -> str:
        """The name a file was dropped under: its path relative to the inbox (or to ``processing/``)."""
        base = self.processing if path.is_relative_to(self.processing) else self.root
        return path.relative_to(base).as_posix()

    def claim(self, path: Path) -> Path | None:
        """Take a dropped file: move it into ``processing/``; None when it is gone (taken by another).

        It keeps the name it was dropped under, made storable (see :func:`storable_name`) where that name could not
        be carried through the database, the report's name and the ``.error.txt`` beside it.
        """
        target = _free_name(self.processing / storable_name(self.name_of(path)))
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            os.rename(path, target)
        except FileNotFoundError:
            return None
        _remove_empty_parents(path.parent, self.root)
        return target

    def receive(self, name: str, chunks: Iterable[bytes], max_bytes: int) -> Received:
        """Put a scan uploaded as ``name`` into the inbox: written in full under an in-progress name, then linked
        to a free name (never overwriting), so the watcher never takes half a file. On a share without hard links
        the free name is reserved (created empty, exclusively) and the upload renamed over it.

        Raises:
            ValueError: ``name`` has no usable file name or is not a scan's, or the upload is larger than
                ``max_bytes``.
        """
        target_name = upload_name(name)
        if Path(target_name).suffix.lower() not in SCAN_SUFFIXES:
            raise ValueError(f"只接受扫描件：{'、'.join(sorted(SCAN_SUFFIXES))}")
        self.root.mkdir(parents=True, exist_ok=True)
        handle, temp_name = tempfile.mkstemp(prefix=".upload-", suffix=".part", dir=self.root)
        temp = Path(temp_name)
        try:
            size = 0
            with os.fdopen(handle, "wb") as stream:
                for chunk in chunks:
                    size += len(chunk)
                    if size > max_bytes:
                        raise ValueError(f"文件超过 {max_bytes // 2**20} MB 上限 (file larger than the limit)")
                    stream.write(chunk)
                stream.flush()
                os.fsync(stream.fileno())
            while True:  # os.link refuses an existing name: no overwrite, even against a concurrent upload
                target = _free_name(self.root / target_name)
                try:
                    _place_new(temp, target)
                except FileExistsError:
                    continue
                # The size as counted here: the watcher may take the file from the inbox at any moment now.
                return Received(path=target, size=size)
        finally:
            temp.unlink(missing_ok=True)

    def file_away(self, claimed: Path, failed: bool, error_text: str | None = None) -> Path:
        """Move a processed file to ``done/`` or ``failed/`` (beside its ``.error.txt``, written first)."""
        destination = _free_name((self.failed if failed else self.done) / self.name_of(claimed))
        destination.parent.mkdir(parents=True, exist_ok=True)
        if failed and error_text is not None:
            write_text_atomically(error_file(destination), error_text)
        os.rename(claimed, destination)
        _remove_empty_parents(claimed.parent, self.processing)
        return destination


@dataclass(frozen=True)
class Received:
    """An upload put into the inbox: where, and how many bytes."""

    path: Path
    size: int


def error_file(filed: Path) -> Path:
    """The ``.error.txt`` beside a scan filed in ``failed/``: why it failed."""
    return filed.with_name(filed.name + ERROR_SUFFIX)


def _place_new(source: Path, target: Path) -> None:
    """``source``'s file also at ``target``, which must not exist (``FileExistsError`` if it does)."""
    try:
        os.link(source, target)
    except FileExistsError:
        raise
    except OSError:
        # A share without hard links (SMB, some NAS): reserve the name exclusively, then rename over it.
        os.close(os.open(target, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
        os.replace(source, target)


def upload_name(name: str) -> str:
    """A safe bare file name for an uploaded ``name``: no folders, no control characters, not hidden.

    Raises:
        ValueError: Nothing usable is left.
    """
    bare = name.replace("\\", "/").rsplit("/", 1)[-1]
    bare = "".join(char for char in bare if char.isprintable()).strip().lstrip(".~$").strip()
    if not bare or len(bare.encode("utf-8")) > MAX_NAME_BYTES:
        raise ValueError(f"文件名不可用 (unusable file name: {name!r})")
    return bare


def storable_name(name: str) -> str:
    """``name`` (a path relative to the inbox) as it can be kept: UTF-8, printable, each part short enough.

    - A name in a legacy encoding (GBK from an old Windows PC or a ZIP, which Linux hands over as undecodable
      bytes) is read as GB 18030, or with its undecodable bytes replaced where it is not that either.
    - Control characters (a newline) become ``_``.
    - A part longer than ``MAX_NAME_BYTES`` is cut (at a character) and marked with ``…``, keeping its suffix:
      the file system's 255 bytes must still hold `` (2)``, ``.error.txt`` and the report's ``.<hash>.json``.
    """
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        raw = os.fsencode(name)
        try:
            name = raw.decode("gb18030")
        except UnicodeDecodeError:
            name = raw.decode("utf-8", errors="replace")
    parts = ["".join(char if char.isprintable() else "_" for char in part) for part in name.split("/")]
    return "/".join(_shortened(part) for part in parts)


def _shortened(part: str) -> str:
    if len(part.encode("utf-8")) <= MAX_NAME_BYTES:
        return part
    suffix = Path(part).suffix if len(Path(part).suffix.encode("utf-8")) <= 16 else ""
    room = MAX_NAME_BYTES - len(suffix.encode("utf-8")) - len("…".encode())
    stem = part[: len(part) - len(suffix)].encode("utf-8")[:room].decode("utf-8", errors="ignore")
    return f"{stem}…{suffix}"


def _is_filed_scan(path: Path) -> bool:
    return not path.name.endswith(ERROR_SUFFIX)  # links, pipes and devices that were refused, too


def _is_dropped(path: Path) -> bool:
    return not path.name.startswith((".", "~$")) and path.suffix.lower() not in IN_PROGRESS_SUFFIXES


def _files(root: Path, skip_top: frozenset[str], keep: Callable[[Path], bool]) -> Iterator[Path]:
    """Files (and symbolic links, which are refused later, never followed) under ``root``."""
    try:
        entries = list(os.scandir(root))
    except FileNotFoundError:
        return
    for entry in entries:
        path = Path(entry.path)
        if entry.is_dir(follow_symlinks=False):
            if entry.name not in skip_top and not entry.name.startswith("."):
                yield from _files(path, frozenset(), keep)
        elif keep(path):
            yield path


def _free_name(path: Path) -> Path:
    """``path``, or ``name (2).ext``, ``name (3).ext``… if taken: a move never overwrites a file."""
    candidate, number = path, 2
    while candidate.exists() or candidate.is_symlink():
        candidate = path.with_name(f"{path.stem} ({number}){path.suffix}")
        number += 1
    return candidate


def _remove_empty_parents(folder: Path, stop: Path) -> None:
    while folder != stop and folder.is_relative_to(stop):
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent


@dataclass
class Settling:
    """Tells when a file is complete: its size and modification time unchanged for ``seconds``.

    A scanner writing to a share pauses between pages; a file is taken only once
    it has been still for the whole settle time.
    """

    seconds: float
    clock: Callable[[], float] = time.monotonic
    _seen: dict[Path, tuple[tuple[int, int], float]] = field(default_factory=dict)

    def ready(self, paths: Iterator[Path] | list[Path]) -> list[Path]:
        """Of the files now in the inbox, those that have been still long enough (forgets vanished ones)."""
        now = self.clock()
        current: dict[Path, tuple[tuple[int, int], float]] = {}
        ready: list[Path] = []
        for path in paths:
            try:
                stat = path.lstat()
            except FileNotFoundError:
                continue
            signature = (stat.st_size, stat.st_mtime_ns)
            previous = self._seen.get(path)
            since = previous[1] if previous is not None and previous[0] == signature else now
            current[path] = (signature, since)
            if now - since >= self.seconds:
                ready.append(path)
        self._seen = current
        return sorted(ready)
