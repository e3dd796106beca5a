#!/bin/sh
# Two euro signs (3 bytes each in UTF-8), no newline.
printf '\342\202\254\342\202\254'
