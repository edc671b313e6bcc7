package cli

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/llmcost/llmcost/pkg/catalog"
	"github.com/llmcost/llmcost/pkg/output"
	"github.com/spf13/cobra"
)

// CatalogLintOptions are the inputs of `catalog lint`.
type CatalogLintOptions struct {
	F        *Factory
	Against  string
	AsOf     string
	MinLevel string
	Stale    string
}

func newCmdCatalogLint(f *Factory, runF func(*CatalogLintOptions) error) *cobra.Command {
	opts := &CatalogLintOptions{F: f, MinLevel: "warning"}
	cmd := &cobra.Command{
		Use:   "lint",
		Short: "Find prices that cannot be right or are out of date",
		Long: `Check the catalog (the embedded one plus every --catalog DIR) for prices that
cannot be right or need a look:

  error    a cache read above the input price, a batch multiplier above 1, a
           long-context tier at or above the context window, no source
  warning  Anthropic cache writes that are not 1.25x (5m) / 2x (1h) input, a tier
           cheaper than the base, a deprecation or retirement date that has
           passed, a price verified more than 180 days ago (--stale AGE)
  info     a model that caches prompts but has no cache-read price (LiteLLM
           would bill cached tokens at $0)

--against FILE compares every model with another source, matched by id or alias:
a LiteLLM JSON file (imported on the fly), a catalog YAML file or directory
(e.g. the output of 'catalog import'). A rate that differs by more than 5% is a
warning naming both values and the difference.

--stale AGE (90d, 12w, or a number of days) lists every price whose verified
date is more than AGE before today (or --as-of): each price still to be billed,
the one in force and any scheduled, at its own file:line, plus each model's own
verified date. Superseded prices are history and are not re-checked. Stale
prices are warnings, so they do not change the exit status.

Exit status 1 when there is any error-level finding.`,
		Example: `  llmcost catalog lint
  llmcost catalog lint --against model_prices_and_context_window-2026-07-24.json
  llmcost catalog lint --stale 90d --format json
  llmcost catalog lint --catalog ./my-prices --against ./litellm --min-level info --format markdown`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if _, err := parseLevel(opts.MinLevel); err != nil {
				return err
			}
			if _, err := parseAsOf(opts.AsOf, f); err != nil {
				return err
			}
			if _, err := parseStaleAge(opts.Stale); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return catalogLintRun(opts)
		},
	}
	cmd.Flags().StringVar(&opts.Against, "against", "", "compare with `SOURCE`: a LiteLLM JSON file, a catalog YAML file or directory, or \"embedded\"")
	cmd.Flags().StringVar(&opts.AsOf, "as-of", "", "lint as of this date YYYY-MM-DD (default today)")
	cmd.Flags().StringVar(&opts.MinLevel, "min-level", "warning", "show findings at this level and above: info, warning or error")
	cmd.Flags().StringVar(&opts.Stale, "stale", "", "list every price verified more than `AGE` ago, e.g. 90d or 12w (default: the model's and current price's dates, 180d)")
	_ = cmd.RegisterFlagCompletionFunc("min-level", fixedCompletion("info", "warning", "error"))
	return cmd
}

// parseStaleAge reads --stale: "90d", "12w" or a bare number of days.
// "" means the default (0).
func parseStaleAge(s string) (int, error) {
	if s == "" {
		return 0, nil
	}
	num, mult := strings.TrimSpace(strings.ToLower(s)), 1
	switch {
	case strings.HasSuffix(num, "d"):
		num = strings.TrimSuffix(num, "d")
	case strings.HasSuffix(num, "w"):
		num, mult = strings.TrimSuffix(num, "w"), 7
	}
	n, err := strconv.Atoi(num)
	if err != nil || n < 1 || n > 36500 {
		return 0, FlagErrorf("invalid value %q for --stale: want an age such as 90d, 12w or 90 (days), at least 1 day", s)
	}
	return n * mult, nil
}

