// Command proxyfloor is a reference point for what an HTTP proxy written
// in Go adds on this machine: net/http/httputil.ReverseProxy in front of
// one upstream, with nothing else (no parsing, routing, pricing, ledger or
// metrics). proxybench measures it beside llmcost, in the same rounds, as
// stackfloor is measured beside llmcost's start-up.
//
//	proxyfloor -upstream http://127.0.0.1:PORT -key sk-upstream-openai
//
// It prints its own URL (http://127.0.0.1:PORT) on the first line.
package main

import (
	"flag"
	"fmt"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"time"
)

func main() {
	upstream := flag.String("upstream", "", "the upstream's base URL")
	key := flag.String("key", "", "the upstream's API key: replaces the client's Authorization")
	addr := flag.String("addr", "127.0.0.1:0", "listen address")
	flag.Parse()
	u, err := url.Parse(*upstream)
	if err != nil || u.Host == "" {
		fmt.Fprintln(os.Stderr, "proxyfloor: -upstream must be a URL")
		os.Exit(2)
	}
	rp := &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			r.SetURL(u)
			r.Out.Header.Set("Authorization", "Bearer "+*key)
		},
		// Stream each write through at once, as an SSE proxy must.
		FlushInterval: -1,
		Transport: &http.Transport{
			MaxIdleConns: 256, MaxIdleConnsPerHost: 256, IdleConnTimeout: time.Minute,
			DialContext: (&net.Dialer{KeepAlive: 30 * time.Second}).DialContext,
		},
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "proxyfloor:", err)
		os.Exit(1)
	}
	fmt.Printf("http://%s\n", ln.Addr())
	if err := http.Serve(ln, rp); err != nil {
		fmt.Fprintln(os.Stderr, "proxyfloor:", err)
		os.Exit(1)
	}
}
