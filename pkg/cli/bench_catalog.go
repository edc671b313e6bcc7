package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/llmcost/llmcost/pkg/bench"
	"github.com/llmcost/llmcost/pkg/catalog"
	"github.com/shopspring/decimal"
)

// BenchCatalogFile is the file `bench --write-catalog DIR` writes in DIR.
const BenchCatalogFile = "llmcost-bench.yaml"

// benchCatalogTarget is the resolved catalog key the rows are filed under.
type benchCatalogTarget struct {
	model, gpu, quant string
}

// resolveCatalogTarget checks --gpu, --quant and --catalog-model against the
// catalog before any request is sent: a typo is a flag error, not a lost run.
func (o *BenchOptions) resolveCatalogTarget() (*benchCatalogTarget, error) {
	if o.WriteCatalog == "" {
		for _, name := range []string{"gpu", "gpus", "quant", "catalog-model"} {
			if o.catalogFlagsSet[name] {
				return nil, FlagErrorf("--%s only goes with --write-catalog DIR", name)
			}
		}
		return nil, nil
	}
	if o.GPU == "" {
		return nil, FlagErrorf("--write-catalog needs --gpu, the catalog GPU id the server runs on (see `llmcost catalog list --gpus`)")
	}
	if o.Quant == "" {
		return nil, FlagErrorf("--write-catalog needs --quant, the catalog quantization id the server's weights use")
	}
	if o.GPUCount < 1 {
		return nil, FlagErrorf("--gpus %d must be at least 1", o.GPUCount)
	}
	cat, err := o.F.Catalog()
	if err != nil {
		return nil, err
	}
	g, err := cat.GPU(o.GPU)
	if err != nil {
		return nil, FlagErrorf("--gpu: %v", err)
	}
	q, err := cat.Quant(o.Quant)
	if err != nil {
		return nil, FlagErrorf("--quant: %v", err)
	}
	name := o.CatalogModel
	if name == "" {
		m, err := cat.Open(o.Model)
		if err != nil {
			return nil, FlagErrorf("--model %q is not a catalog open model: pass --catalog-model ID, the catalog open model the server serves", o.Model)
		}
		return &benchCatalogTarget{model: m.ID.V, gpu: g.ID.V, quant: q.ID.V}, nil
	}
	m, err := cat.Open(name)
	if err != nil {
		return nil, FlagErrorf("--catalog-model: %v", err)
	}
	return &benchCatalogTarget{model: m.ID.V, gpu: g.ID.V, quant: q.ID.V}, nil
}

// serverLabel is the base URL without user info, query or fragment, so no
// credential embedded in the URL reaches the file.
func serverLabel(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable URL)"
	}
	u.User, u.RawQuery, u.Fragment, u.ForceQuery = nil, "", "", false
	return u.String()
}

