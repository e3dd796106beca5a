#!/bin/sh
# One recognisable line on each stream, then success.
echo "to stdout"
echo "to stderr" >&2
