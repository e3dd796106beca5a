#!/bin/sh
# Exits at once while a background sleep keeps the inherited stdout and stderr open.
sleep 1000 &
echo "$$ $!" > pids.tmp && mv pids.tmp pids
echo "script done"
