package route

import "math"

// Sentinel is the logprob servers send for "not in the top-k" (vLLM and
// OpenAI clamp to it); it means -inf and is skipped, not averaged.
const Sentinel = -9999.0

// Confidence summarises the token logprobs of one answer.
type Confidence struct {
	Score   float64 // exp(mean logprob): geometric-mean token probability
	Mean    float64 // mean logprob
	Min     float64 // lowest logprob (one confabulated token that a mean hides)
	Tokens  int     // logprobs used
	Clamped int     // sentinel or non-finite values skipped
}

// ConfidenceOf computes confidence from logprobs; ok is false when there
// is no usable logprob, and then confidence is unknown (never a guess).
func ConfidenceOf(logprobs []float64) (c Confidence, ok bool) {
	sum := 0.0
	c.Min = math.Inf(1)
	for _, l := range logprobs {
		if l <= Sentinel || math.IsNaN(l) || math.IsInf(l, 0) || l > 0 {
			c.Clamped++
			continue
		}
		sum += l
		c.Tokens++
		c.Min = min(c.Min, l)
	}
	if c.Tokens == 0 {
		return Confidence{Clamped: c.Clamped}, false
	}
	c.Mean = sum / float64(c.Tokens)
	c.Score = math.Exp(c.Mean)
	return c, true
}
