#!/bin/sh
# One 20,000-byte line without a newline.
i=0
while [ "$i" -lt 2000 ]; do
  printf 'xxxxxxxxxx'
  i=$((i + 1))
done
