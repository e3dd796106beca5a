//go:build !kpmextra

package kpmlib

func flavour() string { return "plain" }
