#!/usr/bin/env bash
# Is DEST a directory that a sync with --delete may own? Run on the host, before anything on it changes.
#
#   check-dest.sh DEST
#
# DEST is normalised (repeated and trailing slashes, `.` segments; `..` is refused rather than guessed at)
# and then resolved on this host (realpath: symlinks in any component, missing components allowed).
# Exit 0 and print the destination when it is one; exit 3 and print why not (one line) when it is not:
#   - it is not an absolute path, or has a `..` segment;
#   - it is, or goes through, a symlink: PHP opcache keys its cache by realpath, so a deploy must write
#     into the real directory (and a symlink could point anywhere);
#   - it resolves to /, to a directory directly below /, to /var/www, or to or into a system directory.
set -u

# To or into these: a sync with --delete here would empty or overwrite what the system runs on.
SYSTEM_DIRS=(/bin /boot /dev /etc /lib /lib64 /proc /root /run /sbin /sys /tmp /usr
             /var/cache /var/lib /var/log /var/spool /var/tmp)

refuse() {
  printf '%s\n' "$1"
  exit 3
}

if [ "$#" -ne 1 ]; then
  echo "usage: check-dest.sh DEST" >&2
  exit 2
fi
dest=$1

case $dest in
  /*) ;;
  *) refuse "is not an absolute path" ;;
esac
case $dest in
  *$'\n'* | *$'\r'*) refuse "contains a line break" ;;
esac

normal=
IFS=/ read -r -a segments <<< "$dest"
for segment in "${segments[@]}"; do
  case $segment in
    '' | .) ;;
    ..) refuse "has a '..' segment: write the directory it means" ;;
    *) normal=$normal/$segment ;;
  esac
done
normal=${normal:-/}

if ! real=$(realpath -m -- "$normal"); then
  refuse "cannot be resolved on the host"
fi
if [ "$real" != "$normal" ]; then
  refuse "is or goes through a symlink (it resolves to $real): write the real directory instead; PHP opcache keys its cache by realpath, so a deploy through a symlink can leave PHP serving the old code"
fi

case $real in
  /) refuse "is / itself" ;;
  /var/www) refuse "is /var/www itself, which holds every site: deploy into a directory below it, for example /var/www/app" ;;
esac
if [ "${real%/*}" = "" ]; then
  refuse "is a directory directly below / ($real): deploy into a directory of its own below it"
fi
for system_dir in "${SYSTEM_DIRS[@]}"; do
  if [ "$real" = "$system_dir" ] || [ "${real#"$system_dir"/}" != "$real" ]; then
    refuse "is $system_dir or inside it ($real), which belongs to the system"
  fi
done
printf '%s\n' "$real"
