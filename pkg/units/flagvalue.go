package units

// TokensValue is a pflag.Value for a token quantity flag (--tokens 10M).
// Register it with cmd.Flags().Var(&v, "tokens", "..."). Set returns a
// *ParseError; use WithFlag on the error cobra reports to name the flag once.
type TokensValue struct {
	N         int64
	AllowZero bool
}

// Set parses s with ParseTokens (or ParseTokensAllowZero when AllowZero).
func (v *TokensValue) Set(s string) error {
	n, err := parseTokens(s, v.AllowZero)
	if err != nil {
		return err
	}
	v.N = n
	return nil
}

// String gives the value back in a form Set accepts ("10M", "1.5k").
func (v *TokensValue) String() string {
	if v == nil {
		return "0"
	}
	return FormatTokensExact(v.N)
}

// Type is the placeholder shown in help ("--tokens tokens").
func (v *TokensValue) Type() string { return "tokens" }

// MonthlyTokensValue is a pflag.Value for a monthly token volume flag: a
// plain quantity is per month, a rate like 300K/day is converted (see
// ParseMonthlyTokens). N is tokens per month.
type MonthlyTokensValue struct {
	N int64
}

// Set parses s with ParseMonthlyTokens.
func (v *MonthlyTokensValue) Set(s string) error {
	n, err := ParseMonthlyTokens(s)
	if err != nil {
		return err
	}
	v.N = n
	return nil
}

// String gives tokens per month in a form Set accepts.
func (v *MonthlyTokensValue) String() string {
	if v == nil {
		return "0"
	}
	return FormatTokensExact(v.N)
}

// Type is the placeholder shown in help.
func (v *MonthlyTokensValue) Type() string { return "tokens/period" }
