"""Publishing a built edition: swap it in without a gap, readable by others, recoverable after a crash.

A build makes its edition in a staging folder beside the published one
(`build/<year>/.<slug>-XXXXXXXX`, made by `mkdtemp`, so private: 0700). `publish`
then

1. makes the staged tree readable as any new folder or file would be: folders
   0o777 and files 0o666 less the umask (0755/0644 with the usual umask 022), so
   a web server's user can read the edition the moment it appears;
2. swaps it in. Where the file system can (Linux `renameat2(RENAME_EXCHANGE)`:
   ext4, xfs, btrfs, tmpfs, ...), the two folders trade places in one step and
   the edition's name never points at nothing. Where it cannot (e.g. NFS, FUSE,
   some network and overlay file systems, other systems than Linux), two renames
   are needed: the published folder becomes `.<slug>.oud`, then the staged one
   takes its name, then the old one is removed.

In that fallback the name is missing for the moment between the two renames (two
system calls). A failure of the second rename puts the old folder back at once.
A kill in that moment leaves `.<slug>.oud` behind, and that folder is the
journal: `recover`, called at the start of every build of the year under the
year's lock, renames it back when the edition is missing, and removes it when the
new edition did make it. So after any crash the next start publishes the last
good edition again, without a build. (A slug has no '.', so `.<slug>.oud` never
looks like another edition's staging folder `.<slug>-XXXXXXXX`.)

Why not publish through a symlink that is replaced atomically (rename of a new
link over the old one)? It closes that moment on every file system, but then every
published edition is a link to a hidden folder, on every file system, for the
sake of a few: copying, zipping or rsyncing `build/` and web servers that do not
follow links would all see something else than a folder. The exchange covers the
usual file systems without a gap; the journal makes the rest safe after a crash.
"""

from __future__ import annotations

import ctypes
import errno
import json
import os
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import paths
from ..paths import OLD_SUFFIX, old_copy

if TYPE_CHECKING:
    from ..edition import Edition

__all__ = ["OLD_SUFFIX", "make_readable", "old_copy", "publish", "recover", "umask", "write_manifest"]
_RENAME_EXCHANGE = 2
_AT_FDCWD = -100
# What renameat2 answers where the file system (or the system) cannot exchange two names.
_UNSUPPORTED = {errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP, errno.ENOTSUP, errno.EXDEV}


def publish(staging: Path, final: Path) -> None:
    """Put the staged edition where `final` is, readable by others; the old one stays until then.

    After an exchange `staging` holds the previous edition; the caller removes it.
    """
    staging, final = Path(staging), Path(final)
    make_readable(staging)
    if not final.exists():
        os.rename(staging, final)
    elif not _exchange(staging, final):
        _swap_by_renames(staging, final)


def _swap_by_renames(staging: Path, final: Path) -> None:
    """The fallback without exchange: old aside (the journal), new in place, old removed."""
    old = old_copy(final)
    if old.exists():  # an earlier swap's leftover that `recover` did not see: final is whole
        shutil.rmtree(old)
    os.rename(final, old)
    try:
        os.rename(staging, final)
    except BaseException:
        os.rename(old, final)  # put the last good edition back; if even that fails, `recover` will
        raise
    shutil.rmtree(old, ignore_errors=True)


def recover(year_out: Path) -> list[Path]:
    """After a crash mid-swap: put back every edition of which only the old copy is left.

    Call it under the year's lock, before anything else touches the year's
    folder. Returns the editions that were put back.
    """
    restored = []
    for old, final in paths.old_copies(year_out):
        if final.exists():  # the new edition made it; the old one was not yet removed
            shutil.rmtree(old)
        else:
            os.rename(old, final)
            restored.append(final)
    return restored


def _exchange(a: Path, b: Path) -> bool:
    """Linux renameat2(RENAME_EXCHANGE): swap two paths atomically; False where unsupported."""
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):  # not Linux, or a C library without it
        return False
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in _UNSUPPORTED:
        return False
    raise OSError(code, os.strerror(code), str(b), None, str(a))


def umask() -> int:
    """This process's umask, read without changing it where Linux allows."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def make_readable(tree: Path) -> None:
    """Folders 0o777 and files 0o666, less the umask: as if made with the usual modes.

    `mkdtemp` makes the staging folder 0700, and files copied from the cache keep
    the cache's modes; a published edition must be readable by a web server's user.
    Links are left alone (their own mode means nothing on Linux).
    """
    mask = umask()
    folder_mode, file_mode = 0o777 & ~mask, 0o666 & ~mask
    os.chmod(tree, folder_mode)
    for top, folders, files in os.walk(tree):
        for name in folders:
            path = os.path.join(top, name)
            if not os.path.islink(path):
                os.chmod(path, folder_mode)
        for name in files:
            path = os.path.join(top, name)
            if not os.path.islink(path):
                os.chmod(path, file_mode)


def write_manifest(path: Path, edition: Edition, entry: dict[str, Any]) -> None:
    """Add or replace this edition in the year's manifest, atomically.

    `entry` is what `build` made of it: the published files, the renderer with its
    version and PDF route (`render.Rendered`), the chapters, inputs and provenance.
    """
    path = Path(path)
    try:
        manifest = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    except (OSError, ValueError):  # damaged (build._published_entry said so): start afresh
        manifest = {}
    if not isinstance(manifest, dict) or not isinstance(manifest.get("editions", {}), dict):
        manifest = {}
    manifest["year"] = edition.year
    manifest.setdefault("editions", {})[edition.slug] = entry
    tmp = path.with_suffix(".json.tmp")
    try:
        tmp.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)  # e.g. half written on a full disk
        raise