// benchRows turns the sweep's levels into catalog benchmark rows. decode_tps
// follows the catalog's meaning: one stream's median speed at concurrency 1,
// the aggregate output tok/s above it. prefill_tps (concurrency 1 only) is
// the mean prompt length over the median TTFT. A level with failed requests
// or no speed is left out and named in skipped.
func benchRows(t *benchCatalogTarget, gpus int, baseURL, serverModel string, day time.Time, res *bench.Result) (rows []catalog.Benchmark, skipped []string) {
	server := serverLabel(baseURL)
	date := catalog.Date{Time: day}
	src := fmt.Sprintf("llmcost bench %s on %s", server, day.Format(time.DateOnly))
	r2 := func(v float64) catalog.Num { return catalog.N(decimal.NewFromFloat(v).Round(2)) }
	for _, lv := range res.Levels {
		if lv.Errors > 0 || lv.Requests == 0 {
			skipped = append(skipped, fmt.Sprintf("concurrency %d (%d failed request(s))", lv.Concurrency, lv.Errors))
			continue
		}
		decode := lv.StreamTokensPerSecond.P50
		if lv.Concurrency > 1 {
			decode = lv.OutputTokensPerSecond
		}
		if decode <= 0 || r2(decode).D.Sign() <= 0 {
			skipped = append(skipped, fmt.Sprintf("concurrency %d (no decode speed)", lv.Concurrency))
			continue
		}
		row := catalog.Benchmark{
			Model: t.model, GPU: t.gpu, Quant: t.quant,
			DecodeTPS: r2(decode), Source: src, Verified: date, Measured: date,
			Server: server, ServerModel: serverModel,
			Notes: fmt.Sprintf("stream p50 %s tok/s, aggregate %s tok/s, TTFT p50 %s ms, %d requests",
				strconv.FormatFloat(lv.StreamTokensPerSecond.P50, 'f', 1, 64),
				strconv.FormatFloat(lv.OutputTokensPerSecond, 'f', 1, 64),
				strconv.FormatFloat(lv.TTFTMS.P50, 'f', 1, 64), lv.Requests),
		}
		if gpus > 1 {
			row.GPUs = catalog.N(decimal.NewFromInt(int64(gpus)))
		}
		// The mean context the decode was measured at (prompt + half the
		// reply): estimates at other contexts scale from it.
		if ctx := (2*lv.InputTokens + lv.OutputTokens) / int64(2*lv.Requests); ctx > 0 {
			row.ContextTokens = catalog.N(decimal.NewFromInt(ctx))
		}
		if lv.Concurrency > 1 {
			row.Concurrency = catalog.N(decimal.NewFromInt(int64(lv.Concurrency)))
		}
		if lv.Concurrency == 1 && lv.TTFTMS.P50 > 0 && lv.InputTokens > 0 {
			prompt := float64(lv.InputTokens) / float64(lv.Requests)
			if p := r2(prompt / (lv.TTFTMS.P50 / 1000)); p.D.Sign() > 0 {
				row.PrefillTPS = p
			}
		}
		rows = append(rows, row)
	}
	return rows, skipped
}

func benchKeyOf(b catalog.Benchmark) string {
	n := func(v catalog.Num) int64 {
		if !v.Set || v.D.IntPart() < 1 {
			return 1
		}
		return v.D.IntPart()
	}
	return fmt.Sprintf("%s\x00%s\x00%s\x00%d\x00%d", b.Model, b.GPU, b.Quant, n(b.GPUs), n(b.Concurrency))
}

// writeBenchCatalog merges rows into DIR/llmcost-bench.yaml: rows already
// there stay, except those with the same model, gpu, quant, gpus and
// concurrency, which the new rows replace. The file is written atomically.
func writeBenchCatalog(dir string, rows []catalog.Benchmark) (string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", &InputError{Err: fmt.Errorf("--write-catalog %s: %w", dir, err)}
	}
	path := filepath.Join(dir, BenchCatalogFile)
	file := catalog.File{SchemaVersion: 1}
	data, err := os.ReadFile(path)
	switch {
	case err == nil:
		file, err = catalog.DecodeFileStrict(data)
		if err != nil {
			return "", &InputError{Err: fmt.Errorf("%s: %v (fix or remove it; it was not changed)", path, err)}
		}
	case !errors.Is(err, fs.ErrNotExist):
		return "", &InputError{Err: fmt.Errorf("--write-catalog: %w", err)}
	}
	replace := map[string]bool{}
	for _, r := range rows {
		replace[benchKeyOf(r)] = true
	}
	kept := file.Benchmarks[:0]
	for _, b := range file.Benchmarks {
		if !replace[benchKeyOf(b)] {
			kept = append(kept, b)
		}
	}
	file.Benchmarks = append(kept, rows...)
	if file.SchemaVersion == 0 {
		file.SchemaVersion = 1
	}
	out, err := catalog.MarshalFileYAML(file,
		"Written by `llmcost bench --write-catalog`: measured on your own server.",
		"Load it with --catalog "+dir+". A new run replaces rows with the same model, gpu, quant, gpus and concurrency.",
		"decode_tps: one stream's median tok/s at concurrency 1, the aggregate output tok/s above it.")
	if err != nil {
		return "", err
	}
	if _, err := catalog.DecodeFileStrict(out); err != nil {
		return "", fmt.Errorf("internal: the catalog file does not read back: %w", err)
	}
	if err := catalog.WriteFileAtomic(path, out); err != nil {
		return "", &InputError{Err: fmt.Errorf("--write-catalog: %w", err)}
	}
	return path, nil
}
