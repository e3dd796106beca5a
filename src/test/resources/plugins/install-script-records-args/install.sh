#!/bin/sh
# Records how kpm ran it into the file named by its first argument.
out="$1"
{
  echo "0=$0"
  echo "argc=$#"
  for a in "$@"; do echo "arg=$a"; done
  echo "pwd=$(pwd)"
  echo "env=${KPM_FIXTURE_ENV:-unset}"
  ls
} > "$out"
echo "installed to stdout"
echo "warning on stderr" >&2
