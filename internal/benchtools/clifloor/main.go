// Command clifloor is the start-up floor of DESIGN.md's CLI framework
// alone: one cobra command and a viper instance, printing what hello
// prints (make bench).
package main

import (
	"os"

	"github.com/spf13/cobra"
	"github.com/spf13/viper"
)

func main() {
	_ = viper.New()
	c := &cobra.Command{Use: "clifloor", Run: func(*cobra.Command, []string) { os.Stdout.WriteString("hello, world\n") }}
	_ = c.Execute()
}
