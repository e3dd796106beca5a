#!/bin/sh
# Records the inherited PATH in the working directory.
printf '%s' "$PATH" > path
