// Command gendocs writes llmcost's man pages and markdown reference from
// the command tree (make docs). It lives outside the binary so the
// markdown and man renderers cost `llmcost` nothing at start-up.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/llmcost/llmcost/pkg/cli"
	"github.com/llmcost/llmcost/pkg/iostreams"
	"github.com/spf13/cobra/doc"
)

func main() {
	man := flag.String("man", "man", "directory for man pages")
	md := flag.String("markdown", "docs/cli", "directory for markdown pages")
	flag.Parse()
	ios, _, _, _ := iostreams.Test()
	root := cli.NewRootCmd(cli.NewFactory(ios, os.Getenv))
	root.DisableAutoGenTag = true
	for _, d := range []string{*man, *md} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(3)
		}
	}
	if err := doc.GenManTree(root, &doc.GenManHeader{Title: "LLMCOST", Section: "1", Source: "llmcost"}, *man); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(3)
	}
	if err := doc.GenMarkdownTree(root, *md); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(3)
	}
	fmt.Printf("man pages in %s/, markdown in %s/\n", *man, *md)
}
