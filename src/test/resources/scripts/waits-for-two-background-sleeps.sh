#!/bin/sh
# Starts two long sleeps, records "<shell pid> <sleep pid> <sleep pid>", waits for them.
sleep 1000 &
first=$!
sleep 1000 &
second=$!
echo "$$ $first $second" > pids.tmp && mv pids.tmp pids
wait
