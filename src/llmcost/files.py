"""Files a person wrote or asked llmcost to write: read with a bound, written whole or not at all.

Every read of a file a person names goes through `read_bounded`: a device (`/dev/zero`), a
named pipe or a socket would read until memory runs out or block for ever, so only regular
files are read, and only up to a size limit. Every write goes through `write_atomic`: the text
goes to a temporary file beside the target and is renamed over it, so an interrupted write
never leaves half a file, and an existing file is replaced only when the user said `--force`.
Each OS error gets its own words (`os_error`): a symlink loop is not "no such file".
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from llmcost.errors import InputError, LlmcostError

# TOML files people write (budgets, mixes, price sheets) are kilobytes; the shipped catalog's
# largest file is under 100 KB. 8 MiB is far past any real one and still cheap to read.
MAX_TEXT_BYTES = 8 * 1024 * 1024

_OS_ERRORS = {
    errno.ENOENT: ("no such file", "check the path"),
    errno.EACCES: ("permission denied", "check the file's permissions"),
    errno.EPERM: ("operation not permitted", "check the file's permissions"),
    errno.ELOOP: (
        "symbolic link loop (a link that leads back to itself)",
        "point the link at a real file",
    ),
    errno.ENOTDIR: ("a part of the path is not a directory", "check the path"),
    errno.ENAMETOOLONG: ("the path is too long", None),
    errno.EISDIR: ("is a directory, not a file", "name a file"),
    errno.EROFS: ("read-only file system", "write somewhere else"),
    errno.ENOSPC: ("no space left on the device", None),
    errno.EIO: ("input/output error reading the device", None),
}


def os_error(exc: OSError, file: str, *, error: type[LlmcostError] = InputError) -> LlmcostError:
    """An OSError as one error of ours, worded by its errno."""
    message, hint = _OS_ERRORS.get(exc.errno, (None, None))
    if message is None:
        message = f"cannot use this file: {exc.strerror or str(exc) or type(exc).__name__}"
    return error(message, where=file, hint=hint)


def check_regular(path: str | Path, *, error: type[LlmcostError] = InputError) -> os.stat_result:
    """The file's status, if it is a regular file (symlinks followed); else an error saying
    what it is instead."""
    file = str(path)
    try:
        status = os.stat(path)
    except (OSError, ValueError) as exc:  # ValueError: a NUL byte in the path
        if isinstance(exc, ValueError):
            raise error("the path contains a NUL byte", where=repr(file)) from None
        raise os_error(exc, file, error=error) from None
    if stat.S_ISDIR(status.st_mode):
        raise error("is a directory, not a file", where=file, hint="name a file")
    if not stat.S_ISREG(status.st_mode):
        raise error(
            f"is not a regular file (it is a {_kind(status.st_mode)})",
            where=file,
            hint="llmcost reads files, not devices, pipes or sockets",
        )
    return status


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "named pipe"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "device"
    if stat.S_ISSOCK(mode):
        return "socket"
    return "special file"


def read_bounded(
    path: str | Path,
    *,
    limit: int = MAX_TEXT_BYTES,
    error: type[LlmcostError] = InputError,
) -> bytes:
    """The bytes of a regular file of at most `limit` bytes; anything else is an error naming
    the file. The size is checked before reading and again while reading (a file that grows)."""
    file = str(path)
    status = check_regular(path, error=error)
    if status.st_size > limit:
        raise _too_big(file, limit, error)
    try:
        with open(path, "rb") as handle:
            data = handle.read(limit + 1)
    except OSError as exc:
        raise os_error(exc, file, error=error) from None
    if len(data) > limit:
        raise _too_big(file, limit, error)
    return data


def _too_big(file: str, limit: int, error: type[LlmcostError]) -> LlmcostError:
    return error(
        f"is larger than {limit // (1024 * 1024)} MiB, too large for a file a person writes",
        where=file,
        hint="is this the right file?",
    )


def write_atomic(path: str | Path, text: str, *, force: bool = False) -> None:
    """Write `text` to `path` whole or not at all: a temporary file in the same directory,
    synced, then renamed into place. An existing file is replaced only with `force` (and keeps
    its permissions); a symlink's target is written, not the link. Only regular files are
    ever replaced."""
    file = str(path)
    if "\0" in file:
        raise InputError("the path contains a NUL byte", where=repr(file))
    target = Path(os.path.realpath(path))
    try:
        existing = os.stat(target)
    except FileNotFoundError:
        existing = None
    except OSError as exc:
        raise os_error(exc, file) from None
    if existing is not None:
        if not stat.S_ISREG(existing.st_mode):
            check_regular(path)  # raises, naming what it is
        if not force:
            raise InputError(
                "already exists; not overwriting it", where=file, hint="add --force to replace it"
            )
    import tempfile  # only a write needs it (a millisecond of every command's start-up)

    try:
        handle, temp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    except OSError as exc:
        raise os_error(exc, str(target.parent)) from None
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temp, stat.S_IMODE(existing.st_mode) if existing else _new_file_mode())
        _put_in_place(temp, target, file, replace=existing is not None)
    except OSError as exc:
        raise os_error(exc, file) from None
    finally:
        if os.path.lexists(temp):
            os.unlink(temp)


def _put_in_place(temp: str, target: Path, file: str, *, replace: bool) -> None:
    """Rename `temp` to `target`. A new file is linked in, which fails if someone created the
    file meanwhile (a rename would silently replace it)."""
    if replace:
        os.replace(temp, target)
        return
    try:
        os.link(temp, target)
    except FileExistsError:
        raise InputError(
            "already exists; not overwriting it", where=file, hint="add --force to replace it"
        ) from None
    except OSError:  # a file system without hard links: rename, the file was absent a moment ago
        os.replace(temp, target)


def _new_file_mode() -> int:
    """0o666 less the umask, as `open(path, "w")` would create it."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask
