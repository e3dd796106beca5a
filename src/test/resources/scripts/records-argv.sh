#!/bin/sh
# Records $# and each argument, byte for byte, in files in the working directory.
printf '%s' "$#" > argc
i=1
for arg in "$@"; do
  printf '%s' "$arg" > "arg$i"
  i=$((i + 1))
done
