package backend

import (
	"encoding/json"
	"strconv"
	"strings"
	"unicode/utf8"
)

// decodeChunkFast decodes the common shapes of a chat.completion.chunk
// (id, object, created, model, usage: null, and choices of index, delta
// {content, reasoning, reasoning_content, tool_calls}, logprobs: null,
// finish_reason; keys the decoder has no field for are skipped, as
// encoding/json skips them) without encoding/json's reflection and
// validation pass, which were most of the cost of relaying a stream. It
// reports false for anything else (escapes in the strings it keeps, a key
// that could match a field case-insensitively, nested values where null is
// expected), and the caller then decodes with encoding/json as before: the
// result is the same either way, which FuzzDecodeChunkFast checks.
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
		case "usage":
			return p.null()
		case "timings", "error":
			return false
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
							case "content":
								if p.peek() == 'n' {
									return p.null()
								}
								s, ok := p.str()
								ch.Delta.Content = s
								return ok
							case "reasoning_content":
								return p.optStr(&ch.Delta.ReasoningContent)
							case "reasoning":
								return p.optStr(&ch.Delta.Reasoning)
							case "tool_calls":
								v, ok := p.rawValue()
								ch.Delta.ToolCalls = append(json.RawMessage(nil), v...)
								return ok
							}
							return p.skipUnknown(key, "content", "reasoning_content", "reasoning", "tool_calls")
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
					return p.skipUnknown(key, "index", "delta", "logprobs", "finish_reason")
				})
			})
		}
		return p.skipUnknown(key, "model", "choices", "usage", "timings", "error")
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

// optStr reads null (leaving *dst nil, as encoding/json does) or a
// string without escapes into *dst.
func (p *chunkParser) optStr(dst **string) bool {
	if p.peek() == 'n' {
		*dst = nil
		return p.null()
	}
	s, ok := p.str()
	*dst = &s
	return ok
}

// skipUnknown skips the value of a key the struct has no field for, as
// encoding/json does. encoding/json also matches keys to fields without
// regard to case (with Unicode folding, so "ſ" is an "s"): a key that
// could be one of fields that way, or is not plain ASCII, is left to it.
func (p *chunkParser) skipUnknown(key []byte, fields ...string) bool {
	for _, c := range key {
		if c >= utf8.RuneSelf {
			return false
		}
	}
	for _, f := range fields {
		if strings.EqualFold(string(key), f) {
			return false
		}
	}
	_, ok := p.rawValue()
	return ok
}

// maxSkipDepth bounds the nesting rawValue follows; deeper values are left
// to encoding/json (which allows 10,000 levels).
const maxSkipDepth = 64

// rawValue checks one JSON value of any kind and returns its bytes, from
// its first byte to its last, as encoding/json hands them to a
// json.RawMessage.
func (p *chunkParser) rawValue() ([]byte, bool) {
	p.space()
	start := p.i
	if !p.skipValue(0) {
		return nil, false
	}
	return p.b[start:p.i], true
}

func (p *chunkParser) skipValue(depth int) bool {
	if depth > maxSkipDepth {
		return false
	}
	switch p.peek() {
	case '{':
		return p.object(func([]byte) bool { return p.skipValue(depth + 1) })
	case '[':
		return p.array(func() bool { return p.skipValue(depth + 1) })
	case '"':
		return p.skipString()
	case 't':
		return p.lit("true")
	case 'f':
		return p.lit("false")
	case 'n':
		return p.null()
	}
	return p.number()
}

// skipString checks a string, escapes included (the input is valid UTF-8).
func (p *chunkParser) skipString() bool {
	b := p.b
	for j := p.i + 1; j < len(b); j++ {
		switch c := b[j]; {
		case c == '"':
			p.i = j + 1
			return true
		case c < 0x20:
			return false
		case c == '\\':
			j++
			if j >= len(b) {
				return false
			}
			switch b[j] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				if j+4 >= len(b) {
					return false
				}
				for _, h := range b[j+1 : j+5] {
					if !('0' <= h && h <= '9' || 'a' <= h && h <= 'f' || 'A' <= h && h <= 'F') {
						return false
					}
				}
				j += 4
			default:
				return false
			}
		}
	}
	return false
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
