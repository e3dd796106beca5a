#!/bin/sh
echo "cannot install: missing libfoo" >&2
exit 3
