package bench

import (
	"fmt"
	"strings"

	"github.com/tiktoken-go/tokenizer"
)

// passage is plain prose (written for llmcost) that prompts are cut from:
// real words tokenize like real prompts, where random characters or one
// repeated word would not.
const passage = `The river starts as a thin line of water under a field of stones, high
above the last farm. For most of the year it is quiet enough to cross in a
single step, and the sheep that graze the slope drink from it without
looking up. In spring the snow melts all at once, and the same stream grows
loud and brown, carrying branches, gravel and once, the farmers say, a whole
wooden gate down to the valley. By the time it reaches the town it has been
joined by six smaller streams and has a name, a bridge and a mill that no
longer grinds anything but is kept painted because visitors like it.
The miller's family still lives in the house beside the wheel. They keep a
notebook of the water level, written every morning at seven for more than
ninety years, and the pages show things no one remembers on purpose: the dry
summer when the wheel stopped, the winter the river froze so hard that
children walked on it to school, the week of rain when the cellar filled and
the notebook itself had to be carried upstairs. Engineers from the city came
to copy the figures when they planned the new flood wall, and they were
surprised that a column of numbers kept by hand agreed so closely with their
instruments. Downstream the valley opens and the river slows. It bends
around orchards and the old railway embankment, splits around a long island
where herons nest, and meets the sea in a wide, shallow bay that changes
shape with every storm. Fishermen read the bay the way the miller reads his
notebook, from habit and memory, and they can tell from the colour of the
water how much rain fell in the hills two days before. `

// instruction opens every prompt, after its unique prefix, so the server
// has a reason to keep writing until --output-tokens.
const instruction = "Read the passage below, then continue it in the same style for as long as you can, without summarizing or stopping early.\n\n"

// Prompts builds prompts of a given token length from the passage, each
// starting with a different prefix: servers with prefix caching (vLLM,
// llama.cpp, SGLang) would otherwise answer later requests from cache and
// report a time to first token no real traffic gets.
type Prompts struct {
	run    string
	body   string
	tokens int
	counts func(string) (int, error)
	// Exact is true when the tokenizer is the model's own (OpenAI models);
	// otherwise o200k_base stands in and the server's count differs.
	Exact bool
	// Tokenizer names the encoding used to count.
	Tokenizer string
}

// NewPrompts cuts prompts of about tokens tokens (by model's tokenizer
// where tiktoken knows the model, else o200k_base). run makes the prefixes
// of this run differ from those of earlier runs against the same server.
func NewPrompts(model string, tokens int, run string) (*Prompts, error) {
	if tokens < 1 {
		return nil, fmt.Errorf("prompt tokens must be at least 1")
	}
	codec, err := tokenizer.ForModel(tokenizer.Model(model))
	exact := err == nil
	if err != nil {
		if codec, err = tokenizer.Get(tokenizer.O200kBase); err != nil {
			return nil, err
		}
	}
	p := &Prompts{run: run, tokens: tokens, counts: codec.Count, Exact: exact, Tokenizer: codec.GetName()}
	fixed, err := codec.Count(p.prefix(0) + instruction)
	if err != nil {
		return nil, err
	}
	want := tokens - fixed
	if want <= 0 {
		return p, nil
	}
	text := passage
	ids, _, err := codec.Encode(text)
	if err != nil {
		return nil, err
	}
	for len(ids) < want {
		text += passage
		if ids, _, err = codec.Encode(text); err != nil {
			return nil, err
		}
	}
	if p.body, err = codec.Decode(ids[:want]); err != nil {
		return nil, err
	}
	return p, nil
}

func (p *Prompts) prefix(i int) string {
	return fmt.Sprintf("[bench %s #%d] ", p.run, i)
}

// Prompt is request i's prompt.
func (p *Prompts) Prompt(i int) string {
	if p.body == "" {
		// Shorter than the instruction: the prefix and as much of it as fits.
		words := strings.Fields(instruction)
		return p.prefix(i) + strings.Join(words[:min(len(words), p.tokens)], " ")
	}
	return p.prefix(i) + instruction + p.body
}

// Count is the local token count of request i's prompt.
func (p *Prompts) Count(i int) (int, error) { return p.counts(p.Prompt(i)) }
