#!/bin/bash
# The sample lot through a real Slurm: a one-node cluster of its own (munged, slurmctld and
# slurmd from Debian's munge and slurm-wlm, every file, port and key in a temporary
# folder, no systemd), the shards as an array job of scripts/slurm/lantai-array.sbatch and
# the merge as a job depending on it; the deposit's manifests must be those of the single
# run, byte for byte. Everything started here is stopped on the way out.
#
# usage: slurm_cluster_test.sh LANTAI SCRIPTS_DIR LOT PROFILE VIRUS_DB SINGLE_RUN_WORK
set -euo pipefail

lantai=$1 scripts=$2 lot=$3 profile=$4 virus_db=$5 single_work=$6
for tool in munged mungekey slurmctld slurmd sbatch scontrol sinfo; do
  command -v "$tool" > /dev/null || { echo "FAIL: $tool not installed (scripts/install-deps.sh installs slurm-wlm and munge)"; exit 1; }
done

tmp=$(mktemp -d /tmp/lantai-slurm-XXXXXX)
chmod 755 "$tmp"  # munged wants the socket's folders readable by all, and no one else writing
export SLURM_CONF=$tmp/slurm.conf
socket=$tmp/munge/munge.socket

array="" merge=""
stop_cluster() {
  if [ -f "$SLURM_CONF" ]; then
    [ -z "$array$merge" ] || scancel $array $merge > /dev/null 2>&1 || true
    scontrol shutdown > /dev/null 2>&1 || true
  fi
  [ -S "$socket" ] && munged --stop --socket="$socket" > /dev/null 2>&1
  # Only our own daemons, by the pids they wrote, if they are still there after a while.
  for pid_file in "$tmp/slurmctld.pid" "$tmp/slurmd.pid" "$tmp/munge/munged.pid"; do
    [ -f "$pid_file" ] || continue
    pid=$(cat "$pid_file")
    for _ in $(seq 100); do kill -0 "$pid" 2> /dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2> /dev/null && kill "$pid"
  done
  rm -rf "$tmp"
}
trap stop_cluster EXIT

