// Package main is a Go plugin fixture that links the shared kpmlib library.
package main

import "example.com/kpmlib"

// Hello is the plugin's exported symbol.
func Hello() string { return kpmlib.Greet("plugin") }

func main() {}
