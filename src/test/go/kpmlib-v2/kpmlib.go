// Package kpmlib is the shared library of the host and plugin fixtures (version 2: a changed API).
package kpmlib

// Version names this copy of the library.
func Version() string { return "v2" }

// Greet is called by the host and the plugins, so both link this package.
func Greet(name string) string { return "hello " + name + " from " + Version() + " " + flavour() }

// Farewell is new in version 2, so the package's fingerprint differs from version 1.
func Farewell(name string) string { return "bye " + name }
