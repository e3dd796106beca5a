#!/bin/sh
# Copies stdin to stdout; ends only when stdin is at end of file.
cat
echo "stdin ended"
