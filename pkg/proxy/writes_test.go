package proxy

import (
	"bytes"
	"net"
	"strings"
	"sync"
	"testing"
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
