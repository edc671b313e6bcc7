// Command fakeupstream serves the fake LLM upstream of package fakeupstream
// until SIGINT/SIGTERM. It prints its base URL (http://HOST:PORT) as the
// first line of stdout, so `-addr 127.0.0.1:0` can pick a free port.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"

	"github.com/llmcost/llmcost/internal/fakeupstream"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "address to listen on")
	keep := flag.Int("keep-bodies", 0, "request bodies kept for /_fake/seen (0: none, so memory stays flat)")
	flag.Parse()
	if err := run(*addr, *keep); err != nil {
		fmt.Fprintln(os.Stderr, "fakeupstream:", err)
		os.Exit(1)
	}
}

func run(addr string, keep int) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	s := fakeupstream.New()
	s.KeepBodies = keep
	srv := &http.Server{Handler: s}
	fmt.Printf("http://%s\n", ln.Addr())
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		_ = srv.Close()
	}()
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
