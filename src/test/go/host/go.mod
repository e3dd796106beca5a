module example.com/host

go 1.19

require example.com/kpmlib v1.0.0

replace example.com/kpmlib => ../kpmlib-v1
