package fileissue

import (
	"fmt"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Value is one value of a YAML document, a mapping's value or a
// sequence's item, with where it sits, so an error at a line (and
// column) can name its field.
type Value struct {
	Path    string // backends[0].hourly_usd; a sequence item's ends in [i]
	Key     string // the mapping key (hourly_usd); "" for a sequence item
	Item    bool   // a sequence item, not a mapping value
	KeyLine int    // the key's line; a sequence item's own line
	Line    int    // where the value starts
	Column  int
	Scalar  string // the value's text as written (node.Value)
	// Block is a block-style mapping or sequence: it starts on the line
	// of its first entry, not on its key's line.
	Block bool
}

// Values lists the values of the first document in data, outer before
// inner and in file order; nil when data does not parse.
func Values(data []byte) []Value {
	var root yaml.Node
	if yaml.Unmarshal(data, &root) != nil || len(root.Content) == 0 {
		return nil
	}
	var out []Value
	var walk func(n *yaml.Node, path string)
	add := func(v *yaml.Node, path, key string, item bool, keyLine int) {
		out = append(out, Value{
			Path: path, Key: key, Item: item, KeyLine: keyLine,
			Line: v.Line, Column: v.Column, Scalar: v.Value,
			Block: (v.Kind == yaml.MappingNode || v.Kind == yaml.SequenceNode) && v.Style&yaml.FlowStyle == 0,
		})
		walk(v, path)
	}
	walk = func(n *yaml.Node, path string) {
		switch n.Kind {
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				k := n.Content[i]
				p := k.Value
				if path != "" {
					p = path + "." + k.Value
				}
				add(n.Content[i+1], p, k.Value, false, k.Line)
			}
		case yaml.SequenceNode:
			for i, item := range n.Content {
				add(item, fmt.Sprintf("%s[%d]", path, i), "", true, item.Line)
			}
		}
	}
	walk(root.Content[0], "")
	return out
}

// CutColumn splits the "column N: " our own decoders put before a
// message, since yaml.v3 itself gives only the line.
func CutColumn(msg string) (col int, rest string, ok bool) {
	after, ok := strings.CutPrefix(msg, "column ")
	if !ok {
		return 0, msg, false
	}
	num, rest, ok := strings.Cut(after, ": ")
	if !ok {
		return 0, msg, false
	}
	col, err := strconv.Atoi(num)
	if err != nil {
		return 0, msg, false
	}
	return col, rest, true
}
