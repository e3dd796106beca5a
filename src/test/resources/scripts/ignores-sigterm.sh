#!/bin/sh
# Ignores SIGTERM (so does its child, which inherits the disposition); records "<shell> <sleep>".
trap '' TERM
sleep 1000 &
echo "$$ $!" > pids.tmp && mv pids.tmp pids
wait
