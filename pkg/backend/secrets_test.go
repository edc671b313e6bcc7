package backend

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// keyFromRequest returns the credential a client sent, whichever header carries it.
func keyFromRequest(r *http.Request) string {
	if k := r.Header.Get("x-api-key"); k != "" {
		return k
	}
	return strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
}

// TestAPIKeyNeverInErrors: servers that echo the key (in full or masked)
// in error bodies, statuses and streams must not get it into any error text.
func TestAPIKeyNeverInErrors(t *testing.T) {
	masked := sentinelKey[:8] + "****************" + sentinelKey[len(sentinelKey)-3:]
	responders := []struct {
		name   string
		stream bool
		write  func(w http.ResponseWriter, key string)
	}{
		{"401 echoing the key", false, func(w http.ResponseWriter, key string) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(401)
			fmt.Fprintf(w, `{"error":{"message":"Incorrect API key provided: %s. You can find your API key at https://platform.openai.com/account/api-keys.","type":"invalid_request_error","param":null,"code":"invalid_api_key"}}`, key)
		}},
		{"401 echoing a masked key", false, func(w http.ResponseWriter, key string) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(401)
			fmt.Fprintf(w, `{"error":{"message":"Incorrect API key provided: %s.","type":"authentication_error","code":"invalid_api_key"}}`, masked)
		}},
		{"500 plain-text echo", false, func(w http.ResponseWriter, key string) {
			w.WriteHeader(500)
			fmt.Fprintf(w, "upstream said: bad header Authorization: Bearer %s", key)
		}},
		{"200 body that is not JSON", false, func(w http.ResponseWriter, key string) {
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprintf(w, "<html>key=%s</html>", key)
		}},
		{"error event inside a stream", true, func(w http.ResponseWriter, key string) {
			w.Header().Set("Content-Type", "text/event-stream")
			fmt.Fprintf(w, "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"api_error\",\"message\":\"bad key %s\"}}\n\n", key)
			fmt.Fprintf(w, "data: {\"error\":{\"message\":\"bad key %s\",\"type\":\"server_error\"}}\n\n", key)
			fmt.Fprintf(w, "{\"error\":\"bad key %s\"}\n", key)
		}},
	}
	for _, api := range []string{APIOpenAI, APIAnthropic, APIOllama} {
		for _, rsp := range responders {
			t.Run(api+"/"+rsp.name, func(t *testing.T) {
				var received string
				srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					_, _ = io.Copy(io.Discard, r.Body)
					received = keyFromRequest(r)
					rsp.write(w, received)
				}))
				defer srv.Close()
				base := srv.URL
				if api == APIOpenAI {
					base += "/v1"
				}
				b, err := New(Config{Name: "secret", API: api, BaseURL: base, Model: "m", APIKeyEnv: "TEST_KEY",
					Getenv: testEnv, HTTPClient: srv.Client(), Now: stepClock()})
				if err != nil {
					t.Fatal(err)
				}
				p := testPolicy(&sleepRecorder{})
				p.MaxAttempts = 1
				_, _, err = Do(context.Background(), b, Request{Prompt: "hi", Stream: rsp.stream}, p)
				if err == nil {
					t.Fatal("Do succeeded, want an error")
				}
				if received != sentinelKey {
					t.Fatalf("server received key %q: the test would prove nothing", received)
				}
				assertNoSecret(t, err)
			})
		}
	}
}

func assertNoSecret(t *testing.T, err error) {
	t.Helper()
	masked := sentinelKey[:8] + "****"
	for _, s := range []string{err.Error(), fmt.Sprintf("%v", err), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err), fmt.Sprintf("%q", err)} {
		if strings.Contains(s, sentinelKey) || strings.Contains(s, masked) || strings.Contains(s, "SENTINEL") {
			t.Errorf("API key leaked into error text: %s", s)
		}
	}
	var be *Error
	if errors.As(err, &be) {
		if strings.Contains(be.Message, "SENTINEL") {
			t.Errorf("API key leaked into Error.Message: %s", be.Message)
		}
		if u := errors.Unwrap(be); u != nil && strings.Contains(u.Error(), "SENTINEL") {
			t.Errorf("API key leaked into wrapped error: %s", u)
		}
	}
}

