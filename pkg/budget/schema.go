package budget

import (
	"encoding/json"

	"github.com/invopop/jsonschema"
	orderedmap "github.com/pb33f/ordered-map/v2"
)

// SchemaID is the $id of the budget config's JSON Schema.
const SchemaID = "https://github.com/llmcost/llmcost/schemas/budget.schema.json"

// Schema is the JSON Schema of a budget config, generated from the Go
// types (so it cannot drift from what the loader accepts). Editors use it
// for completion; the loader stays the authority on what is valid (it
// also checks the catalog, share sums and cross references).
func Schema() ([]byte, error) {
	r := &jsonschema.Reflector{
		FieldNameTag:   "yaml",
		DoNotReference: true,
		ExpandedStruct: true,
	}
	s := r.Reflect(&Config{})
	s.ID = SchemaID
	s.Title = "llmcost budget config"
	s.Description = "Workloads, limits and pricing assumptions checked by `llmcost check` and compared by `llmcost diff`."
	return json.MarshalIndent(s, "", "  ")
}

// Patterns accept what the units parsers accept, loosely: the loader
// gives the precise error.
const (
	quantityPattern = `^\s*\+?[0-9.][0-9_,.]*([eE][+-]?[0-9]+)?\s*[A-Za-z]*\s*$`
	ratePattern     = `^\s*\+?[0-9.][0-9_,.]*([eE][+-]?[0-9]+)?\s*[A-Za-z]*\s*(/\s*[A-Za-z]+)?\s*$`
	usdPattern      = `^\s*\+?\$?\s*[0-9.][0-9_,.]*([eE][+-]?[0-9]+)?\s*[kKmMbB]?\s*([uU][sS][dD])?\s*$`
	sharePattern    = `^\s*\+?([0-9]*\.?[0-9]+\s*%|0?\.[0-9]+|[01](\.0*)?)\s*$`
	percentPattern  = `^\s*[0-9]*\.?[0-9]+\s*%?\s*$`
)

func oneOf(desc string, alts ...*jsonschema.Schema) *jsonschema.Schema {
	return &jsonschema.Schema{OneOf: alts, Description: desc}
}

func num(minimum, maximum string) *jsonschema.Schema {
	s := &jsonschema.Schema{Type: "number"}
	if minimum != "" {
		s.Minimum = json.Number(minimum)
	}
	if maximum != "" {
		s.Maximum = json.Number(maximum)
	}
	return s
}

func str(pattern string) *jsonschema.Schema {
	return &jsonschema.Schema{Type: "string", Pattern: pattern}
}

func props(pairs ...any) *orderedmap.OrderedMap[string, *jsonschema.Schema] {
	m := orderedmap.New[string, *jsonschema.Schema]()
	for i := 0; i+1 < len(pairs); i += 2 {
		m.Set(pairs[i].(string), pairs[i+1].(*jsonschema.Schema))
	}
	return m
}

// JSONSchema of schema_version.
func (Version) JSONSchema() *jsonschema.Schema {
	return &jsonschema.Schema{Type: "integer", Enum: []any{1}}
}

// JSONSchema of a plain string.
func (Text) JSONSchema() *jsonschema.Schema {
	return &jsonschema.Schema{Type: "string", MinLength: ptr(uint64(1))}
}

// JSONSchema of a request count or rate.
func (Count) JSONSchema() *jsonschema.Schema {
	return oneOf("", &jsonschema.Schema{Type: "integer", Minimum: "1"}, str(ratePattern))
}

func tokenCountSchema() *jsonschema.Schema {
	return oneOf("", &jsonschema.Schema{Type: "integer", Minimum: "0"}, str(quantityPattern))
}

// JSONSchema of a per-request token count or distribution.
func (Tokens) JSONSchema() *jsonschema.Schema {
	quantiles := &jsonschema.Schema{
		Type:                 "object",
		Description:          "Quantiles of tokens per request; priced as 50% of requests at p50, 40% at p90 and 10% at p99",
		Properties:           props("p50", tokenCountSchema(), "p90", tokenCountSchema(), "p99", tokenCountSchema()),
		Required:             []string{"p50", "p90", "p99"},
		AdditionalProperties: jsonschema.FalseSchema,
	}
	histogram := &jsonschema.Schema{
		Type:        "array",
		Description: "Histogram of tokens per request; shares add up to 1",
		MinItems:    ptr(uint64(1)),
		Items: &jsonschema.Schema{
			Type:                 "object",
			Properties:           props("tokens", tokenCountSchema(), "share", Share{}.JSONSchema()),
			Required:             []string{"tokens", "share"},
			AdditionalProperties: jsonschema.FalseSchema,
		},
	}
	return oneOf("", &jsonschema.Schema{Type: "integer", Minimum: "0"}, str(quantityPattern), quantiles, histogram)
}

// JSONSchema of a share (0-1 or a percentage string).
func (Share) JSONSchema() *jsonschema.Schema { return oneOf("", num("0", "1"), str(sharePattern)) }

// JSONSchema of an amount in USD.
func (USD) JSONSchema() *jsonschema.Schema { return oneOf("", num("0", ""), str(usdPattern)) }

// JSONSchema of a percentage.
func (Percent) JSONSchema() *jsonschema.Schema { return oneOf("", num("0", ""), str(percentPattern)) }

// JSONSchema of a date.
func (Date) JSONSchema() *jsonschema.Schema {
	return &jsonschema.Schema{Type: "string", Format: "date", Pattern: `^[0-9]{4}-[0-9]{2}-[0-9]{2}$`}
}

// JSONSchema of limits.workloads.
func (WorkloadLimits) JSONSchema() *jsonschema.Schema {
	return &jsonschema.Schema{Type: "object", AdditionalProperties: USD{}.JSONSchema()}
}

// JSONSchema of assumptions.discounts.
func (Discounts) JSONSchema() *jsonschema.Schema {
	return &jsonschema.Schema{Type: "object", AdditionalProperties: Share{}.JSONSchema()}
}

// JSONSchema of assumptions.prices.
func (PriceOverrides) JSONSchema() *jsonschema.Schema {
	r := &jsonschema.Reflector{FieldNameTag: "yaml", DoNotReference: true, ExpandedStruct: true}
	rates := r.Reflect(&RateOverride{})
	rates.Version, rates.ID = "", ""
	rates.MinProperties = ptr(uint64(1))
	return &jsonschema.Schema{Type: "object", AdditionalProperties: rates}
}

func ptr[T any](v T) *T { return &v }
