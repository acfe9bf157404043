package serverapi

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
)

// The docs' server API reference page is rendered from openapi.json, so
// the page and the API cannot drift apart: English text comes from each
// "description", Chinese from "x-description-zh", and the page's labels
// from the document's "x-reference" object.

type oaDoc struct {
	Reference  map[string]map[string]string          `json:"x-reference"`
	Paths      map[string]map[string]oaOp            `json:"paths"`
	Components struct{ Schemas map[string]oaSchema } `json:"components"`
}

type oaText struct {
	En string `json:"description"`
	Zh string `json:"x-description-zh"`
}

func (t oaText) in(lang string) string {
	if lang == "zh" && t.Zh != "" {
		return t.Zh
	}
	return t.En
}

type oaOp struct {
	oaText
	Summary   string            `json:"summary"`
	SummaryZh string            `json:"x-summary-zh"`
	Security  *[]any            `json:"security"`
	Params    []oaParam         `json:"parameters"`
	Body      *oaBody           `json:"requestBody"`
	Responses map[string]oaBody `json:"responses"`
}

type oaParam struct {
	oaText
	Name     string   `json:"name"`
	In       string   `json:"in"`
	Required bool     `json:"required"`
	Schema   oaSchema `json:"schema"`
}

type oaBody struct {
	oaText
	Required bool `json:"required"`
	Content  map[string]struct {
		Schema oaSchema `json:"schema"`
	} `json:"content"`
}

func (b oaBody) schema() (oaSchema, bool) {
	c, ok := b.Content["application/json"]
	return c.Schema, ok
}

type oaSchema struct {
	oaText
	Ref        string              `json:"$ref"`
	Type       string              `json:"type"`
	Items      *oaSchema           `json:"items"`
	Properties map[string]oaSchema `json:"properties"`
	Required   []string            `json:"required"`
	Enum       []any               `json:"enum"`
	Default    any                 `json:"default"`
	Minimum    *float64            `json:"minimum"`
	Maximum    *float64            `json:"maximum"`
	MaxLength  *int                `json:"maxLength"`
}

func refName(ref string) string { return strings.TrimPrefix(ref, "#/components/schemas/") }

// typeName is a schema's type as the reference shows it.
func (s oaSchema) typeName(l map[string]string) string {
	switch {
	case s.Ref != "":
		return "`" + refName(s.Ref) + "`"
	case s.Type == "array" && s.Items != nil:
		return s.Items.typeName(l) + "[]"
	case s.Type == "":
		return l["any"]
	}
	t := s.Type
	if len(s.Enum) > 0 {
		var vs []string
		for _, v := range s.Enum {
			vs = append(vs, fmt.Sprintf("`%v`", v))
		}
		t += " (" + strings.Join(vs, ", ") + ")"
	}
	if s.Minimum != nil && s.Maximum != nil {
		t += fmt.Sprintf(" %g–%g", *s.Minimum, *s.Maximum)
	}
	if s.Default != nil {
		t += fmt.Sprintf(", %s %v", l["default"], s.Default)
	}
	return t
}

// cell makes text safe inside a Markdown table cell.
func cell(s string) string { return strings.ReplaceAll(strings.ReplaceAll(s, "|", "\\|"), "\n", " ") }

