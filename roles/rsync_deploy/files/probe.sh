#!/usr/bin/env bash
# What the host has for a deploy, and what is wrong with it. Run on the host before anything there
# changes; it only reads.
#
#   probe.sh [LIVE-RSYNC-OPTION...]
#
# Settings come from the environment (the role sets every one):
#   DEST_SETTING  rsync_deploy_dest as it was set (named in messages)
#   DEST          the destination normalised (vars/main.yml); STAGING, PREVIOUS, INFLIGHT next to it
#   MARKER        release marker file name, inside DEST
#   OWNERSHIP     owner:group the destination should have
#   PHP           PHP CLI for the lint; PHP_INI_FILES: the web server's PHP ini files (globs)
#   ROLLBACK, PHP_LINT, CHECK_MODE  yes or no
#   OPCACHE_RESET reload, reset or none; VALIDATE_TIMESTAMPS: auto, true or false
#   CHECK_DEST    the text of check-dest.sh (default: check-dest.sh next to this script)
# The arguments are the rsync options of the live sync, to tell whether the live tree still holds
# the staging copy.
#
# Prints one line of JSON:
#   problems    one message a problem (empty: the deploy may go on)
#   rsync       rsync is installed
#   dest_dir    DEST is a directory; dest_ready: with OWNERSHIP and mode 755 too
#   inflight    an interrupted deploy left its in-flight mark
#   marker      the first line of the release marker (empty without one)
#   live        same: the live tree holds the staging copy exactly; differs; unknown (nothing to compare)
set -u -o pipefail

problems=()
problem() { problems+=("$1"); }

json_string() {
  local s=$1
  s=${s//\\/\\\\}
  s=${s//\"/\\\"}
  s=${s//$'\n'/\\n}
  s=${s//$'\r'/\\r}
  s=${s//$'\t'/\\t}
  printf '"%s"' "$(printf '%s' "$s" | tr -d '\000-\037')"
}

json_bool() { if "$@" >/dev/null 2>&1; then printf true; else printf false; fi; }

# Is DEST one a sync with --delete may own (normalised and resolved here, not a system directory,
# not through a symlink)? Its answer must be the path the run writes to.
if [ -n "${CHECK_DEST:-}" ]; then
  checked=$(bash -c "$CHECK_DEST" check-dest.sh "$DEST_SETTING" 2>&1)
else
  checked=$(bash "$(dirname "$0")/check-dest.sh" "$DEST_SETTING" 2>&1)
fi
refused_rc=$?
if [ "$refused_rc" -eq 0 ] && [ "$checked" != "$DEST" ]; then
  checked="resolves to $checked"
  refused_rc=3
fi
# A destination that is itself a symlink is named below with the way out.
if [ "$refused_rc" -ne 0 ] && [ ! -L "$DEST" ]; then
  problem "rsync_deploy_dest $(json_string "$DEST_SETTING") is refused: it $(printf '%s' "$checked" | tr '\n' ' ')."
fi

links=
for path in "$DEST" "$STAGING" "$PREVIOUS"; do
  if [ -L "$path" ]; then
    target=$(readlink "$path")
    links+="$path is a symlink (to $target): replace it with a real directory, for example \`rm $path && cp -a $target $path\`. "
  elif [ -e "$path" ] && [ ! -d "$path" ]; then
    problem "$path exists but is not a directory."
  fi
done
if [ -n "$links" ]; then
  problem "${links}rsync_deploy writes into a real directory on purpose: PHP opcache keys its cache by realpath, so a symlink switch leaves PHP serving the old release. Deploy again after that."
fi

if [ "$ROLLBACK" = yes ] && { [ -L "$PREVIOUS" ] || [ ! -d "$PREVIOUS" ]; }; then
  problem "rsync_deploy_rollback is true but $PREVIOUS does not exist: there is no previous release to restore (it is kept by the deploy before the last one)."
fi
if [ "$PHP_LINT" = yes ] && [ "$ROLLBACK" = no ] && [ "$CHECK_MODE" = no ] && ! command -v "$PHP" >/dev/null 2>&1; then
  problem "rsync_deploy_php_lint is true but $PHP is not installed on the host: install PHP first (gamestack.aws.apache_prefork_php) or set rsync_deploy_php_lint: false."
fi

# The last opcache.validate_timestamps of the web server's ini files; unset means on (PHP's default).
case ${VALIDATE_TIMESTAMPS,,} in
  true) validates=yes ;;
  false) validates=no ;;
  *)
    # shellcheck disable=SC2086 # PHP_INI_FILES is a list of globs
    read_value=$(cat $PHP_INI_FILES 2>/dev/null \
      | sed -n 's/^[[:space:]]*opcache\.validate_timestamps[[:space:]]*=[[:space:]]*\([^[:space:];]*\).*/\1/p' \
      | tail -n 1)
    case ${read_value,,} in
      0 | off | false | no) validates=no ;;
      *) validates=yes ;;
    esac
    ;;
esac
if [ "$OPCACHE_RESET" = none ] && [ "$validates" = no ]; then
  problem "opcache.validate_timestamps is off on this host, so PHP would keep serving the old code after the sync: set rsync_deploy_opcache_reset to reload or reset."
fi

dest_dir=false
dest_ready=false
if [ ! -L "$DEST" ] && [ -d "$DEST" ]; then
  dest_dir=true
  if [ "$(stat -c '%U:%G %a' "$DEST" 2>/dev/null)" = "$OWNERSHIP 755" ]; then dest_ready=true; fi
fi

# Does the live tree still hold exactly the staging copy (what the last build pushed)? A local
# dry-run with the options of the live sync. "same" lets a deploy whose push changes nothing end
# there; a file edited on the host makes it "differs", and the deploy puts the build back.
live=unknown
if [ "$refused_rc" -eq 0 ] && [ -d "$STAGING" ] && [ "$dest_dir" = true ] && command -v rsync >/dev/null 2>&1; then
  if out=$(rsync --dry-run --archive --delete --out-format=%n "$@" "$STAGING/" "$DEST/" 2>&1) && [ -z "$out" ]; then
    live=same
  else
    live=differs
  fi
fi

release_marker=$(head -n 1 "$DEST/$MARKER" 2>/dev/null | head -c 200)

printf '{"problems": ['
separator=
for message in ${problems[@]+"${problems[@]}"}; do
  printf '%s%s' "$separator" "$(json_string "$message")"
  separator=", "
done
printf '], "rsync": %s, "dest_dir": %s, "dest_ready": %s, "inflight": %s, "marker": %s, "live": "%s"}\n' \
  "$(json_bool command -v rsync)" "$dest_dir" "$dest_ready" "$(json_bool test -e "$INFLIGHT")" \
  "$(json_string "$release_marker")" "$live"
