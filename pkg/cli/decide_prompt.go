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

// askDecide asks for the answers not given by flags or the file. The
// questions are one list of groups, each with a condition. On a full
// terminal they form one form whose conditional groups hide with
// WithHideFunc (no GPU question for someone who owns none; shift+tab goes
// back across groups). In accessible mode huh v1.0.0 asks hidden groups
// anyway, so each visible group runs as its own form, in order. Answers
// are parsed and checked again after the forms: accessible mode at EOF
// keeps defaults without validating.
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
	validGPUs := func(s string) error {
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

	// What is already answered is not asked.
	needVolume := a.Monthly() == 0
	needPrivacy := a.Privacy == ""
	needTask := a.Task == ""
	needLatency := a.LatencySeconds == 0 && a.TTFTSeconds == 0 && a.ContextTokens == 0
	needLoad := a.Load == ""
	needGPUs := len(a.HaveGPUs) == 0
	needBudget := a.BudgetUSD == nil && a.OpsHoursPerMonth.IsZero()

	// Answers as typed, with their defaults shown.
	tokens, share := "2M", strconv.FormatFloat(a.Share(), 'f', -1, 64)
	privacy, regShare := string(decide.PrivacyNone), "1"
	task, acc, minScore := string(decide.TaskClassification), string(decide.AccuracyGoodEnough), "mmlu:70"
	if a.Accuracy.Level != "" {
		acc = string(a.Accuracy.Level)
	}
	lat, ttft, ctx := "", "", decide.FormatContextTokens(decide.DefaultContextTokens)
	load, peak := string(decide.LoadSteady), strconv.FormatFloat(decide.DefaultPeakToAverage, 'f', -1, 64)
	own, gpus := false, ""
	budget, ops := "", "0"

	taskOpts := make([]huh.Option[string], len(decide.Tasks))
	for i, t := range decide.Tasks {
		taskOpts[i] = huh.NewOption(t, t)
	}
	type step struct {
		group *huh.Group
		show  func() bool
	}
	always := func(need bool) func() bool { return func() bool { return need } }
	steps := []step{
		{huh.NewGroup(
			huh.NewInput().Title("Tokens per month").Description("prompt + output, e.g. 2M, 500K, 300K/day").
				Value(&tokens).Validate(keep(func(s string) error { _, err := units.ParseMonthlyTokens(s); return promptErr(err) })),
			huh.NewInput().Title("Share of tokens that is input (prompt)").Description("0-1; chat is often 0.75, summarization 0.9").
				Value(&share).Validate(keep(validShare)),
		), always(needVolume)},
		{huh.NewGroup(huh.NewSelect[string]().Title("Can prompts leave your infrastructure?").Options(
			huh.NewOption("Yes, any provider (none)", string(decide.PrivacyNone)),
			huh.NewOption("Only under a data-processing contract (contractual)", string(decide.PrivacyContractual)),
			huh.NewOption("No: regulated data, GDPR/HIPAA (regulated)", string(decide.PrivacyRegulated)),
		).Value(&privacy)), always(needPrivacy)},
		{huh.NewGroup(huh.NewInput().Title("Share of traffic that is regulated").
			Description("1 = all of it; 0.3 = 30% must stay local, the rest may go anywhere").
			Value(&regShare).Validate(keep(validRegulatedShare))),
			func() bool {
				return needPrivacy && privacy == string(decide.PrivacyRegulated) && a.RegulatedShare == nil
			}},
		{huh.NewGroup(
			huh.NewSelect[string]().Title("What does the model do?").Options(taskOpts...).Value(&task),
			huh.NewSelect[string]().Title("How good must the answers be?").Options(
				huh.NewOption("Good enough for the task", string(decide.AccuracyGoodEnough)),
				huh.NewOption("The best available", string(decide.AccuracyBest)),
				huh.NewOption("A minimum benchmark score", string(decide.AccuracyMinScore)),
			).Value(&acc),
		), always(needTask)},
		{huh.NewGroup(huh.NewInput().Title("Minimum score").Description("BENCHMARK:SCORE, e.g. mmlu:70 or mmlu_pro:60").
			Value(&minScore).Validate(keep(func(s string) error { _, err := decide.ParseAccuracy(s); return err }))),
			func() bool { return needTask && acc == string(decide.AccuracyMinScore) }},
		{huh.NewGroup(
			huh.NewInput().Title("Reply-time target in seconds").Description("whole reply; empty = no target").Value(&lat).Validate(validSeconds),
			huh.NewInput().Title("Time-to-first-token target in seconds").Description("empty = no target").Value(&ttft).Validate(validSeconds),
			huh.NewInput().Title("Context tokens per request").Description("prompt incl. documents and history; K = 1,024: 8K, 32K, 128K").Value(&ctx).
				Validate(keep(func(s string) error { _, err := decide.ParseContextTokens(s); return err })),
		), always(needLatency)},
		{huh.NewGroup(huh.NewSelect[string]().Title("How predictable is the traffic?").Options(
			huh.NewOption("Steady", string(decide.LoadSteady)), huh.NewOption("Spiky (peaks well above the average)", string(decide.LoadSpiky)),
		).Value(&load)), always(needLoad)},
		{huh.NewGroup(huh.NewInput().Title("Peak traffic ÷ average traffic").Description("e.g. 3 when the busiest hour carries 3x the mean").
			Value(&peak).Validate(keep(validPeak))),
			func() bool { return needLoad && load == string(decide.LoadSpiky) && a.PeakToAverage == 0 }},
		{huh.NewGroup(huh.NewConfirm().Title("Do you already own GPUs you could use?").Value(&own)), always(needGPUs)},
		{huh.NewGroup(huh.NewInput().Title("Which GPUs?").Description("GPU or GPUxN, comma-separated: rtx-4090x2, a100-80gb").
			Value(&gpus).Validate(validGPUs)),
			func() bool { return needGPUs && own }},
		{huh.NewGroup(
			huh.NewInput().Title("Monthly budget in USD").Description("empty = no budget").Value(&budget).Validate(func(s string) error {
				if strings.TrimSpace(s) == "" {
					return nil
				}
				_, err := units.ParseUSD(s)
				return promptErr(err)
			}),
			huh.NewInput().Title("Hours a month you would spend operating local hardware").Description("priced at $75/hour; 0 to leave out").Value(&ops).Validate(keep(validHours)),
		), always(needBudget)},
	}
	if accessible {
		for _, st := range steps {
			if st.show() {
				if err := run(st.group); err != nil {
					return err
				}
			}
		}
	} else {
		groups := make([]*huh.Group, len(steps))
		for i, st := range steps {
			show := st.show
			groups[i] = st.group.WithHideFunc(func() bool { return !show() })
		}
		if err := run(groups...); err != nil {
			return err
		}
	}

	// Parse what was asked; every value is checked again here.
	var errs []error
	bad := func(what string, err error) { errs = append(errs, fmt.Errorf("%s: %w", what, err)) }
	if needVolume {
		n, err := units.ParseMonthlyTokens(tokens)
		if err != nil {
			bad("tokens per month", err)
		}
		a.TokensPerMonth = n
		if err := validShare(share); err != nil {
			bad("input share", err)
		} else if v, _ := strconv.ParseFloat(strings.TrimSpace(share), 64); v != decide.DefaultInputShare {
			a.InputShare = &v
		}
	}
	if needPrivacy {
		a.Privacy = decide.Privacy(privacy)
		if a.Privacy == decide.PrivacyRegulated && a.RegulatedShare == nil {
			if err := validRegulatedShare(regShare); err != nil {
				bad("regulated share", err)
			} else if v, _ := strconv.ParseFloat(strings.TrimSpace(regShare), 64); v < 1 {
				a.RegulatedShare = &v
			}
		}
	}
	if needTask {
		a.Task = decide.Task(task)
		a.Accuracy = decide.Accuracy{Level: decide.AccuracyLevel(acc)}
		if a.Accuracy.Level == decide.AccuracyMinScore {
			if p, err := decide.ParseAccuracy(minScore); err != nil || p.Level != decide.AccuracyMinScore {
				bad("minimum score", fmt.Errorf("%q is not BENCHMARK:SCORE", minScore))
			} else {
				a.Accuracy = p
			}
		}
	}
	if needLatency {
		var err error
		if a.LatencySeconds, err = parseSeconds(lat); err != nil {
			bad("reply-time target", err)
		}
		if a.TTFTSeconds, err = parseSeconds(ttft); err != nil {
			bad("time-to-first-token target", err)
		}
		if n, err := decide.ParseContextTokens(ctx); err != nil {
			bad("context", err)
		} else if n != decide.DefaultContextTokens {
			a.ContextTokens = n
		}
	}
	if needLoad {
		a.Load = decide.Load(load)
		if a.Load == decide.LoadSpiky && a.PeakToAverage == 0 {
			if err := validPeak(peak); err != nil {
				bad("peak ratio", err)
			} else {
				a.PeakToAverage, _ = strconv.ParseFloat(strings.TrimSpace(peak), 64)
			}
		}
	}
	if needGPUs && own {
		if err := validGPUs(gpus); err != nil {
			bad("GPUs owned", err)
		}
		a.HaveGPUs, _ = parseOwnedList(gpus)
	}
	if needBudget {
		if strings.TrimSpace(budget) != "" {
			if b, err := units.ParseUSD(budget); err != nil {
				bad("budget", err)
			} else {
				a.BudgetUSD = &b
			}
		}
		if err := validHours(ops); err != nil {
			bad("operations hours", err)
		} else if h, _ := decimal.NewFromString(strings.TrimSpace(ops)); h.IsPositive() {
			a.OpsHoursPerMonth = h
		}
	}
	if err := errors.Join(errs...); err != nil {
		return &InputError{Err: err}
	}

	// The summary, and a last chance to stop.
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
