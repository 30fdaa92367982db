# Shell functions campaign.sh, failover.sh and cluster.sh share; sourced, not run.
# A campaign defines `usage`, `say`, `one_run RUN_SEED`, `cleanup`, and
# optionally `extra_arg FLAG` for flags of its own; it keeps `work`,
# `total_faults`, `failed_runs` and the arrays `by_kind` and `sums`.

# parse_args PROGRAM ARGS...: the flags every campaign takes (--runs, --seed,
# --faults, --records, --bin, --keep, -h); another flag goes to extra_arg,
# which fails for one it does not know either. Exits 2 on a usage error.
parse_args() {
  local prog=$1
  shift
  while (($#)); do
    case $1 in
      --runs) runs=$2; shift 2 ;;
      --seed) seed=$2; shift 2 ;;
      --faults) faults=$2; shift 2 ;;
      --records) records=$2; shift 2 ;;
      --bin) bin=$2; shift 2 ;;
      --keep) keep=$2; shift 2 ;;
      -h|--help) usage 0 ;;
      *) { declare -F extra_arg >/dev/null && extra_arg "$1"; } ||
           { echo "$prog: error: unknown argument '$1'" >&2; usage 2 >&2; }
         shift ;;
    esac
  done
  local v
  for v in runs seed faults records; do
    [[ ${!v} =~ ^[0-9]+$ ]] || { echo "$prog: error: --$v needs a number" >&2; exit 2; }
  done
}

# alive PID: PID runs and is our child (bash reaps children as they exit, so
# a stale PID may belong to someone else by now: never signal that one).
alive() {
  local st
  [[ -n $1 ]] && st=$(awk '{print $3, $4}' "/proc/$1/stat" 2>/dev/null) && [[ $st =~ ^[SRDTt]\ $$$ ]]
}
# sig SIGNAL PID: signals PID if it is still our running child.
sig() { alive "$2" && kill "-$1" "$2" 2>/dev/null; return 0; }

# wait_gone PID TRIES: bounded wait (TRIES x 0.05 s) for PID to exit, then -9.
wait_gone() {
  local i
  for ((i = 0; i < $2; i++)); do alive "$1" || break; sleep 0.05; done
  sig KILL "$1"
  wait "$1" 2>/dev/null
  return 0
}

# write_workload RECORDS PARTITIONS SEED FILE: checker.py's seeded workload.
write_workload() {
  python3 -c 'import random, sys; sys.path.insert(0, sys.argv[1]); import checker
print("\n".join(checker.workload(int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], random.Random(int(sys.argv[4])))))' \
    "$here" "$1" "$2" "$3" >"$4"
}

# run_all PROGRAM: one_run for each run's seed (SEED x 1000 + run), then the
# summary line (from by_kind and sums); fails unless every run passed.
run_all() {
  local r k kinds_json sums_json
  for ((r = 0; r < runs; r++)); do
    if ! one_run "$((seed * 1000 + r))"; then
      failed_runs=$((failed_runs + 1))
      # A run that stopped early has printed nothing yet.
      [[ -n $work && -d $work && ! -f $work/all.jsonl ]] &&
        echo "{\"seed\":$((seed * 1000 + r)),\"error\":\"run stopped early, see $1: lines on stderr\",\"passed\":false}"
    fi
    cleanup
  done
  kinds_json=$(for k in "${!by_kind[@]}"; do echo "\"$k\":${by_kind[$k]}"; done | paste -sd, -)
  sums_json=$(for k in "${!sums[@]}"; do echo "\"$k\":${sums[$k]}"; done | paste -sd, -)
  echo "{\"summary\":true,\"runs\":$runs,\"seed\":$seed,\"faults\":$total_faults,\"by_kind\":{$kinds_json},\"totals\":{$sums_json},\"failed_runs\":$failed_runs}"
  ((failed_runs == 0))
}

# An etcd cluster of N members on 127.0.0.1, as tests/cli/etcd_helpers.bash
# starts one, for campaigns against a gafka cluster. The caller declares
# `declare -A ETCD_PID=() ETCD_CPORT=() ETCD_PPORT=()`.
#
# etcd_init N DIR: picks each member's client and peer port; sets
# ETCD_N, ETCD_DIR (member I's data in DIR/etcd.I, its log DIR/etcd.I.log)
# and ETCD_ENDPOINTS (host:port,... as --cluster takes them after etcd://).
etcd_init() {
  local i peers=() ports
  ETCD_N=$1 ETCD_DIR=$2 ETCD_ENDPOINTS=""
  # 2N distinct ports: each socket is held until all are bound.
  read -r -a ports < <(python3 -c 'import socket, sys
ss = [socket.socket() for _ in range(int(sys.argv[1]))]
for s in ss: s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in ss))' $((2 * ETCD_N)))
  for ((i = 1; i <= ETCD_N; i++)); do
    ETCD_CPORT[$i]=${ports[2 * i - 2]}
    ETCD_PPORT[$i]=${ports[2 * i - 1]}
    peers+=("e$i=http://127.0.0.1:${ETCD_PPORT[$i]}")
  done
  ETCD_INITIAL=$(IFS=,; echo "${peers[*]}")
  ETCD_ENDPOINTS=$(for ((i = 1; i <= ETCD_N; i++)); do echo "127.0.0.1:${ETCD_CPORT[$i]}"; done | paste -sd, -)
}

