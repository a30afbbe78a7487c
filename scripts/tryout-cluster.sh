#!/usr/bin/env bash
# A two-node try-out cluster on this machine, so that config/cluster.example.yaml runs unchanged:
# nodes jw2 and jw3 are real OpenSSH sshd processes on 127.0.0.2 and 127.0.0.3, each with its own
# home directory holding what a GPU node would hold (the runner, a model, the dataset).
#
#   scripts/tryout-cluster.sh up       start both nodes; print how to reach them
#   scripts/tryout-cluster.sh down     stop them and undo every change made by `up`
#   scripts/tryout-cluster.sh status   whether they are running
#
# What `up` changes outside its own directory: one marked `Include` line at the top of
# ~/.ssh/config, so that `ssh jw2` (and mlbench, which reads ~/.ssh/config) reaches the try-out
# nodes. `down` removes it. Everything else lives in $MLBENCH_TRYOUT_DIR
# (default ~/.cache/mlbench/tryout-cluster).
#
# The nodes run the CPU backend on the tiny random-weight model that scripts/quickstart.sh makes:
# the figures are this machine's, not a GPU's.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)

state=${MLBENCH_TRYOUT_DIR:-$HOME/.cache/mlbench/tryout-cluster}
port=${MLBENCH_TRYOUT_PORT:-2222}
bin=${MLBENCH_BIN_DIR:-$repo/build/release/bin}
cache="$HOME/.cache/mlbench"
ssh_config="$HOME/.ssh/config"
begin_mark="# >>> mlbench try-out cluster (scripts/tryout-cluster.sh down removes this) >>>"
end_mark="# <<< mlbench try-out cluster <<<"
nodes=("jw2 127.0.0.2" "jw3 127.0.0.3")

die() {
  echo "tryout-cluster: $*" >&2
  exit 1
}

pid_of() { # node -> the pid of its sshd, if it runs
  local pid_file="$state/$1/sshd.pid"
  [[ -f "$pid_file" ]] || return 1
  local pid
  pid=$(<"$pid_file")
  kill -0 "$pid" 2>/dev/null || return 1
  echo "$pid"
}

# The tiny model and dataset the quickstart makes (made here if the quickstart has not run).
ensure_inputs() {
  [[ -x "$bin/mlbench-runner" && -x "$bin/mlbench" ]] ||
    die "no $bin/mlbench-runner; build first: scripts/build.sh release (or set MLBENCH_BIN_DIR)"
  if [[ ! -f "$cache/models/tiny/tokenizer.json" ]]; then
    "$bin/mlbench-runner" make-model --preset tiny --out "$cache/models/tiny"
  fi
  if [[ ! -f "$cache/data/cnn_eval.json" ]]; then
    "$bin/mlbench-runner" make-dataset --articles "$repo/data/sample/articles.jsonl" \
      --tokenizer "$cache/models/tiny" --out "$cache/data/cnn_eval.json"
  fi
}

# What a GPU node would hold, laid out as config/cluster.example.yaml expects it under ~/mlbench.
fill_home() {
  local home=$1
  mkdir -p "$home/mlbench/bin" "$home/mlbench/data" "$home/mlbench/work"
  install -m 0755 "$bin/mlbench-runner" "$home/mlbench/bin/mlbench-runner"
  rm -rf "$home/mlbench/model"
  cp -r "$cache/models/tiny" "$home/mlbench/model"
  cp "$cache/data/cnn_eval.json" "$home/mlbench/data/cnn_eval.json"
}

start_node() {
  local name=$1 address=$2
  local dir="$state/$name"
  mkdir -p "$dir/home"
  # HOME is what the node's shell and the runner see; the login directory stays the user's own.
  cat >"$dir/sshd_config" <<EOF
ListenAddress $address:$port
HostKey $dir/host_ed25519
PidFile $dir/sshd.pid
AuthorizedKeysFile $state/authorized_keys
SetEnv HOME=$dir/home
UsePAM no
StrictModes no
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
UseDNS no
PrintMotd no
MaxStartups 100
MaxSessions 100
Subsystem sftp internal-sftp
EOF
  fill_home "$dir/home"
  if pid_of "$name" >/dev/null; then
    echo "$name: already running"
    return
  fi
  /usr/sbin/sshd -f "$dir/sshd_config" -E "$dir/sshd.log" ||
    die "$name: sshd did not start; see $dir/sshd.log (is $address:$port in use?)"
  echo "$name: sshd on $address:$port, home $dir/home"
}

