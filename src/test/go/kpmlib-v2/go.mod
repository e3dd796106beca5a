module example.com/kpmlib

go 1.19
