package route

import (
	"sync"

	"github.com/tiktoken-go/tokenizer"
)

// TokenCounter counts prompt tokens locally (for --dry-run). exact is
// false when the count comes from a tokenizer that is not the model's own.
type TokenCounter interface {
	Count(model, text string) (n int, exact bool, err error)
}

// Tiktoken counts with OpenAI's tokenizers: the model's own for OpenAI
// models, o200k_base as an estimate for everything else. Vocabularies are
// loaded on first use, never at program start (they cost tens of MB).
type Tiktoken struct {
	mu     sync.Mutex
	codecs map[string]codecEntry
}

type codecEntry struct {
	codec tokenizer.Codec
	exact bool
}

// Count implements TokenCounter.
func (t *Tiktoken) Count(model, text string) (int, bool, error) {
	e, err := t.codec(model)
	if err != nil {
		return 0, false, err
	}
	n, err := e.codec.Count(text)
	return n, e.exact, err
}

func (t *Tiktoken) codec(model string) (codecEntry, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if e, ok := t.codecs[model]; ok {
		return e, nil
	}
	if t.codecs == nil {
		t.codecs = map[string]codecEntry{}
	}
	e := codecEntry{exact: true}
	c, err := tokenizer.ForModel(tokenizer.Model(model))
	if err != nil {
		e.exact = false
		if c, err = tokenizer.Get(tokenizer.O200kBase); err != nil {
			return codecEntry{}, err
		}
	}
	e.codec = c
	t.codecs[model] = e
	return e, nil
}