show_logs() {
  for log in "$tmp"/log/*.log "$tmp"/out/*.out; do
    [ -f "$log" ] && { echo "--- $log"; tail -n 40 "$log"; }
  done
}
fail() {
  echo "FAIL: $*"
  show_logs
  exit 1
}

# A port nobody listens on, from a range of its own.
free_port() {
  local port
  for _ in $(seq 100); do
    port=$((20000 + RANDOM % 30000))
    ss -Htln "sport = :$port" | grep -q . || { echo "$port"; return; }
  done
  fail "no free port"
}

# munge: its own key, socket, pid, log and seed, run as the current user.
mkdir -p "$tmp/munge/key" "$tmp/log" "$tmp/state" "$tmp/spool" "$tmp/out"
chmod 700 "$tmp/munge/key"
chmod 755 "$tmp/munge"
mungekey --create --keyfile="$tmp/munge/key/munge.key" > /dev/null
munged --socket="$socket" --key-file="$tmp/munge/key/munge.key" --pid-file="$tmp/munge/munged.pid" \
  --log-file="$tmp/log/munged.log" --seed-file="$tmp/munge/munged.seed" || fail "munged did not start"

host=$(hostname -s)
user=$(id -un)
cpus=$(nproc)
memory_mb=$(awk '/MemTotal/ { print int($2 / 1024) }' /proc/meminfo)
ctld_port=$(free_port)
slurmd_port=$(free_port)
[ "$ctld_port" != "$slurmd_port" ] || slurmd_port=$((ctld_port + 1))
# No cgroups and no accounting: processes tracked by their parents, the daemons and jobs as this user.
cat > "$SLURM_CONF" << EOF
ClusterName=lantai-test
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=$user
SlurmdUser=$user
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$socket
StateSaveLocation=$tmp/state
SlurmdSpoolDir=$tmp/spool
SlurmctldPidFile=$tmp/slurmctld.pid
SlurmdPidFile=$tmp/slurmd.pid
SlurmctldLogFile=$tmp/log/slurmctld.log
SlurmdLogFile=$tmp/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
MpiDefault=none
ReturnToService=2
SlurmdParameters=config_overrides
MailProg=/bin/true
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$memory_mb State=UNKNOWN
PartitionName=lantai Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF

slurmctld -i -f "$SLURM_CONF" || fail "slurmctld did not start"
slurmd -f "$SLURM_CONF" -N "$host" || fail "slurmd did not start"
for _ in $(seq 60); do
  [ "$(sinfo -h -N -o %t 2> /dev/null)" = "idle" ] && break
  sleep 0.5
done
[ "$(sinfo -h -N -o %t)" = "idle" ] || fail "the node did not come up: $(sinfo -N 2>&1)"
echo "slurm: $(sinfo -h -o '%P %D node(s) %c cpus %t') (ports $ctld_port, $slurmd_port)"

# The lot: planned, its shards an array job, the merge after every shard ended well.
"$lantai" plan --profile "$profile" --in "$lot/scans" --catalog "$lot/catalogue.csv" --fonds J012 \
  --unit 示例市档案馆 --shards 3 --out "$tmp/plan.json" || fail "lantai plan"
export LANTAI=$lantai
array=$(sbatch --parsable --array=1-3 --cpus-per-task=1 --mem-per-cpu=1000M --output="$tmp/out/shard-%a.out" \
  "$scripts/lantai-array.sbatch" "$tmp/plan.json" "$tmp/shards" --virus-db "$virus_db")
array=${array%%;*}
merge=$(sbatch --parsable --dependency=afterok:"$array" --cpus-per-task=1 --mem-per-cpu=1000M \
  --output="$tmp/out/merge.out" "$scripts/lantai-merge.sbatch" "$tmp/plan.json" "$tmp/shards" "$tmp/work" \
  --virus-db "$virus_db")
merge=${merge%%;*}
echo "submitted: shards job $array (array 1-3), merge job $merge after it"

state=""
for _ in $(seq 900); do
  state=$(scontrol show job "$merge" -o | grep -o 'JobState=[A-Z_]*' | cut -d= -f2)
  reason=$(scontrol show job "$merge" -o | grep -o 'Reason=[A-Za-z_]*' | cut -d= -f2)
  case $state in
    COMPLETED) break ;;
    FAILED | CANCELLED | TIMEOUT | NODE_FAIL | OUT_OF_MEMORY | BOOT_FAIL | DEADLINE) fail "merge job $state" ;;
  esac
  [ "$reason" = "DependencyNeverSatisfied" ] && fail "a shard failed, the merge never ran"
  sleep 1
done
[ "$state" = "COMPLETED" ] || fail "the jobs did not end in 15 minutes (merge job $state)"

for k in 1 2 3; do
  grep -q "made by lantai merge" "$tmp/out/shard-$k.out" || fail "shard $k did not run as a shard"
done
grep -q "verify            OK" "$tmp/out/merge.out" || fail "the merged deposit did not verify"
# The bag is the folder holding bagit.txt (its forms folder and package file lie beside it).
single_bag=$(dirname "$(find "$single_work/deposit" -mindepth 2 -maxdepth 2 -name bagit.txt | head -n 1)")
merged_bag=$tmp/work/deposit/$(basename "$single_bag")
[ -d "$merged_bag" ] || fail "no deposit $merged_bag"
for manifest in manifest-sha256.txt manifest-md5.txt; do
  cmp "$single_bag/$manifest" "$merged_bag/$manifest" || fail "$manifest differs from the single run's"
done
echo "PASS: 3 shards on Slurm (job $array) and the merge (job $merge): $(wc -l < "$merged_bag/manifest-sha256.txt") payload files, manifests equal to the single run's"
