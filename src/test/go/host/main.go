// Command host is a plugin-capable Go host like kuiperd: "host <path.so>" opens the plugin with
// plugin.Open and prints "ok", or the error text exactly (exit status 1).
package main

import (
	"fmt"
	"os"
	"plugin"

	"example.com/kpmlib"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: host <plugin.so>")
		os.Exit(2)
	}
	_ = kpmlib.Greet("host")
	if _, err := plugin.Open(os.Args[1]); err != nil {
		fmt.Println(err.Error())
		os.Exit(1)
	}
	fmt.Println("ok")
}