func parseLevel(s string) (int, error) {
	switch s {
	case "info":
		return 0, nil
	case "warning":
		return 1, nil
	case "error":
		return 2, nil
	}
	return 0, FlagErrorf("invalid value %q for --min-level: want info, warning or error", s)
}

// CatalogLintResult is the JSON of `catalog lint`.
type CatalogLintResult struct {
	SchemaVersion int               `json:"schema_version"`
	AsOf          string            `json:"as_of"`
	Against       string            `json:"against,omitempty"`
	StaleAfter    int               `json:"stale_after_days"`
	OK            bool              `json:"ok"`
	Models        int               `json:"models"`
	Counts        map[string]int    `json:"counts"`
	Findings      []catalog.Finding `json:"findings"`
	hidden        int
	minLevel      string
}

// Tables renders one row per finding.
func (r *CatalogLintResult) Tables() []output.TableData {
	t := output.TableData{
		Title:   fmt.Sprintf("%d models linted: errors %d, warnings %d, info %d", r.Models, r.Counts["error"], r.Counts["warning"], r.Counts["info"]),
		Headers: []string{"Level", "Model", "Field", "Where", "Message"},
		Align:   []output.Align{output.Left, output.Left, output.Left, output.Left, output.Left},
	}
	for _, fd := range r.Findings {
		where := fd.File
		if fd.Line > 0 {
			where = fmt.Sprintf("%s:%d", fd.File, fd.Line)
		}
		t.Rows = append(t.Rows, []string{string(fd.Level), fd.Model, fd.Field, where, fd.Message})
	}
	if r.hidden > 0 {
		t.Notes = append(t.Notes, fmt.Sprintf("%d findings below %s not shown (--min-level info shows all)", r.hidden, r.minLevel))
	}
	return []output.TableData{t}
}

func catalogLintRun(o *CatalogLintOptions) error {
	f := o.F
	format, err := f.Format()
	if err != nil {
		return err
	}
	asOf, _ := parseAsOf(o.AsOf, f)
	minLevel, _ := parseLevel(o.MinLevel)
	staleDays, _ := parseStaleAge(o.Stale)
	lintOpts := catalog.LintOptions{StaleAfterDays: staleDays, EveryPrice: o.Stale != ""}
	if staleDays == 0 {
		staleDays = 180
	}
	cat, err := f.Catalog()
	if err != nil {
		return err
	}
	var models []catalog.CloudModel
	for _, m := range cat.CloudModels() {
		models = append(models, *m)
	}
	var against []catalog.CloudModel
	if o.Against != "" {
		var note string
		if against, note, err = loadModelsArg(f, o.Against, f.Today()); err != nil {
			return flagScoped("against", err)
		}
		if note != "" {
			fmt.Fprintln(f.IOStreams.ErrOut, "note:", note)
		}
		if against == nil {
			against = []catalog.CloudModel{}
		}
	}
	all := catalog.LintWith(models, asOf, against, lintOpts)
	res := &CatalogLintResult{SchemaVersion: 1, AsOf: asOf.Format(time.DateOnly), Against: o.Against, StaleAfter: staleDays, Models: len(models),
		Counts: map[string]int{"error": 0, "warning": 0, "info": 0}, Findings: []catalog.Finding{}, minLevel: o.MinLevel}
	for _, fd := range all {
		res.Counts[string(fd.Level)]++
		lvl, _ := parseLevel(string(fd.Level))
		if lvl < minLevel {
			res.hidden++
			continue
		}
		res.Findings = append(res.Findings, fd)
	}
	res.OK = res.Counts["error"] == 0
	if err := output.Write(f.IOStreams, format, res); err != nil {
		return err
	}
	if !res.OK {
		return &ExitError{Code: ExitNegative, Msg: fmt.Sprintf("catalog lint: error-level findings: %d", res.Counts["error"])}
	}
	return nil
}
