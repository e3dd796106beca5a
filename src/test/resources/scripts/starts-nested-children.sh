#!/bin/sh
# Shell -> sh -> sleep: records "<shell pid> <sh pid>" and waits. The ": " keeps sh from exec'ing sleep.
sh -c 'sleep 1000; :' &
echo "$$ $!" > pids.tmp && mv pids.tmp pids
wait
