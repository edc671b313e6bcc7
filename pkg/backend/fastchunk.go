package backend

import (
	"strconv"
	"unicode/utf8"
)

// decodeChunkFast decodes the common shape of a chat.completion.chunk
// (text deltas: id, object, created, model, system_fingerprint,
// service_tier, usage: null, and choices of index, delta {role, content},
// logprobs: null, finish_reason) without encoding/json's reflection and
// validation pass, which were most of the cost of relaying a stream. It
// reports false for anything else (other keys, escapes in strings, nested
// values where null is expected), and the caller then decodes with
// encoding/json as before: the result is the same either way, which
// FuzzDecodeChunkFast checks.
func decodeChunkFast(data []byte, c *wireChunk) bool {
	if !utf8.Valid(data) {
		return false // encoding/json would replace invalid bytes
	}
	p := chunkParser{b: data}
	seenChoices := false
	ok := p.object(func(key []byte) bool {
		switch string(key) {
		case "model":
			s, ok := p.str()
			c.Model = s
			return ok
		case "id", "object", "system_fingerprint", "service_tier":
			return p.nullOrStr()
		case "created":
			return p.number()
		case "usage":
			return p.null()
		case "choices":
			if seenChoices {
				return false // a second "choices": encoding/json merges the two; let it
			}
			seenChoices = true
			c.Choices = c.Choices[:0]
			return p.array(func() bool {
				c.Choices = append(c.Choices, wireChunkChoice{})
				ch := &c.Choices[len(c.Choices)-1]
				return p.object(func(key []byte) bool {
					switch string(key) {
					case "index":
						n, ok := p.integer()
						ch.Index = n
						return ok
					case "delta":
						return p.object(func(key []byte) bool {
							switch string(key) {
							case "role", "refusal":
								return p.nullOrStr()
							case "content":
								if p.peek() == 'n' {
									return p.null()
								}
								s, ok := p.str()
								ch.Delta.Content = s
								return ok
							}
							return false
						})
					case "logprobs":
						return p.null()
					case "finish_reason":
						if p.peek() == 'n' {
							return p.null()
						}
						s, ok := p.str()
						ch.FinishReason = s
						return ok
					}
					return false
				})
			})
		}
		return false
	})
	if !ok {
		return false
	}
	p.space()
	return p.i == len(p.b)
}

// chunkParser reads the subset of JSON decodeChunkFast accepts.
type chunkParser struct {
	b []byte
	i int
}

func (p *chunkParser) space() {
	for p.i < len(p.b) {
		switch p.b[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

func (p *chunkParser) peek() byte {
	p.space()
	if p.i < len(p.b) {
		return p.b[p.i]
	}
	return 0
}

func (p *chunkParser) lit(s string) bool {
	p.space()
	if len(p.b)-p.i >= len(s) && string(p.b[p.i:p.i+len(s)]) == s {
		p.i += len(s)
		return true
	}
	return false
}

func (p *chunkParser) null() bool { return p.lit("null") }

// rawStr reads a string without escapes or control characters.
func (p *chunkParser) rawStr() ([]byte, bool) {
	p.space()
	if p.i >= len(p.b) || p.b[p.i] != '"' {
		return nil, false
	}
	start := p.i + 1
	for j := start; j < len(p.b); j++ {
		switch c := p.b[j]; {
		case c == '"':
			p.i = j + 1
			return p.b[start:j], true
		case c == '\\' || c < 0x20:
			return nil, false
		}
	}
	return nil, false
}

func (p *chunkParser) str() (string, bool) {
	s, ok := p.rawStr()
	return string(s), ok
}

func (p *chunkParser) nullOrStr() bool {
	if p.peek() == 'n' {
		return p.null()
	}
	_, ok := p.rawStr()
	return ok
}

// number checks a JSON number.
func (p *chunkParser) number() bool {
	p.space()
	b, i := p.b, p.i
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && b[i] >= '1' && b[i] <= '9':
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
	default:
		return false
	}
	if i < len(b) && b[i] == '.' {
		i++
		d := i
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
		if i == d {
			return false
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		d := i
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
		if i == d {
			return false
		}
	}
	p.i = i
	return true
}

// integer reads a number that encoding/json would put in an int64.
func (p *chunkParser) integer() (int64, bool) {
	p.space()
	start := p.i
	if !p.number() {
		return 0, false
	}
	n, err := strconv.ParseInt(string(p.b[start:p.i]), 10, 64)
	return n, err == nil
}

// object reads {"key": value, ...}; field reads each value.
func (p *chunkParser) object(field func(key []byte) bool) bool {
	if !p.lit("{") {
		return false
	}
	if p.lit("}") {
		return true
	}
	for {
		key, ok := p.rawStr()
		if !ok || !p.lit(":") || !field(key) {
			return false
		}
		if p.lit("}") {
			return true
		}
		if !p.lit(",") {
			return false
		}
	}
}

// array reads [value, ...]; elem reads each value.
func (p *chunkParser) array(elem func() bool) bool {
	if !p.lit("[") {
		return false
	}
	if p.lit("]") {
		return true
	}
	for {
		if !elem() {
			return false
		}
		if p.lit("]") {
			return true
		}
		if !p.lit(",") {
			return false
		}
	}
}
