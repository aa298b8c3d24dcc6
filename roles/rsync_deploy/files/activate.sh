#!/usr/bin/env bash
# Put the staging copy live. Run on the host after the push into the staging copy.
#
#   activate.sh [LIVE-RSYNC-OPTION...]
#
# Settings come from the environment (the role sets every one):
#   DEST, STAGING, PREVIOUS, INFLIGHT  the live tree, the staging copy, the kept previous tree, the in-flight mark
#   MARKER, RELEASE   release marker file name (inside DEST) and the release name written into it
#   RELEASE_EXPLICIT  yes: the release name was given, so it goes into the marker even when no file changes
#   OWNERSHIP         owner:group of the marker
#   PHP_LINT, PHP, LINT_SUFFIXES  yes to lint the changed files whose names end in one of the suffixes
#                     (one a line) with the PHP CLI PHP
#   SERVICE           the web server to reload gracefully afterwards (empty: no reload)
#   CHANGES           the push's list of changes (`%i %n` lines) when it is also what the live sync
#                     will change (the live tree held the staging copy before the push); unset: listed here
# The arguments are the rsync options of the live sync.
#
# Steps:
#  1. list what the staging copy changes in the live tree; nothing, and no in-flight mark: end
#     (after writing a release name given explicitly into the marker);
#  2. lint the changed PHP files; a syntax error stops here, before anything changes;
#  3. keep the live tree as PREVIOUS, a hard-link copy put in place by renames (never half-updated);
#     after an interrupted deploy (the in-flight mark is there) the live tree is a mix and PREVIOUS
#     keeps the last complete release;
#  4. the in-flight mark, the live sync with --delay-updates --delete-after (every changed file is
#     renamed into place at the end, deletions follow), the marker, the reload; the mark is cleared
#     only when all of that succeeded, so a rerun finishes a deploy whose reload failed.
#
# Output: `gamestack-change:<%i %n>` a change, then `gamestack-deploy:<unchanged|marker|deployed>`;
# on failure `gamestack-detail:<text>` lines. Exit codes (vars/main.yml turns them into messages):
#   65  PHP syntax error (a line a failing file); nothing changed
#   66  the reload failed (the build is live, the marker written)
#   67  no space left on the host; the live tree is still the previous release
#   other  an unexpected failure; its output says what
set -eu -o pipefail

OPTS=("$@")
errors=$(mktemp)
trap 'rm -f "$errors"' EXIT

detail() { printf 'gamestack-detail:%s\n' "$(printf '%s' "$*" | tr '\n' ' ')"; }

no_space_left() {
  if grep -q 'No space left on device' "$errors"; then
    detail "$(grep -m 1 'No space left on device' "$errors")"
    exit 67
  fi
}

write_marker() {
  printf '%s\n' "$RELEASE" > "$DEST/$MARKER.tmp"
  chown "$OWNERSHIP" "$DEST/$MARKER.tmp"
  chmod 0644 "$DEST/$MARKER.tmp"
  mv -f "$DEST/$MARKER.tmp" "$DEST/$MARKER"
}

# The names of the changed regular files with a lint suffix, NUL-separated. rsync prints a control
# character of a name (a newline) as \#ooo, and a backslash that could be read as one as \#134:
# sed makes every other backslash literal for printf %b, which turns \0ooo back into the byte.
changed_lint_files() {
  local line name suffix
  printf '%s\n' "$changes" | sed -n 's/^[<>]f.\{9\} //p' \
    | sed -e 's/\\/\\\\/g' -e 's/\\\\#\([0-7]\{3\}\)/\\0\1/g' \
    | while IFS= read -r line; do
        printf -v name '%b' "$line"
        while IFS= read -r suffix; do
          if [ -n "$suffix" ] && [[ $name == *"$suffix" ]]; then
            printf '%s\0' "$name"
            break
          fi
        done <<< "$LINT_SUFFIXES"
      done
}

cd "$STAGING"

# 1. what changes
if [ -n "${CHANGES+set}" ]; then
  changes=$CHANGES
else
  changes=$(rsync --dry-run --archive --delete --8-bit-output '--out-format=%i %n' "${OPTS[@]}" "$STAGING/" "$DEST/")
fi
if [ -z "$changes" ] && [ ! -e "$INFLIGHT" ]; then
  if [ "$RELEASE_EXPLICIT" = yes ] && [ "$(head -n 1 "$DEST/$MARKER" 2>/dev/null)" != "$RELEASE" ]; then
    write_marker
    echo gamestack-deploy:marker
  else
    echo gamestack-deploy:unchanged
  fi
  exit 0
fi

# 2. lint: in parallel, the failing files linted again for the message
if [ "$PHP_LINT" = yes ]; then
  bad=()
  # shellcheck disable=SC2016 # $0 and $f are the inner sh's
  while IFS= read -r -d '' f; do bad+=("$f"); done < <(
    changed_lint_files | xargs -0 -r -n 64 -P "$(nproc 2>/dev/null || echo 2)" sh -c \
      'for f do "$0" -l "./$f" >/dev/null 2>&1 || printf "%s\0" "$f"; done' "$PHP")
  if [ "${#bad[@]}" -gt 0 ]; then
    for f in "${bad[@]}"; do
      out=$("$PHP" -l "./$f" 2>&1 || true)
      detail "$f: $(printf '%s' "$out" | grep -v '^Errors parsing' || true)"
    done
    exit 65
  fi
fi

# 3. the previous tree
if [ ! -e "$INFLIGHT" ] && [ -e "$DEST/$MARKER" ]; then
  rm -rf "$PREVIOUS.new" "$PREVIOUS.old"
  if ! cp -al "$DEST" "$PREVIOUS.new" 2>"$errors"; then
    rm -rf "$PREVIOUS.new"
    no_space_left
    cat "$errors" >&2
    exit 1
  fi
  if [ -e "$PREVIOUS" ]; then mv "$PREVIOUS" "$PREVIOUS.old"; fi
  mv "$PREVIOUS.new" "$PREVIOUS"
  rm -rf "$PREVIOUS.old"
fi

# 4. the live sync, the marker, the reload
printf '%s\n' "$RELEASE" > "$INFLIGHT"
if ! rsync --archive --delay-updates --delete-after --8-bit-output '--out-format=gamestack-change:%i %n' \
       "${OPTS[@]}" "$STAGING/" "$DEST/" 2>"$errors"; then
  # --delay-updates: nothing was renamed into place yet; its temp directories go too. The in-flight
  # mark stays: the rerun finishes the deploy.
  find "$DEST" -depth -type d -name '.~tmp~' -exec rm -rf {} +
  no_space_left
  cat "$errors" >&2
  exit 1
fi
write_marker
if [ -n "$SERVICE" ]; then
  # what ansible.builtin.service does for `reloaded`: a unit that is not running is started
  if ! out=$(systemctl reload-or-restart "$SERVICE" 2>&1); then
    detail "$out"
    exit 66
  fi
fi
rm -f "$INFLIGHT"
echo gamestack-deploy:deployed
