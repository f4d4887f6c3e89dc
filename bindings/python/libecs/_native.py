"""Finding and loading the libecs shared library.

The library is looked for, in order:

1. the file (or directory) named by the ``ECS_LIBRARY_PATH`` environment
   variable;
2. a copy shipped next to the package, ``libecs/lib/libecs.so*``;
3. the build tree of a source checkout: walking up from the package to the
   repository root (the directory holding ``include/ecs/ecs.h``) and looking
   in its ``build*/lib/`` directories;
4. the system loader path, through ``ctypes.util.find_library("ecs")``.

When none of them gives a loadable library, importing :mod:`libecs` raises
:class:`ImportError` saying where it looked and how to build the library.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import glob
import os
import sys
from typing import List, Optional, Tuple

__all__ = ["load", "library_path"]

_BUILD_HINT = (
    "Build it from the source tree with `cmake -S . -B build && cmake --build build` "
    "(the binding then finds build/lib/libecs.so), install it (`cmake --install build`), "
    "or point ECS_LIBRARY_PATH at the file."
)

# The names the shared library takes on the platforms CMake builds it for.
if sys.platform == "darwin":
    _PATTERNS = ("libecs.dylib", "libecs.*.dylib")
elif sys.platform == "win32":
    _PATTERNS = ("ecs.dll", "libecs.dll")
else:
    _PATTERNS = ("libecs.so", "libecs.so.*")

_MAX_WALK_UP = 8

_lib: Optional[ctypes.CDLL] = None
_lib_path: Optional[str] = None


def _in_directory(directory: str) -> List[str]:
    """Library files in a directory, the unversioned name first."""
    found: List[str] = []
    for pattern in _PATTERNS:
        for path in sorted(glob.glob(os.path.join(glob.escape(directory), pattern))):
            if os.path.isfile(path) and path not in found:
                found.append(path)
    return found


def _build_tree_dirs(start: str) -> Tuple[List[str], Optional[str]]:
    """The build*/lib directories of the checkout that holds ``start``."""
    here = os.path.abspath(start)
    for _ in range(_MAX_WALK_UP):
        if os.path.isfile(os.path.join(here, "include", "ecs", "ecs.h")):
            dirs = sorted(glob.glob(os.path.join(glob.escape(here), "build*", "lib")))
            return [d for d in dirs if os.path.isdir(d)], here
        parent = os.path.dirname(here)
        if parent == here:
            break
        here = parent
    return [], None


def _candidates() -> Tuple[List[Tuple[str, str]], List[str]]:
    """(source, path) pairs to try, and notes on places that gave nothing."""
    tries: List[Tuple[str, str]] = []
    notes: List[str] = []

    env = os.environ.get("ECS_LIBRARY_PATH", "")
    if env:
        if os.path.isdir(env):
            files = _in_directory(env)
            tries += [("ECS_LIBRARY_PATH", f) for f in files]
            if not files:
                notes.append(f"ECS_LIBRARY_PATH={env}: no libecs in that directory")
        else:
            tries.append(("ECS_LIBRARY_PATH", env))
    else:
        notes.append("ECS_LIBRARY_PATH: not set")

    package_dir = os.path.dirname(os.path.abspath(__file__))
    bundled = os.path.join(package_dir, "lib")
    files = _in_directory(bundled)
    tries += [("next to the package", f) for f in files]
    if not files:
        notes.append(f"{bundled}: no libecs there")

    dirs, root = _build_tree_dirs(package_dir)
    if root is None:
        notes.append(f"build tree: {package_dir} is not inside a libecs checkout")
    else:
        found_any = False
        for d in dirs:
            files = _in_directory(d)
            found_any = found_any or bool(files)
            tries += [("build tree", f) for f in files]
        if not found_any:
            notes.append(f"build tree: no {os.path.join(root, 'build*', 'lib', _PATTERNS[0])}")

    name = ctypes.util.find_library("ecs")
    if name:
        tries.append(("system loader", name))
    else:
        notes.append('system loader: ctypes.util.find_library("ecs") found nothing')
    return tries, notes


def load() -> ctypes.CDLL:
    """Load libecs once and return it (later calls return the same handle).

    Raises:
        ImportError: no candidate could be loaded; the message lists every
            place tried and how to build the library.
    """
    global _lib, _lib_path
    if _lib is not None:
        return _lib
    tries, notes = _candidates()
    failures: List[str] = []
    for source, path in tries:
        try:
            lib = ctypes.CDLL(path)
        except OSError as exc:
            failures.append(f"{source}: {path}: {exc}")
            continue
        if not hasattr(lib, "ecs_plane_call"):
            failures.append(f"{source}: {path}: not libecs (no ecs_plane_call)")
            continue
        _lib, _lib_path = lib, path
        return lib
    lines = ["libecs: the shared library libecs could not be loaded. Looked in:"]
    lines += [f"  - {line}" for line in failures + notes]
    lines.append(_BUILD_HINT)
    raise ImportError("\n".join(lines))


def library_path() -> Optional[str]:
    """The path (or loader name) of the library loaded, or None before load()."""
    return _lib_path
