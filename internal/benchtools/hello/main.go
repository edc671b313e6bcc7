// Command hello is the baseline for llmcost's start-up benchmark: the
// cheapest Go binary that prints something.
package main

import "os"

func main() { os.Stdout.WriteString("hello, world\n") }