write_client_files() {
  [[ -f "$state/id_ed25519" ]] || ssh-keygen -q -t ed25519 -N '' -C tryout -f "$state/id_ed25519"
  cp "$state/id_ed25519.pub" "$state/authorized_keys"
  : >"$state/known_hosts"
  local entry name address
  for entry in "${nodes[@]}"; do
    read -r name address <<<"$entry"
    echo "[$address]:$port $(cut -d' ' -f1,2 "$state/$name/host_ed25519.pub")" >>"$state/known_hosts"
  done
  {
    echo "# Written by scripts/tryout-cluster.sh up."
    for entry in "${nodes[@]}"; do
      read -r name address <<<"$entry"
      cat <<EOF
Host $name
  HostName $address
  Port $port
  User $(id -un)
  IdentityFile $state/id_ed25519
  IdentitiesOnly yes
  UserKnownHostsFile $state/known_hosts
EOF
    done
  } >"$state/ssh_config"
}

# Put the Include first: an Include after a `Host` line would only apply inside that block.
add_include() {
  mkdir -p "$HOME/.ssh"
  chmod 700 "$HOME/.ssh"
  touch "$ssh_config"
  remove_include
  local tmp
  tmp=$(mktemp "$ssh_config.XXXXXX")
  {
    echo "$begin_mark"
    echo "Include $state/ssh_config"
    echo "$end_mark"
    cat "$ssh_config"
  } >"$tmp"
  chmod 600 "$tmp"
  mv "$tmp" "$ssh_config"
}

remove_include() {
  [[ -f "$ssh_config" ]] || return 0
  grep -qF "$begin_mark" "$ssh_config" || return 0
  local tmp
  tmp=$(mktemp "$ssh_config.XXXXXX")
  awk -v begin="$begin_mark" -v end="$end_mark" \
    '$0 == begin {skip = 1; next} $0 == end {skip = 0; next} !skip' "$ssh_config" >"$tmp"
  chmod 600 "$tmp"
  mv "$tmp" "$ssh_config"
}

up() {
  command -v /usr/sbin/sshd >/dev/null || die "no /usr/sbin/sshd: run scripts/install-deps.sh"
  ensure_inputs
  mkdir -p "$state"
  local entry name address
  for entry in "${nodes[@]}"; do
    read -r name address <<<"$entry"
    mkdir -p "$state/$name"
    [[ -f "$state/$name/host_ed25519" ]] ||
      ssh-keygen -q -t ed25519 -N '' -C "$name" -f "$state/$name/host_ed25519"
  done
  write_client_files
  for entry in "${nodes[@]}"; do
    read -r name address <<<"$entry"
    start_node "$name" "$address"
  done
  add_include
  echo "~/.ssh/config now includes $state/ssh_config (Host jw2, Host jw3)."
  echo "Try: $bin/mlbench preflight -c config/cluster.example.yaml"
  echo "     $bin/mlbench run -c config/cluster.example.yaml --scenario offline"
  echo "Stop with: scripts/tryout-cluster.sh down"
}

down() {
  local entry name address pid
  for entry in "${nodes[@]}"; do
    read -r name address <<<"$entry"
    if pid=$(pid_of "$name"); then
      kill "$pid"
      echo "$name: stopped"
    fi
  done
  remove_include
  rm -rf "$state"
  echo "try-out cluster removed ($state, and its line in ~/.ssh/config)"
}

status() {
  local entry name address pid code=0
  for entry in "${nodes[@]}"; do
    read -r name address <<<"$entry"
    if pid=$(pid_of "$name"); then
      echo "$name: running (pid $pid, $address:$port)"
    else
      echo "$name: not running"
      code=3
    fi
  done
  return "$code"
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  status) status ;;
  *) die "usage: scripts/tryout-cluster.sh up|down|status" ;;
esac
