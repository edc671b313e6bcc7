package units_test

import (
	"io"
	"testing"

	"github.com/spf13/pflag"

	"github.com/llmcost/llmcost/pkg/units"
)

// The package does not import pflag; this test proves the values fit it.
var (
	_ pflag.Value = (*units.TokensValue)(nil)
	_ pflag.Value = (*units.MonthlyTokensValue)(nil)
)

func newFlagSet() (*pflag.FlagSet, *units.TokensValue, *units.TokensValue, *units.MonthlyTokensValue) {
	fs := pflag.NewFlagSet("test", pflag.ContinueOnError)
	fs.SetOutput(io.Discard)
	tokens := &units.TokensValue{N: 10_000_000}
	cached := &units.TokensValue{AllowZero: true}
	monthly := &units.MonthlyTokensValue{N: 1_000_000}
	fs.Var(tokens, "tokens", "tokens per request")
	fs.Var(cached, "cached-tokens", "cached tokens")
	fs.Var(monthly, "volume", "tokens per month or per period")
	return fs, tokens, cached, monthly
}

func TestFlagValues(t *testing.T) {
	fs, tokens, cached, monthly := newFlagSet()
	if err := fs.Parse([]string{"--tokens", "1.5k", "--cached-tokens", "0", "--volume", "300K/day"}); err != nil {
		t.Fatal(err)
	}
	if tokens.N != 1500 || cached.N != 0 || monthly.N != 9_125_000 {
		t.Errorf("got tokens=%d cached=%d monthly=%d, want 1500 0 9125000", tokens.N, cached.N, monthly.N)
	}
	if got := fs.Lookup("tokens").Value.String(); got != "1.5k" {
		t.Errorf("tokens String() = %q, want 1.5k", got)
	}
	if got := fs.Lookup("volume").Value.String(); got != "9.125M" {
		t.Errorf("volume String() = %q, want 9.125M", got)
	}
	if got := fs.Lookup("tokens").DefValue; got != "10M" {
		t.Errorf("tokens default shown as %q, want 10M", got)
	}
	if tokens.Type() != "tokens" || monthly.Type() != "tokens/period" {
		t.Errorf("Type() = %q, %q", tokens.Type(), monthly.Type())
	}
}

func TestFlagValueErrors(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"--tokens", "10Q"}, `invalid value "10Q" for --tokens: unknown suffix "Q" (use k, M, B or T)`},
		{[]string{"--tokens", "0"}, `invalid value "0" for --tokens: must be greater than zero`},
		{[]string{"--cached-tokens", "-1"}, `invalid value "-1" for --cached-tokens: must not be negative`},
		{[]string{"--volume", "10M/fortnight"}, `invalid value "10M/fortnight" for --volume: unknown period "fortnight" (use hour, day, week, month or year)`},
	}
	for _, tt := range tests {
		fs, tokens, _, _ := newFlagSet()
		err := fs.Parse(tt.args)
		if err == nil {
			t.Errorf("%v: no error", tt.args)
			continue
		}
		// What a cobra FlagErrorFunc does: find the ParseError under pflag's wrapper and name the flag.
		if got := units.WithFlag(err, tt.args[0]).Error(); got != tt.want {
			t.Errorf("%v: %q, want %q", tt.args, got, tt.want)
		}
		if tokens.N != 10_000_000 {
			t.Errorf("%v: a rejected value changed the flag to %d", tt.args, tokens.N)
		}
	}
}