# etcd_start I: starts member I (again, after a kill, on its data dir).
# Heartbeats and elections short, but not so short that a busy 2-core
# machine makes the members elect all the time.
etcd_start() {
  local i=$1 c=http://127.0.0.1:${ETCD_CPORT[$1]} p=http://127.0.0.1:${ETCD_PPORT[$1]}
  setsid etcd --name "e$i" --data-dir "$ETCD_DIR/etcd.$i" \
    --listen-client-urls "$c" --advertise-client-urls "$c" \
    --listen-peer-urls "$p" --initial-advertise-peer-urls "$p" \
    --initial-cluster "$ETCD_INITIAL" --initial-cluster-state new --initial-cluster-token gafka-fault \
    --heartbeat-interval 25 --election-timeout 250 \
    </dev/null >/dev/null 2>>"$ETCD_DIR/etcd.$i.log" &
  ETCD_PID[$i]=$!
  disown "${ETCD_PID[$i]}"
}

# etcd_healthy I: member I answers /health with true (it has a leader).
etcd_healthy() {
  [[ $(curl -s --max-time 1 "http://127.0.0.1:${ETCD_CPORT[$1]}/health" 2>/dev/null) == *'"health":"true"'* ]]
}

# etcd_up N DIR: etcd_init, starts every member and waits (bounded: 20 s)
# until all are healthy; on new ports and a fresh DIR/etcd.* again (3 tries
# in all) when a member exits first (a port taken meanwhile by another process).
etcd_up() {
  local i t try
  for ((try = 0; try < 3; try++)); do
    rm -rf "$2"/etcd.*
    etcd_init "$1" "$2"
    for ((i = 1; i <= ETCD_N; i++)); do etcd_start "$i"; done
    for ((t = 0; t < 200; t++)); do
      for ((i = 1; i <= ETCD_N; i++)); do etcd_healthy "$i" || break; done
      ((i > ETCD_N)) && return 0
      for ((i = 1; i <= ETCD_N; i++)); do alive "${ETCD_PID[$i]}" || break; done
      ((i <= ETCD_N)) && break
      sleep 0.1
    done
    etcd_down
  done
  return 1
}

# etcd_down: CONT (a member may be stopped), TERM, bounded wait, KILL.
etcd_down() {
  local i
  for i in "${!ETCD_PID[@]}"; do sig CONT "${ETCD_PID[$i]}"; sig TERM "${ETCD_PID[$i]}"; done
  for i in "${!ETCD_PID[@]}"; do wait_gone "${ETCD_PID[$i]}" 100; done
  ETCD_PID=()
}

# stamp_acks: copies gafka-produce --print-acks lines from stdin to stdout,
# each with "t" (the Unix time in seconds, to the millisecond) added when
# it arrived: gafka-produce flushes each response's acks.
stamp_acks() {
  python3 -u -c 'import json, sys, time
for line in sys.stdin:
    try:
        d = json.loads(line)
        d["t"] = round(time.time(), 3)
        print(json.dumps(d, separators=(",", ":")), flush=True)
    except ValueError:
        print(line, end="", flush=True)'
}

# stamp_lines: each line of stdin as {"t","line"} on stdout, "t" the Unix
# time in seconds (to the millisecond) it arrived.
stamp_lines() {
  python3 -u -c 'import json, sys, time
for line in sys.stdin:
    print(json.dumps({"t": round(time.time(), 3), "line": line.rstrip("\n")}), flush=True)'
}

# feed RATE FILE: FILE's lines on stdout at RATE lines a second at most, so
# that a short workload lasts through its faults. A pipe or FIFO on stdout
# is shrunk to one page, so that a reader that stalls stalls the feed too
# instead of finding seconds of backlog when it wakes.
feed() {
  python3 -u -c 'import fcntl, sys, time
try:
    fcntl.fcntl(1, 1031, 4096)  # F_SETPIPE_SZ
except OSError:
    pass
rate, last = float(sys.argv[1]), 0.0
with open(sys.argv[2]) as f:
    for line in f:
        ahead = last + 1 / rate - time.monotonic()
        if ahead > 0:
            time.sleep(ahead)
        last = time.monotonic()
        sys.stdout.write(line)
        sys.stdout.flush()' "$1" "$2"
}

# wait_for TRIES CMD...: bounded polling (TRIES x 0.1 s).
wait_for() {
  local i n=$1
  shift
  for ((i = 0; i < n; i++)); do "$@" && return 0; sleep 0.1; done
  return 1
}

# wait_acks_within SECONDS N: until the campaign's acked_count reaches N,
# its producer ($producer_pid) ends, or SECONDS pass.
wait_acks_within() {
  local end=$((SECONDS + $1))
  while ((SECONDS < end)); do
    (($(acked_count) >= $2)) && return 0
    alive "$producer_pid" || return 0
    sleep 0.05
  done
}
