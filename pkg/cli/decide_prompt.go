package cli

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/charmbracelet/huh"
	"github.com/charmbracelet/lipgloss"
	"github.com/llmcost/llmcost/pkg/decide"
	"github.com/llmcost/llmcost/pkg/units"
	"github.com/shopspring/decimal"
	"go.yaml.in/yaml/v3"
)

var roundedBorder = lipgloss.RoundedBorder()

// askDecide asks for the answers not given by flags or the file, one form
// per question set. Conditional questions (regulated share, minimum score,
// peak ratio, which GPUs) are separate forms run from Go rather than hidden
// groups: huh v1.0.0 accessible mode asks hidden groups anyway.
func askDecide(f *Factory, a *decide.Answers, accessible bool) error {
	cat, err := f.Catalog()
	if err != nil {
		return err
	}
	// In accessible mode an empty answer means "keep the default", but huh
	// validates the empty text before substituting the default.
	keep := func(v func(string) error) func(string) error {
		return func(s string) error {
			if accessible && strings.TrimSpace(s) == "" {
				return nil
			}
			return v(s)
		}
	}
	run := func(groups ...*huh.Group) error {
		form := huh.NewForm(groups...).WithTheme(huh.ThemeBase16()).WithShowHelp(!accessible)
		err := f.RunForm(form, accessible)
		if errors.Is(err, huh.ErrUserAborted) {
			return &ExitError{Code: ExitInterrupted, Msg: "cancelled"}
		}
		return err
	}

	// 1. Volume.
	if a.Monthly() == 0 {
		tokens := "2M"
		share := strconv.FormatFloat(a.Share(), 'f', -1, 64)
		if err := run(huh.NewGroup(
			huh.NewInput().Title("Tokens per month").
				Description("prompt + output, e.g. 2M, 500K, 300K/day").
				Value(&tokens).Validate(keep(func(s string) error { _, err := units.ParseMonthlyTokens(s); return promptErr(err) })),
			huh.NewInput().Title("Share of tokens that is input (prompt)").
				Description("0-1; chat is often 0.75, summarization 0.9").
				Value(&share).Validate(keep(validShare)),
		)); err != nil {
			return err
		}
		n, err := units.ParseMonthlyTokens(tokens)
		if err != nil {
			return &InputError{Err: fmt.Errorf("tokens per month: %w", err)}
		}
		a.TokensPerMonth = n
		if v, err := strconv.ParseFloat(strings.TrimSpace(share), 64); err == nil && v != decide.DefaultInputShare {
			a.InputShare = &v
		}
	}

	// 2. Privacy.
	if a.Privacy == "" {
		p := string(decide.PrivacyNone)
		if err := run(huh.NewGroup(huh.NewSelect[string]().Title("Can prompts leave your infrastructure?").
			Options(
				huh.NewOption("Yes, any provider (none)", string(decide.PrivacyNone)),
				huh.NewOption("Only under a data-processing contract (contractual)", string(decide.PrivacyContractual)),
				huh.NewOption("No: regulated data, GDPR/HIPAA (regulated)", string(decide.PrivacyRegulated)),
			).Value(&p))); err != nil {
			return err
		}
		a.Privacy = decide.Privacy(p)
		if a.Privacy == decide.PrivacyRegulated && a.RegulatedShare == nil {
			s := "1"
			if err := run(huh.NewGroup(huh.NewInput().Title("Share of traffic that is regulated").
				Description("1 = all of it; 0.3 = 30% must stay local, the rest may go anywhere").
				Value(&s).Validate(keep(validRegulatedShare)))); err != nil {
				return err
			}
			if v, err := strconv.ParseFloat(strings.TrimSpace(s), 64); err == nil && v < 1 {
				a.RegulatedShare = &v
			}
		}
	}

	// 3. Task and accuracy.
	if a.Task == "" {
		task := string(decide.TaskClassification)
		acc := string(decide.AccuracyGoodEnough)
		if a.Accuracy.Level != "" {
			acc = string(a.Accuracy.Level)
		}
		opts := make([]huh.Option[string], len(decide.Tasks))
		for i, t := range decide.Tasks {
			opts[i] = huh.NewOption(t, t)
		}
		if err := run(huh.NewGroup(
			huh.NewSelect[string]().Title("What does the model do?").Options(opts...).Value(&task),
			huh.NewSelect[string]().Title("How good must the answers be?").Options(
				huh.NewOption("Good enough for the task", string(decide.AccuracyGoodEnough)),
				huh.NewOption("The best available", string(decide.AccuracyBest)),
				huh.NewOption("A minimum benchmark score", string(decide.AccuracyMinScore)),
			).Value(&acc),
		)); err != nil {
			return err
		}
		a.Task = decide.Task(task)
		a.Accuracy.Level = decide.AccuracyLevel(acc)
		if a.Accuracy.Level == decide.AccuracyMinScore {
			s := "mmlu:70"
			if err := run(huh.NewGroup(huh.NewInput().Title("Minimum score").Description("BENCHMARK:SCORE, e.g. mmlu:70 or mmlu_pro:60").
				Value(&s).Validate(keep(func(s string) error { _, err := decide.ParseAccuracy(s); return err })))); err != nil {
				return err
			}
			acc, err := decide.ParseAccuracy(s)
			if err != nil || acc.Level != decide.AccuracyMinScore {
				return &InputError{Err: fmt.Errorf("minimum score: %q is not BENCHMARK:SCORE", s)}
			}
			a.Accuracy = acc
		}
	}

	// 4. Latency and context.
	if a.LatencySeconds == 0 && a.TTFTSeconds == 0 && a.ContextTokens == 0 {
		lat, ttft, ctx := "", "", decide.FormatContextTokens(decide.DefaultContextTokens)
		if err := run(huh.NewGroup(
			huh.NewInput().Title("Reply-time target in seconds").Description("whole reply; empty = no target").Value(&lat).Validate(validSeconds),
			huh.NewInput().Title("Time-to-first-token target in seconds").Description("empty = no target").Value(&ttft).Validate(validSeconds),
			huh.NewInput().Title("Context tokens per request").Description("prompt incl. documents and history; K = 1,024: 8K, 32K, 128K").Value(&ctx).
				Validate(keep(func(s string) error { _, err := decide.ParseContextTokens(s); return err })),
		)); err != nil {
			return err
		}
		a.LatencySeconds, _ = parseSeconds(lat)
		a.TTFTSeconds, _ = parseSeconds(ttft)
		if n, err := decide.ParseContextTokens(ctx); err == nil {
			a.ContextTokens = n
		}
	}

	// 5. Load.
	if a.Load == "" {
		load := string(decide.LoadSteady)
		if err := run(huh.NewGroup(huh.NewSelect[string]().Title("How predictable is the traffic?").Options(
			huh.NewOption("Steady", string(decide.LoadSteady)), huh.NewOption("Spiky (peaks well above the average)", string(decide.LoadSpiky)),
		).Value(&load))); err != nil {
			return err
		}
		a.Load = decide.Load(load)
		if a.Load == decide.LoadSpiky && a.PeakToAverage == 0 {
			s := strconv.FormatFloat(decide.DefaultPeakToAverage, 'f', -1, 64)
			if err := run(huh.NewGroup(huh.NewInput().Title("Peak traffic ÷ average traffic").Description("e.g. 3 when the busiest hour carries 3x the mean").
				Value(&s).Validate(keep(validPeak)))); err != nil {
				return err
			}
			a.PeakToAverage, _ = strconv.ParseFloat(strings.TrimSpace(s), 64)
		}
	}

	// 6. GPUs already owned (asked only of someone who has some).
	if len(a.HaveGPUs) == 0 {
		own := false
		if err := run(huh.NewGroup(huh.NewConfirm().Title("Do you already own GPUs you could use?").Value(&own))); err != nil {
			return err
		}
		if own {
			s := ""
			validate := func(s string) error {
				gs, err := parseOwnedList(s)
				if err != nil {
					return err
				}
				for _, g := range gs {
					if _, err := cat.GPU(g.GPU); err != nil {
						return err
					}
				}
				return nil
			}
			if err := run(huh.NewGroup(huh.NewInput().Title("Which GPUs?").Description("GPU or GPUxN, comma-separated: rtx-4090x2, a100-80gb").
				Value(&s).Validate(validate))); err != nil {
				return err
			}
			if err := validate(s); err != nil {
				return &InputError{Err: fmt.Errorf("GPUs owned: %w", err)}
			}
			a.HaveGPUs, _ = parseOwnedList(s)
		}
	}

	// 7. Budget and operations.
	if a.BudgetUSD == nil && a.OpsHoursPerMonth.IsZero() {
		budget, ops := "", "0"
		if err := run(huh.NewGroup(
			huh.NewInput().Title("Monthly budget in USD").Description("empty = no budget").Value(&budget).Validate(func(s string) error {
				if strings.TrimSpace(s) == "" {
					return nil
				}
				_, err := units.ParseUSD(s)
				return promptErr(err)
			}),
			huh.NewInput().Title("Hours a month you would spend operating local hardware").Description("priced at $75/hour; 0 to leave out").Value(&ops).Validate(keep(validHours)),
		)); err != nil {
			return err
		}
		if strings.TrimSpace(budget) != "" {
			if b, err := units.ParseUSD(budget); err == nil {
				a.BudgetUSD = &b
			}
		}
		if h, err := decimal.NewFromString(strings.TrimSpace(ops)); err == nil {
			a.OpsHoursPerMonth = h
		}
	}

	// 8. Summary.
	summary, _ := yaml.Marshal(a)
	ok := true
	if err := run(huh.NewGroup(
		huh.NewNote().Title("Your answers").Description(string(summary)),
		huh.NewConfirm().Title("Compute the verdict?").Affirmative("Yes").Negative("No").Value(&ok),
	)); err != nil {
		return err
	}
	if !ok {
		return &ExitError{Code: ExitInterrupted, Msg: "cancelled"}
	}
	fmt.Fprintf(f.IOStreams.ErrOut, "Replay these answers with --answers FILE:\n%s\n", summary)
	return nil
}

