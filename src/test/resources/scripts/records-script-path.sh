#!/bin/sh
# Records $0 in the working directory.
printf '%s' "$0" > dollar-zero
