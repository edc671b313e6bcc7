package proxy

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/llmcost/llmcost/pkg/ledger"
	"github.com/llmcost/llmcost/pkg/route"
)

// writeLog records every write the proxy makes to its clients.
type writeLog struct {
	mu     sync.Mutex
	writes [][]byte
}

func (l *writeLog) last() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.writes) == 0 {
		return ""
	}
	return string(l.writes[len(l.writes)-1])
}

type loggedListener struct {
	net.Listener
	log *writeLog
}

func (l loggedListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return loggedConn{c, l.log}, nil
}

type loggedConn struct {
	net.Conn
	log *writeLog
}

func (c loggedConn) Write(p []byte) (int, error) {
	c.log.mu.Lock()
	c.log.writes = append(c.log.writes, bytes.Clone(p))
	c.log.mu.Unlock()
	return c.Conn.Write(p)
}

// A stream's last events and the end of its body leave in one write: a
// client reads the whole end at once rather than waking again for the
// five bytes of the chunked body's zero-length chunk.
func TestStreamEndIsOneWrite(t *testing.T) {
	for _, c := range []struct{ name, path, body, last string }{
		{"openai", "/v1/chat/completions", `{"model":"cloud-gpt","stream":true,"messages":[{"role":"user","content":"hello there"}]}`, "data: [DONE]\n\n"},
		{"anthropic", "/v1/messages", `{"model":"cloud-claude","max_tokens":50,"stream":true,"messages":[{"role":"user","content":"hello there"}]}`, `data: {"type":"message_stop"}` + "\n\n"},
	} {
		t.Run(c.name, func(t *testing.T) {
			log := &writeLog{}
			h := newHarness(t, withListener(func(ln net.Listener) net.Listener { return loggedListener{ln, log} }))
			resp, body := post(t, h.url+c.path, c.body)
			if resp.StatusCode != 200 || !strings.HasSuffix(body, c.last) {
				t.Fatalf("status %d, body %q", resp.StatusCode, body)
			}
			h.next(t)
			last := log.last()
			// Chunked, the end event and the zero-length chunk; or, when the
			// upstream's whole answer came in one read, the whole response
			// in one write, with a Content-Length.
			whole := strings.HasPrefix(last, "HTTP/1.1 200") && strings.Contains(last, "Content-Length:")
			chunkedEnd := strings.Contains(last, c.last) && strings.HasSuffix(last, "0\r\n\r\n")
			if !chunkedEnd && !(whole && strings.HasSuffix(last, c.last)) {
				t.Errorf("the last write is %q; want the stream's end event and the end of the body together", last)
			}
		})
	}
}

// The client has its whole answer before AfterAnswer runs (the shadow's
// entry): a hook that blocks holds nothing back, streamed or not. (A
// stream's events all arrive, [DONE] included; the chunked body's
// zero-length chunk follows when the handler returns.)
func TestAnswerFlushedBeforeAfterAnswer(t *testing.T) {
	for _, stream := range []bool{false, true} {
		t.Run(map[bool]string{false: "non-stream", true: "stream"}[stream], func(t *testing.T) {
			release := make(chan struct{})
			srv := &Server{AfterAnswer: func(*Request, *route.Input, *ledger.Record) { <-release }}
			h := newHarness(t, withServer(srv))
			defer close(release)
			got := make(chan string, 1)
			go func() {
				req, _ := http.NewRequest(http.MethodPost, h.url+"/v1/chat/completions", strings.NewReader(chatBody("cloud-gpt", "hello there", stream)))
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					got <- "error: " + err.Error()
					return
				}
				defer resp.Body.Close()
				if stream {
					var all strings.Builder
					br := bufio.NewReader(resp.Body)
					for !strings.Contains(all.String(), "data: [DONE]") {
						line, err := br.ReadString('\n')
						all.WriteString(line)
						if err != nil {
							break
						}
					}
					got <- all.String()
					return
				}
				b, err := io.ReadAll(resp.Body)
				if err != nil {
					got <- "error: " + err.Error()
					return
				}
				got <- string(b)
			}()
			select {
			case body := <-got:
				if !strings.Contains(body, "upstream") || stream && !strings.Contains(body, "[DONE]") {
					t.Fatalf("answer %q", body)
				}
			case <-time.After(20 * time.Second): // a hang guard, not a timing assertion
				t.Fatal("the client's answer waited for AfterAnswer")
			}
		})
	}
}