// promptErr shortens a units parse error for a prompt.
func promptErr(err error) error {
	var pe *units.ParseError
	if errors.As(err, &pe) {
		return errors.New(pe.Reason)
	}
	return err
}

func validShare(s string) error {
	v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || v <= 0 || v >= 1 {
		return errors.New("a share between 0 and 1, e.g. 0.75")
	}
	return nil
}

func validRegulatedShare(s string) error {
	v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || v <= 0 || v > 1 {
		return errors.New("a share above 0 and at most 1, e.g. 0.3")
	}
	return nil
}

func validPeak(s string) error {
	v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || v < 1 || v > 100 {
		return errors.New("a ratio between 1 and 100, e.g. 3")
	}
	return nil
}

func validHours(s string) error {
	v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || v < 0 || v > 744 {
		return errors.New("hours between 0 and 744")
	}
	return nil
}

func parseSeconds(s string) (float64, error) {
	s = strings.TrimSuffix(strings.TrimSpace(s), "s")
	if strings.TrimSpace(s) == "" {
		return 0, nil
	}
	v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || v < 0 || v > 3600 {
		return 0, errors.New("seconds between 0 and 3600, e.g. 2 or 0.5 (empty = no target)")
	}
	return v, nil
}

func validSeconds(s string) error { _, err := parseSeconds(s); return err }

func parseOwnedList(s string) ([]decide.OwnedGPU, error) {
	var out []decide.OwnedGPU
	for _, part := range strings.Split(s, ",") {
		if strings.TrimSpace(part) == "" {
			continue
		}
		g, err := decide.ParseOwnedGPU(part)
		if err != nil {
			return nil, err
		}
		out = append(out, g)
	}
	if len(out) == 0 {
		return nil, errors.New("name at least one GPU, e.g. rtx-4090x2")
	}
	return out, nil
}
