package e2e

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/llmcost/llmcost/internal/fakeupstream"
	"github.com/llmcost/llmcost/internal/proxyharness"
)

// nodeRequests is how many requests e2e/node/test/proxy.test.mjs makes
// (one per test, two for each tool round trip): the ledger must hold
// exactly that many records. nodeRefused of them are refused before
// anything is sent (tools across wires).
const (
	nodeRequests = 13
	nodeRefused  = 1
)

const clientKey = "sk-client-e2e-never-forwarded"

// needNode returns the node binary and e2e/node, or skips; under CI=true a
// missing node or node_modules is a failure, not a skip.
func needNode(t *testing.T, root string) (string, string) {
	t.Helper()
	dir := filepath.Join(root, "e2e", "node")
	miss := func(why string) {
		t.Helper()
		msg := why + ": run `npm ci` in e2e/node (CI's .ci/run does)"
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	node, err := exec.LookPath("node")
	if err != nil {
		miss("node is not installed")
	}
	for _, pkg := range []string{"openai", "@anthropic-ai/sdk"} {
		if _, err := os.Stat(filepath.Join(dir, "node_modules", pkg, "package.json")); err != nil {
			miss("e2e/node/node_modules/" + pkg + " is missing")
		}
	}
	return node, dir
}

func TestProxyWithNodeClients(t *testing.T) {
	if testing.Short() && os.Getenv("CI") != "true" {
		t.Skip("builds the binary and runs node; not in -short")
	}
	root, err := proxyharness.ModuleRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	node, nodeDir := needNode(t, root)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	tmp := t.TempDir()
	bin, err := proxyharness.BuildLLMCost(ctx, root, tmp)
	if err != nil {
		t.Fatal(err)
	}

	cloud, local := fakeupstream.New(), fakeupstream.New()
	cloudSrv, localSrv := httptest.NewServer(cloud), httptest.NewServer(local)
	defer cloudSrv.Close()
	defer localSrv.Close()
	policy := filepath.Join(tmp, "route.yaml")
	ledgerFile := filepath.Join(tmp, "costs.jsonl")
	if err := os.WriteFile(policy, []byte(proxyharness.Policy(cloudSrv.URL, localSrv.URL)), 0o644); err != nil {
		t.Fatal(err)
	}
	proxy, err := proxyharness.StartProxy(ctx, bin, policy, ledgerFile, proxyharness.UpstreamKeyEnv)
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		select {
		case <-proxy.Done():
		default:
			proxy.Kill()
		}
	}()

	cmd := exec.CommandContext(ctx, node, "--test", "--test-concurrency=1", "--test-reporter=spec", "test/")
	cmd.Dir = nodeDir
	cmd.Env = append(os.Environ(),
		"LLMCOST_PROXY_URL="+proxy.URL, "FAKE_CLOUD_URL="+cloudSrv.URL, "FAKE_LOCAL_URL="+localSrv.URL,
		"LLMCOST_CLIENT_KEY="+clientKey, "NO_COLOR=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("node --test: %v\n%s\nproxy output:\n%s", err, out, proxy.Output())
	}
	t.Logf("node --test:\n%s", out)

	// SIGTERM drains and writes every record.
	if err := proxy.Stop(30 * time.Second); err != nil {
		t.Fatalf("proxy exit: %v\n%s", err, proxy.Output())
	}

	// The client's key never reached an upstream; the policy's keys did.
	for _, fake := range []*fakeupstream.Server{cloud, local} {
		for key := range fake.Stats().Auth {
			if strings.Contains(key, clientKey) {
				t.Errorf("an upstream received the client's key")
			}
		}
	}
	if st := cloud.Stats(); st.Auth["Bearer sk-upstream-openai"] == 0 {
		t.Errorf("cloud upstream never got the policy's key: %v", st.Auth)
	}
	// The PII prompt (an e-mail address at example.org) stayed local.
	if n := cloud.Seen("@example.org"); n != 0 {
		t.Errorf("the cloud upstream received %d bodies with the e-mail address", n)
	}
	if n := local.Seen("@example.org"); n != 1 {
		t.Errorf("the local upstream received %d bodies with the e-mail address, want 1", n)
	}

	// One record per request: the refused ones as unsent errors, the rest
	// ok, with the upstreams' token counts.
	recs := readLedger(t, ledgerFile)
	if len(recs) != nodeRequests {
		t.Fatalf("%d ledger records, want %d:\n%v", len(recs), nodeRequests, recs)
	}
	var in, outTok int64
	byBackend := map[string]int{}
	refused := 0
	for _, r := range recs {
		if r.Status == "error" && r.Attempts == 0 && strings.Contains(r.Error, "wire") {
			refused++
			continue
		}
		if r.Status != "ok" {
			t.Errorf("record %s: status %q (%s)", r.ID, r.Status, r.Error)
		}
		if r.InputTokens == nil || r.OutputTokens == nil || r.CostUSD == nil {
			t.Errorf("record %s: tokens or cost missing: %+v", r.ID, r)
			continue
		}
		in += *r.InputTokens
		outTok += *r.OutputTokens
		byBackend[r.Backend]++
	}
	cs, ls := cloud.Stats(), local.Stats()
	if in != cs.PromptTokens+ls.PromptTokens || outTok != cs.CompletionTokens+ls.CompletionTokens {
		t.Errorf("ledger tokens %d/%d, upstreams served %d/%d", in, outTok,
			cs.PromptTokens+ls.PromptTokens, cs.CompletionTokens+ls.CompletionTokens)
	}
	if refused != nodeRefused {
		t.Errorf("%d records of requests refused unsent, want %d", refused, nodeRefused)
	}
	if byBackend["local"] != 1 || byBackend["cloud-claude"] != 5 || byBackend["cloud-gpt"] != 6 {
		t.Errorf("ok records by backend %v, want local 1, cloud-claude 5, cloud-gpt 6", byBackend)
	}
}

type record struct {
	ID           string          `json:"id"`
	Backend      string          `json:"backend"`
	Status       string          `json:"status"`
	Error        string          `json:"error"`
	Attempts     int             `json:"attempts"`
	InputTokens  *int64          `json:"input_tokens"`
	OutputTokens *int64          `json:"output_tokens"`
	CostUSD      json.RawMessage `json:"cost_usd"`
}

func readLedger(t *testing.T, path string) []record {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var recs []record
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for n := 1; sc.Scan(); n++ {
		var r record
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("%s:%d: not JSON: %v", path, n, err)
		}
		if string(r.CostUSD) == "null" {
			r.CostUSD = nil
		}
		recs = append(recs, r)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return recs
}
