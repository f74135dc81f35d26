#!/bin/sh
# Memory at rest of every running service of this host: PSS (a shared page
# counts its share in each process), summed over the processes of each unit's
# control group. Prints "MiB unit processes" lines, largest first.
for unit in $(systemctl list-units --type=service --state=running --no-legend --plain | awk '{print $1}'); do
    cgroup=$(systemctl show --property=ControlGroup --value "$unit")
    kib=0; count=0
    # A 0 is a process of another PID namespace (the machine's), not this host's.
    pids=$(cat /sys/fs/cgroup/systemd"$cgroup"/cgroup.procs /sys/fs/cgroup/unified"$cgroup"/cgroup.procs \
               /sys/fs/cgroup"$cgroup"/cgroup.procs 2>/dev/null | grep -vx 0 | sort -u)
    for pid in $pids; do
        pss=$(awk '/^Pss:/ {print $2}' /proc/"$pid"/smaps_rollup 2>/dev/null)
        kib=$((kib + ${pss:-0})); count=$((count + 1))
    done
    [ "$count" -gt 0 ] && echo "$((kib / 1024)) ${unit%.service} $count"
done | sort -rn
