package backend

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
)

// Ollama's native API takes temperature and top_p in options.
func TestOllamaSamplingOptions(t *testing.T) {
	var got map[string]any
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		_ = json.Unmarshal(b, &got)
		_, _ = io.WriteString(w, `{"model":"m","message":{"role":"assistant","content":"hi"},"done":true,"done_reason":"stop","prompt_eval_count":3,"eval_count":1}`)
	}))
	defer srv.Close()
	bk, err := New(Config{Name: "o", API: APIOllama, BaseURL: srv.URL, Model: "m"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := bk.Complete(context.Background(), Request{Prompt: "hi", Temperature: ptr(0.3), TopP: ptr(0.8)}); err != nil {
		t.Fatal(err)
	}
	opts, _ := got["options"].(map[string]any)
	if opts["temperature"] != 0.3 || opts["top_p"] != 0.8 {
		t.Fatalf("options %v, want temperature 0.3 and top_p 0.8", got["options"])
	}
}
