package serverapi_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"testing"

	"github.com/switchboard-rtm/switchboard/engine/serverapi"
)

// TestOpenAPIDescribesEveryField: the issue asks for every field to be
// documented, and the reference pages are rendered from openapi.json in
// English and Chinese, so every property of every schema (nested ones
// included), every parameter and every operation has a description in
// both languages.
func TestOpenAPIDescribesEveryField(t *testing.T) {
	var doc any
	if err := json.Unmarshal(serverapi.OpenAPI, &doc); err != nil {
		t.Fatal(err)
	}
	var missing []string
	need := func(where string, o map[string]any, en, zh string) {
		if _, ref := o["$ref"]; ref {
			return
		}
		for _, k := range []string{en, zh} {
			if s, _ := o[k].(string); s == "" {
				missing = append(missing, where+" "+k)
			}
		}
	}
	var walk func(where string, v any)
	walk = func(where string, v any) {
		switch v := v.(type) {
		case map[string]any:
			if props, ok := v["properties"].(map[string]any); ok {
				for name, p := range props {
					if p, ok := p.(map[string]any); ok {
						need(where+".properties."+name, p, "description", "x-description-zh")
					}
				}
			}
			if params, ok := v["parameters"].([]any); ok {
				for i, p := range params {
					if p, ok := p.(map[string]any); ok {
						need(fmt.Sprintf("%s.parameters[%d]", where, i), p, "description", "x-description-zh")
					}
				}
			}
			for k, child := range v {
				walk(where+"."+k, child)
			}
		case []any:
			for i, child := range v {
				walk(fmt.Sprintf("%s[%d]", where, i), child)
			}
		}
	}
	walk("openapi", doc)
	paths, _ := doc.(map[string]any)["paths"].(map[string]any)
	for p, ops := range paths {
		for m, op := range ops.(map[string]any) {
			if op, ok := op.(map[string]any); ok {
				need(m+" "+p, op, "summary", "x-summary-zh")
			}
		}
	}
	slices.Sort(missing)
	for _, m := range missing {
		t.Errorf("openapi.json: %s is missing", m)
	}
	if len(paths) < 10 {
		t.Fatalf("only %d paths: is the walk reading the document?", len(paths))
	}
}
