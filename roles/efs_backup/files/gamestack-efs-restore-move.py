# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gamestack.aws contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""gamestack-efs-restore-move: move an unpacked restore from STAGING into TARGET, never following a link.

    python3 /usr/local/libexec/gamestack-efs-restore-move.py --new|--replace STAGING TARGET

Installed by the gamestack.aws.efs_backup role; gamestack-efs-restore runs it after it has unpacked
an archive into STAGING, a fresh directory inside TARGET (so every move is a rename on one file
system). Every directory is opened by file descriptor with O_NOFOLLOW, relative to its parent's
descriptor, so a symlink planted in TARGET (``uploads -> /etc``) is never followed, not even when it
is swapped in while the move runs.

First a dry pass compares the two trees and refuses, before anything moves, every path where
TARGET has a symlink or file in place of a directory of the archive, a directory in place of a file,
or (with --new) any entry at all. Then each entry missing from TARGET is renamed into it whole, a
directory present in both is descended into, and with --replace a file or symlink of TARGET is
replaced by the archive's (rename replaces the entry itself; it never writes through a link).

Exit 0 when everything moved, 1 with one line per refused path (at most 20) on stderr.
Runs on Python 3.6 (EL 7) and later.
"""

import os
import stat
import sys

DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
SHOWN = 20


class Refused(Exception):
    """A path the move will not touch."""


def open_dir(name, dir_fd=None):
    """Open directory ``name`` (relative to ``dir_fd``) without following a symlink."""
    return os.open(name, DIR_FLAGS, dir_fd=dir_fd)


def entry(name, dir_fd):
    """lstat of ``name`` in ``dir_fd``, or None when it does not exist."""
    try:
        return os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
    except FileNotFoundError:
        return None


def kind(st):
    if stat.S_ISLNK(st.st_mode):
        return "a symlink"
    if stat.S_ISDIR(st.st_mode):
        return "a directory"
    return "a file"


def walk(src_fd, dst_fd, replace, move, rel, problems):
    """Compare (and with ``move``, move) the entries of ``src_fd`` into ``dst_fd``."""
    for name in sorted(os.listdir(src_fd)):
        path = os.path.join(rel, name)
        src = os.stat(name, dir_fd=src_fd, follow_symlinks=False)
        dst = entry(name, dst_fd)
        if dst is None:
            if move:
                os.rename(name, name, src_dir_fd=src_fd, dst_dir_fd=dst_fd)
            continue
        src_is_dir = stat.S_ISDIR(src.st_mode)
        dst_is_dir = stat.S_ISDIR(dst.st_mode)
        if src_is_dir and dst_is_dir:
            sub_src = open_dir(name, src_fd)
            reason = None
            try:
                sub_dst = open_dir(name, dst_fd)
            except OSError as err:
                sub_dst, reason = None, err.strerror
            if sub_dst is None:
                os.close(sub_src)
                problems.append("%s: the target's directory cannot be opened without following a link (%s)"
                                % (path, reason))
                if move:
                    raise Refused(problems[-1])
                continue
            try:
                walk(sub_src, sub_dst, replace, move, path, problems)
            finally:
                os.close(sub_src)
                os.close(sub_dst)
        elif src_is_dir or dst_is_dir or not replace:
            problems.append("%s: the target has %s where the archive has %s" % (path, kind(dst), kind(src)))
            if move:
                raise Refused(problems[-1])
        elif move:
            os.rename(name, name, src_dir_fd=src_fd, dst_dir_fd=dst_fd)


def main(argv):
    if len(argv) != 4 or argv[1] not in ("--new", "--replace"):
        sys.stderr.write("usage: gamestack-efs-restore-move --new|--replace STAGING TARGET\n")
        return 2
    replace = argv[1] == "--replace"
    try:
        src_fd = open_dir(argv[2])
        dst_fd = open_dir(argv[3])
    except OSError as err:
        sys.stderr.write("cannot open %s as a directory without following a link: %s\n" % (err.filename, err.strerror))
        return 1
    problems = []
    try:
        walk(src_fd, dst_fd, replace, False, ".", problems)
        if problems:
            for line in problems[:SHOWN]:
                sys.stderr.write("refused, nothing moved: %s\n" % line)
            if len(problems) > SHOWN:
                sys.stderr.write("... and %d more\n" % (len(problems) - SHOWN))
            return 1
        walk(src_fd, dst_fd, replace, True, ".", problems)
    except (Refused, OSError) as err:
        sys.stderr.write("%s\n" % err)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
