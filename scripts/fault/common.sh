# Shell functions campaign.sh and failover.sh share; sourced, not run.
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
