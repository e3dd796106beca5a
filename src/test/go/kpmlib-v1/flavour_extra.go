//go:build kpmextra

package kpmlib

func flavour() string { return "extra" }

// Extra exists only under the kpmextra build tag, so the tag changes the package's export data.
func Extra() int { return 42 }
