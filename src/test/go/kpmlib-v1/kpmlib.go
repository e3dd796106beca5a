// Package kpmlib is the shared library of the host and plugin fixtures (version 1).
package kpmlib

// Version names this copy of the library.
func Version() string { return "v1" }

// Greet is called by the host and the plugins, so both link this package.
func Greet(name string) string { return "hello " + name + " from " + Version() + " " + flavour() }
