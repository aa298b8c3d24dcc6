#!/usr/bin/env bash
# Install (when absent) and start a Docker engine, plus mmdebstrap, for the test hosts. rsync and the
# ssh client come from bindep.txt (make controller-packages, a prerequisite of docker-up).
set -euo pipefail
need=()
command -v dockerd >/dev/null || need+=(docker.io)
command -v mmdebstrap >/dev/null || need+=(mmdebstrap)
if ((${#need[@]})); then
  echo "docker-up: installing ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${need[@]}" >/dev/null
fi
if ! docker info >/dev/null 2>&1; then
  echo "docker-up: starting dockerd"
  mkdir -p /var/log
  nohup dockerd >/var/log/gamestack-dockerd.log 2>&1 &
  for _ in $(seq 1 60); do
    docker info >/dev/null 2>&1 && break
    sleep 1
  done
fi
docker info >/dev/null 2>&1 || { echo "docker-up: dockerd did not start; see /var/log/gamestack-dockerd.log" >&2; exit 1; }
echo "docker-up: docker $(docker version --format '{{.Server.Version}}') ready"
