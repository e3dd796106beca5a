#!/bin/sh
# Double-forks a sleep detached from all output (a typical daemon), records its pid, exits.
sh -c 'sleep 1000 </dev/null >/dev/null 2>&1 & echo $! > pids.tmp && mv pids.tmp pids'
