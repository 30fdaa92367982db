# Shell functions campaign.sh and failover.sh share; sourced, not run.
# They expect `say`, and the arrays `by_kind` and `sums` for summary_line.

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

# summary_line RUNS SEED FAULTS FAILED_RUNS: the last line, from by_kind and sums.
summary_line() {
  local k kinds_json sums_json
  kinds_json=$(for k in "${!by_kind[@]}"; do echo "\"$k\":${by_kind[$k]}"; done | paste -sd, -)
  sums_json=$(for k in "${!sums[@]}"; do echo "\"$k\":${sums[$k]}"; done | paste -sd, -)
  echo "{\"summary\":true,\"runs\":$1,\"seed\":$2,\"faults\":$3,\"by_kind\":{$kinds_json},\"totals\":{$sums_json},\"failed_runs\":$4}"
}
