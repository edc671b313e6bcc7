package decide

// The task mapping. The cloud catalog carries no quality scores, so each
// task names its cloud candidates by hand, in two tiers:
//
//   - value: models the providers position for high-volume, lower-stakes
//     work of this kind (the "mini/flash/haiku" class), used for
//     accuracy good-enough;
//   - frontier: the providers' strongest general models for the task, used
//     for accuracy best and for a minimum score (which no cloud entry can
//     prove, so the frontier is the only honest answer).
//
// Local models qualify by their published scores in the catalog: a model
// without the score a task needs does not qualify (unknown is not good).
// The good-enough bars follow the seed article's matrix: 7B-class models
// (Mistral 7B: MMLU 60.3) are fine for classification and extraction;
// summarization, QA and creative writing want a stronger generalist
// (MMLU 68, Llama 3.1 8B / Phi-3.5-mini class); code, reasoning and agents
// want a 70B-class model (MMLU-Pro 65: Llama 3.3 70B 68.9, Qwen2.5 72B 71.6).
// "best" is frontier quality, which no local model in the catalog is shown
// to reach; local then serves only traffic that must not leave (regulated).

type taskProfile struct {
	value, frontier []string
	benchmark       string  // the score local models are judged by
	minScore        float64 // the good-enough bar
}

var taskProfiles = map[Task]taskProfile{
	TaskClassification: {
		value:     []string{"gpt-5-nano", "gemini-2.5-flash-lite", "gpt-4.1-nano", "gpt-4.1-mini", "claude-haiku-4.5", "deepseek-v4-flash"},
		frontier:  []string{"gpt-5-mini", "gemini-2.5-flash", "claude-sonnet-4.6"},
		benchmark: "mmlu", minScore: 60,
	},
	TaskExtraction: {
		value:     []string{"gpt-5-nano", "gemini-2.5-flash-lite", "gpt-4.1-mini", "claude-haiku-4.5", "deepseek-v4-flash"},
		frontier:  []string{"gpt-5-mini", "gemini-2.5-flash", "claude-sonnet-4.6"},
		benchmark: "mmlu", minScore: 60,
	},
	TaskSummarization: {
		value:     []string{"gpt-5-mini", "gemini-2.5-flash", "claude-haiku-4.5", "deepseek-v4-flash", "gemini-3-flash"},
		frontier:  []string{"claude-sonnet-4.6", "gpt-5.4", "gemini-2.5-pro"},
		benchmark: "mmlu", minScore: 68,
	},
	TaskQA: {
		value:     []string{"gpt-5-mini", "gemini-2.5-flash", "claude-haiku-4.5", "deepseek-v4-flash", "gemini-3-flash"},
		frontier:  []string{"claude-sonnet-4.6", "gpt-5.4", "gemini-2.5-pro"},
		benchmark: "mmlu", minScore: 68,
	},
	TaskCreative: {
		value:     []string{"gpt-5-mini", "claude-haiku-4.5", "gemini-2.5-flash", "gemini-3-flash"},
		frontier:  []string{"claude-sonnet-4.6", "gpt-5.4", "claude-opus-4.5"},
		benchmark: "mmlu", minScore: 68,
	},
	TaskCode: {
		value:     []string{"claude-haiku-4.5", "gpt-5-mini", "gemini-3-flash", "deepseek-v4-flash"},
		frontier:  []string{"claude-sonnet-4.6", "gpt-5.4", "claude-opus-4.5"},
		benchmark: "mmlu_pro", minScore: 65,
	},
	TaskAgents: {
		value:     []string{"claude-haiku-4.5", "gpt-5-mini", "gemini-3-flash"},
		frontier:  []string{"claude-sonnet-4.6", "gpt-5.4", "claude-opus-4.5"},
		benchmark: "mmlu_pro", minScore: 65,
	},
	TaskReasoning: {
		value:     []string{"gpt-5-mini", "o4-mini", "gemini-2.5-flash", "deepseek-v4-flash"},
		frontier:  []string{"gpt-5.4", "claude-opus-4.5", "gemini-2.5-pro"},
		benchmark: "mmlu_pro", minScore: 65,
	},
}

// cloudCandidates are the catalog ids considered for a task and accuracy.
func cloudCandidates(t Task, acc Accuracy) []string {
	p := taskProfiles[t]
	if acc.Level == AccuracyBest || acc.Level == AccuracyMinScore {
		return p.frontier
	}
	return p.value
}

// localBar is the benchmark and minimum score a local model must reach,
// and false when no local model can qualify on quality (accuracy best).
func localBar(t Task, acc Accuracy) (bench string, min float64, ok bool) {
	switch acc.Level {
	case AccuracyBest:
		p := taskProfiles[t]
		return p.benchmark, 0, false // the benchmark still ranks local models when privacy forces one
	case AccuracyMinScore:
		return acc.Benchmark, acc.MinScore, true
	}
	p := taskProfiles[t]
	return p.benchmark, p.minScore, true
}