// Reference renders openapi.json as the Markdown page (front matter
// included, without source_hash) of the server API reference in lang,
// "en" or "zh".
func Reference(lang string) (string, error) {
	var doc oaDoc
	if err := json.Unmarshal(OpenAPI, &doc); err != nil {
		return "", fmt.Errorf("openapi.json: %w", err)
	}
	l := doc.Reference[lang]
	if l == nil {
		return "", fmt.Errorf("openapi.json: no x-reference labels for %q", lang)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "---\ntitle: %s\ndescription: %s\nweight: 37\n---\n\n%s\n", l["title"], l["page_description"], l["intro"])
	yes := func(r bool) string {
		if r {
			return l["yes"]
		}
		return l["no"]
	}
	used := map[string]bool{}
	for _, rt := range Routes() { // in the API's order, not the map's
		{
			path, method := rt.Path, strings.ToLower(rt.Method)
			op, ok := doc.Paths[path][method]
			if !ok {
				return "", fmt.Errorf("openapi.json lacks %s %s", rt.Method, rt.Path)
			}
			summary := op.Summary
			if lang == "zh" && op.SummaryZh != "" {
				summary = op.SummaryZh
			}
			fmt.Fprintf(&b, "\n## %s %s\n\n**%s%s** %s\n", strings.ToUpper(method), path, summary, l["period"], op.in(lang))
			if op.Security != nil && len(*op.Security) == 0 {
				fmt.Fprintf(&b, "\n%s\n", l["no_auth"])
			}
			if len(op.Params) > 0 {
				fmt.Fprintf(&b, "\n%s%s\n\n| %s | %s | %s | %s | %s |\n| --- | --- | --- | --- | --- |\n", l["parameters"], l["colon"], l["name"], l["in"], l["type"], l["required"], l["description"])
				for _, p := range op.Params {
					fmt.Fprintf(&b, "| `%s` | %s | %s | %s | %s |\n", p.Name, p.In, cell(p.Schema.typeName(l)), yes(p.Required), cell(p.in(lang)))
				}
			}
			if op.Body != nil {
				if s, ok := op.Body.schema(); ok {
					req := ""
					if !op.Body.Required {
						req = " (" + l["optional_body"] + ")"
					}
					fmt.Fprintf(&b, "\n%s%s%s %s\n", l["request_body"], req, l["colon"], op.Body.in(lang))
					if s.Ref != "" {
						writeFields(&b, l, lang, doc.Components.Schemas[refName(s.Ref)])
					}
				}
			}
			fmt.Fprintf(&b, "\n%s%s\n\n| %s | %s | %s |\n| --- | --- | --- |\n", l["responses"], l["colon"], l["status"], l["body"], l["description"])
			for _, code := range sortedKeys(op.Responses) {
				r := op.Responses[code]
				s, _ := r.schema()
				if s.Ref != "" {
					used[refName(s.Ref)] = true
				}
				fmt.Fprintf(&b, "| %s | %s | %s |\n", code, cell(s.typeName(l)), cell(r.in(lang)))
			}
		}
	}
	// Response bodies, and the schemas they refer to.
	for changed := true; changed; {
		changed = false
		for name := range used {
			for _, p := range doc.Components.Schemas[name].Properties {
				for _, s := range []*oaSchema{&p, p.Items} {
					if s != nil && s.Ref != "" && !used[refName(s.Ref)] {
						used[refName(s.Ref)], changed = true, true
					}
				}
			}
		}
	}
	fmt.Fprintf(&b, "\n## %s\n", l["schemas"])
	names := slices.Sorted(func(yield func(string) bool) {
		for n := range used {
			if !yield(n) {
				return
			}
		}
	})
	for _, n := range names {
		fmt.Fprintf(&b, "\n### %s\n", n)
		writeFields(&b, l, lang, doc.Components.Schemas[n])
	}
	return b.String(), nil
}

// writeFields writes an object schema's fields as a table; the fields of
// an inline object follow it as parent.field rows.
func writeFields(b *strings.Builder, l map[string]string, lang string, s oaSchema) {
	fmt.Fprintf(b, "\n| %s | %s | %s | %s |\n| --- | --- | --- | --- |\n", l["field"], l["type"], l["required"], l["description"])
	writeFieldRows(b, l, lang, "", s)
}

func writeFieldRows(b *strings.Builder, l map[string]string, lang, prefix string, s oaSchema) {
	for _, name := range sortedKeys(s.Properties) {
		p := s.Properties[name]
		req := l["no"]
		if slices.Contains(s.Required, name) {
			req = l["yes"]
		}
		fmt.Fprintf(b, "| `%s%s` | %s | %s | %s |\n", prefix, name, cell(p.typeName(l)), req, cell(p.in(lang)))
		writeFieldRows(b, l, lang, prefix+name+".", p)
	}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
