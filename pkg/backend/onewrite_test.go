package backend

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"
)

// countingConn counts the writes a request takes on the wire.
type countingConn struct {
	net.Conn
	writes *atomic.Int64
}

func (c countingConn) Write(p []byte) (int, error) {
	c.writes.Add(1)
	return c.Conn.Write(p)
}

// openai-go wraps the request body in its own type, for which net/http
// writes the headers and the body separately; oneWrite makes a
// request one write (one TCP segment the upstream reads at once). Without
// it each OpenAI request below takes two.
func TestRequestIsOneWrite(t *testing.T) {
	answers := map[string]string{
		"/v1/chat/completions": `{"id":"c1","object":"chat.completion","model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"hi"},"finish_reason":"stop"}],"usage":{"prompt_tokens":3,"completion_tokens":1,"total_tokens":4}}`,
		"/v1/messages":         `{"id":"msg_1","type":"message","role":"assistant","model":"m","content":[{"type":"text","text":"hi"}],"stop_reason":"end_turn","usage":{"input_tokens":3,"output_tokens":1}}`,
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, answers[r.URL.Path])
	}))
	defer srv.Close()
	for _, api := range []string{"openai", "anthropic"} {
		t.Run(api, func(t *testing.T) {
			var writes atomic.Int64
			client := &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
				c, err := (&net.Dialer{}).DialContext(ctx, network, addr)
				if err != nil {
					return nil, err
				}
				return countingConn{c, &writes}, nil
			}}}
			base := srv.URL + "/v1"
			if api == "anthropic" {
				base = srv.URL // the SDK adds /v1
			}
			b, err := New(Config{Name: "t", API: api, BaseURL: base, Model: "m", Timeout: 5 * time.Second, HTTPClient: client, Getenv: testEnv})
			if err != nil {
				t.Fatal(err)
			}
			const n = 3
			for range n {
				resp, err := b.Complete(context.Background(), Request{Prompt: "Say hello.", MaxTokens: 8})
				if err != nil {
					t.Fatal(err)
				}
				if resp.Text != "hi" {
					t.Fatalf("answer %q", resp.Text)
				}
			}
			if got := writes.Load(); got != n {
				t.Errorf("%d requests took %d writes, want one each", n, got)
			}
		})
	}
}
