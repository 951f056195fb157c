# Shell functions shared by the server benchmark scripts (sourced).

# Waits until 127.0.0.1:$1 accepts a connection; gives up after 10 s or
# when process $2 has exited.
wait_port() {
  local port=$1 pid=$2 i
  for ((i = 0; i < 100; i++)); do
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "${bench_name:-bench}: process $pid exited before listening" \
        "on $port" >&2
      return 1
    fi
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      return 0
    fi
    sleep 0.1
  done
  echo "${bench_name:-bench}: nothing listens on $port after 10 s" >&2
  return 1
}

# Refuses to measure whatever else may be listening on our ports.
check_port_free() {
  if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then
    echo "${bench_name:-bench}: port $1 is already in use" >&2
    exit 1
  fi
}

# Median of the numbers on stdin, one per line (nothing: 0).
median() {
  sort -g | awk '{ v[NR] = $1 }
    END {
      if (NR == 0) print 0
      else if (NR % 2) print v[(NR + 1) / 2]
      else printf "%.1f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2
    }'
}

