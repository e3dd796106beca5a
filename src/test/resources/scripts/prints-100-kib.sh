#!/bin/sh
# About 100 KiB on each stream; the last line of each is marked.
i=0
while [ "$i" -lt 2000 ]; do
  echo "out line $i ........................................."
  echo "err line $i ........................................." >&2
  i=$((i + 1))
done
echo "last stdout line"
echo "last stderr line" >&2
