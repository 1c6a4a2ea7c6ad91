"""Zip archives from strangers (zipped Shapefiles, KMZ): checked before anything is unpacked.

Refused: an archive that is not a complete zip (truncated upload), member names that leave the
target folder (``../``, absolute paths, drive letters), links, too many members, and decompression
bombs (too many bytes unpacked in total, or an implausible compression ratio). Sizes are checked
against what is really unpacked, not only against what the archive's directory claims.
"""

from __future__ import annotations

import stat
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from .errors import IngestError

MAX_MEMBERS = 1000
MAX_TOTAL_BYTES = 4 * 1024**3   # unpacked, all members together
MAX_RATIO = 200                  # unpacked / packed, per member (text compresses ~10×)
_CHUNK = 1 << 20


@dataclass(frozen=True)
class ZipLimits:
    max_members: int = MAX_MEMBERS
    max_total_bytes: int = MAX_TOTAL_BYTES
    max_ratio: float = MAX_RATIO


def _safe_name(name: str) -> PurePosixPath:
    path = PurePosixPath(name.replace("\\", "/"))
    if path.is_absolute() or ".." in path.parts or (path.parts and ":" in path.parts[0]):
        raise IngestError(f"archive: member {name!r} points outside the archive's folder; refused")
    return path


def members(path: Path, limits: ZipLimits = ZipLimits()) -> list[zipfile.ZipInfo]:
    """The file members of a zip archive, after the structural checks (no unpacking yet)."""
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except zipfile.BadZipFile as exc:
        raise IngestError(f"{path.name}: not a complete zip archive ({exc}); the file may be truncated, "
                          f"upload it again") from None
    except OSError as exc:
        raise IngestError(f"{path.name}: cannot read the archive: {exc}") from None
    if len(infos) > limits.max_members:
        raise IngestError(f"{path.name}: {len(infos)} members in the archive, at most {limits.max_members}")
    files = []
    declared = 0
    for info in infos:
        _safe_name(info.filename)
        mode = info.external_attr >> 16
        if stat.S_ISLNK(mode):
            raise IngestError(f"archive: member {info.filename!r} is a symbolic link; refused")
        if info.is_dir():
            continue
        if info.flag_bits & 0x1:
            raise IngestError(f"archive: member {info.filename!r} is encrypted; unpack it first")
        declared += info.file_size
        if declared > limits.max_total_bytes:
            raise IngestError(f"{path.name}: unpacks to more than {limits.max_total_bytes // 1024**2} MB; refused")
        if info.compress_size and info.file_size / info.compress_size > limits.max_ratio:
            raise IngestError(f"archive: member {info.filename!r} expands {info.file_size / info.compress_size:.0f}× "
                              f"(at most {limits.max_ratio:.0f}×): refused as a decompression bomb")
        files.append(info)
    return files


def extract(path: Path, dest: Path, wanted: list[zipfile.ZipInfo],
            limits: ZipLimits = ZipLimits()) -> list[Path]:
    """Unpack ``wanted`` members into ``dest`` (flat: folders inside the archive are dropped),
    counting real bytes, so an archive whose directory lies about sizes is still stopped."""
    out = []
    total = 0
    try:
        with zipfile.ZipFile(path) as zf:
            for info in wanted:
                target = dest / _safe_name(info.filename).name
                written = 0
                with zf.open(info) as src, target.open("wb") as dst:
                    while chunk := src.read(_CHUNK):
                        written += len(chunk)
                        total += len(chunk)
                        if written > max(info.file_size, 0) + _CHUNK or total > limits.max_total_bytes:
                            raise IngestError(f"archive: member {info.filename!r} unpacks to more than it "
                                              f"declares or past {limits.max_total_bytes // 1024**2} MB; refused")
                        if info.compress_size and written / info.compress_size > limits.max_ratio:
                            raise IngestError(f"archive: member {info.filename!r} expands more than "
                                              f"{limits.max_ratio:.0f}×: refused as a decompression bomb")
                        dst.write(chunk)
                out.append(target)
    except (zipfile.BadZipFile, EOFError, zlib.error) as exc:
        raise IngestError(f"{path.name}: the archive is damaged ({exc}); it may be truncated, upload it again") from None
    except (OSError, RuntimeError, NotImplementedError) as exc:
        raise IngestError(f"{path.name}: cannot unpack the archive: {exc}") from None
    return out


def copy_limited(src, dst_path: Path, max_bytes: int) -> int:
    """Copy a file object to ``dst_path``; IngestError past ``max_bytes`` (upload size limit)."""
    n = 0
    with dst_path.open("wb") as dst:
        while chunk := src.read(_CHUNK):
            n += len(chunk)
            if n > max_bytes:
                raise IngestError(f"upload: larger than {max_bytes // 1024**2} MB (GISPLAN_MAX_UPLOAD_MB)")
            dst.write(chunk)
    return n