// TestNoAmbientCredentials: the SDKs read OPENAI_API_KEY / ANTHROPIC_API_KEY /
// *_BASE_URL from the process environment by default. A local backend
// without api_key_env must send no key and go where its config says.
func TestNoAmbientCredentials(t *testing.T) {
	t.Setenv("OPENAI_API_KEY", sentinelKey)
	t.Setenv("ANTHROPIC_API_KEY", sentinelKey)
	t.Setenv("ANTHROPIC_AUTH_TOKEN", sentinelKey)
	t.Setenv("OPENAI_BASE_URL", "http://127.0.0.1:1/v1")
	t.Setenv("ANTHROPIC_BASE_URL", "http://127.0.0.1:1")
	for _, tc := range []struct {
		api string
		rep func(t *testing.T) reply
	}{
		{APIOpenAI, func(t *testing.T) reply { return jsonReply(t, "openai-chat-nonstream.json") }},
		{APIAnthropic, func(t *testing.T) reply { return jsonReply(t, "anthropic-messages-nonstream.recorded.json") }},
		{APIOllama, func(t *testing.T) reply { return jsonReply(t, "ollama-api-chat-nonstream.json") }},
	} {
		t.Run(tc.api, func(t *testing.T) {
			rp := newReplay(t, tc.rep(t))
			b := newTestBackend(t, tc.api, rp)
			if _, err := b.Complete(context.Background(), Request{Prompt: "hi"}); err != nil {
				t.Fatalf("Complete: %v", err)
			}
			reqs := rp.requests()
			if len(reqs) != 1 {
				t.Fatalf("configured server saw %d requests, want 1", len(reqs))
			}
			for name, vals := range reqs[0].Header {
				for _, v := range vals {
					if strings.Contains(v, "SENTINEL") {
						t.Errorf("header %s carries the ambient env key", name)
					}
				}
			}
		})
	}
}

func TestKeySentWhenConfigured(t *testing.T) {
	for _, tc := range []struct {
		api, header, want string // anthropic-sdk-go v2 sends its API key as a Bearer token
		rep               func(t *testing.T) reply
	}{
		{APIOpenAI, "Authorization", "Bearer " + sentinelKey, func(t *testing.T) reply { return jsonReply(t, "openai-chat-nonstream.json") }},
		{APIAnthropic, "Authorization", "Bearer " + sentinelKey, func(t *testing.T) reply { return jsonReply(t, "anthropic-messages-nonstream.recorded.json") }},
		{APIOllama, "Authorization", "Bearer " + sentinelKey, func(t *testing.T) reply { return jsonReply(t, "ollama-api-chat-nonstream.json") }},
	} {
		t.Run(tc.api, func(t *testing.T) {
			rp := newReplay(t, tc.rep(t))
			b := newTestBackend(t, tc.api, rp, withKey())
			if _, err := b.Complete(context.Background(), Request{Prompt: "hi"}); err != nil {
				t.Fatal(err)
			}
			if got := rp.requests()[0].Header.Get(tc.header); got != tc.want {
				t.Errorf("%s = %q, want the configured key", tc.header, got)
			}
		})
	}
}

func TestScrub(t *testing.T) {
	tests := []struct{ in, key, want string }{
		{"bad key " + sentinelKey + " given", sentinelKey, "bad key [REDACTED] given"},
		{"Incorrect API key provided: sk-proj-abcd************************wxyz.", "", "Incorrect API key provided: [REDACTED]."},
		{"line one\n\tline two", "", "line one line two"},
		{"nothing secret", sentinelKey, "nothing secret"},
		{strings.Repeat("x", 600), "", strings.Repeat("x", maxMessageRunes) + "…"},
	}
	for _, tt := range tests {
		if got := scrub(tt.in, tt.key); got != tt.want {
			t.Errorf("scrub(%.40q) = %.60q, want %.60q", tt.in, got, tt.want)
		}
	}
}

// TestPastedKeyNotEchoed: a key given where the variable's name belongs is
// not set as a variable, and the error must not repeat it.
func TestPastedKeyNotEchoed(t *testing.T) {
	for _, key := range []string{"sk-proj-Ab12Cd34Ef56Gh78Ij90", "AIzaSyA1b2C3d4E5f6G7h8I9j0KLMNOPQRSTU", "abcdEFGH1234ijklMNOP5678"} {
		_, err := New(Config{Name: "c", API: APIOpenAI, BaseURL: "http://127.0.0.1:1/v1", Model: "m",
			APIKeyEnv: key, Getenv: func(string) string { return "" }})
		if err == nil || strings.Contains(err.Error(), key) {
			t.Errorf("err = %v: want an error that does not echo the key", err)
		}
	}
	for _, name := range []string{"OPENAI_API_KEY", "my_openai_key_2024_prod", "AZURE_OPENAI_API_KEY_2"} {
		if LooksLikeAPIKey(name) {
			t.Errorf("%q is a plain variable name, not a key", name)
		}
	}
}
