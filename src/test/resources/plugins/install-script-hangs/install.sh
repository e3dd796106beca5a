#!/bin/sh
# Writes its pid and a background child's pid to "$1", then never finishes by itself.
sleep 600 &
echo "$$ $!" > "$1"
wait
