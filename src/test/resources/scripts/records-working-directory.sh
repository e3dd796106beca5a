#!/bin/sh
# Records the physical working directory and $PWD in the working directory itself.
pwd -P > physical
printf '%s' "$PWD" > logical
