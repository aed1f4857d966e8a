package openapi_test

import (
	"encoding/json"
	"regexp"
	"slices"
	"strings"
	"testing"

	"shian/api/openapi"
	"shian/api/openapi/openapitest"
)

func TestDocumentIsValidOpenAPI31(t *testing.T) {
	if v := openapi.Document().OpenAPI; v != "3.1.0" {
		t.Fatalf("openapi = %q, want 3.1.0", v)
	}
	if err := openapitest.CheckDocument(); err != nil {
		t.Fatalf("api/openapi/openapi.json is not a valid OpenAPI 3.1 document:\n%v", err)
	}
}

var templateParam = regexp.MustCompile(`\{([^}]+)\}`)

// Checks the validator does not make: every path template's parameters are
// declared once as path parameters, and operation ids are unique.
func TestDocumentConsistent(t *testing.T) {
	s := openapi.Document()
	ids := map[string]string{}
	for _, r := range openapi.Routes() {
		op := s.Paths[r.Path][strings.ToLower(r.Method)]
		where := r.Method + " " + r.Path
		if op.OperationID == "" {
			t.Errorf("%s has no operationId", where)
		} else if other, dup := ids[op.OperationID]; dup {
			t.Errorf("%s and %s share operationId %q", where, other, op.OperationID)
		}
		ids[op.OperationID] = where
		if len(op.Responses) == 0 {
			t.Errorf("%s documents no response", where)
		}
		declared := map[string]int{}
		for _, p := range op.Parameters {
			if p.Ref != "" {
				name := strings.TrimPrefix(p.Ref, "#/components/parameters/")
				q, ok := s.Components.Parameters[name]
				if !ok {
					t.Errorf("%s: parameter %s is not defined", where, p.Ref)
				}
				p = q
			}
			if p.In == "path" {
				declared[p.Name]++
			}
		}
		var inTemplate []string
		for _, m := range templateParam.FindAllStringSubmatch(r.Path, -1) {
			inTemplate = append(inTemplate, m[1])
			if declared[m[1]] != 1 {
				t.Errorf("%s: path parameter %q is declared %d times", where, m[1], declared[m[1]])
			}
		}
		for name := range declared {
			if !slices.Contains(inTemplate, name) {
				t.Errorf("%s: path parameter %q is not in the template", where, name)
			}
		}
	}
	var raw map[string]any
	if err := json.Unmarshal(openapi.JSON(), &raw); err != nil {
		t.Fatal(err)
	}
}

func TestRoutesSorted(t *testing.T) {
	rs := openapi.Routes()
	if len(rs) < 15 {
		t.Fatalf("%d routes documented, want the whole public API: %v", len(rs), rs)
	}
	if !slices.IsSortedFunc(rs, func(a, b openapi.Route) int {
		if c := strings.Compare(a.Path, b.Path); c != 0 {
			return c
		}
		return strings.Compare(a.Method, b.Method)
	}) {
		t.Errorf("routes are not sorted: %v", rs)
	}
	for _, want := range []openapi.Route{{"GET", "/api/v1/shops/{licence}"}, {"POST", "/api/v1/complaints"}, {"POST", "/open311/v2/requests.{format}"}} {
		if !slices.Contains(rs, want) {
			t.Errorf("routes lack %v", want)
		}
	}
}

func TestReferencePage(t *testing.T) {
	page := string(openapi.Reference())
	for _, r := range openapi.Routes() {
		if !strings.Contains(page, "<code>"+r.Method+" "+r.Path+"</code>") {
			t.Errorf("the page lacks %s %s", r.Method, r.Path)
		}
	}
	for _, want := range []string{
		"<!doctype html>", `<a href="/api/v1/openapi.json">`,
		`<td><code>licence</code></td><td>path</td><td>yes</td>`, // a $ref parameter, resolved
		`<a href="#schema-Shop">Shop</a>`,                        // a response schema by name
		`array of <a href="#schema-Open311Service">Open311Service</a>`,
		`<td>429</td><td>Rate limited.</td>`,    // a $ref response, resolved
		"<code>application/problem+json</code>", // a code span of a description
		`<article id="schema-Problem">`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %s", want)
		}
	}
	// Plain: no script, no style, nothing fetched from another site.
	for _, bad := range []string{"<script", "<style", "style=", "http://", "https://cdn", "src=\"http"} {
		if strings.Contains(page, bad) {
			t.Errorf("the page contains %q", bad)
		}
	}
	if strings.Count(page, "<article") != len(openapi.Routes())+len(openapi.Document().Components.Schemas) {
		t.Errorf("the page has %d articles, want one per operation and schema", strings.Count(page, "<article"))
	}
}

func TestTemplate(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"/api/v1/shops/:licence", "/api/v1/shops/{licence}"},
		{"/api/v1/shops/:licence/inspections", "/api/v1/shops/{licence}/inspections"},
		{"/open311/v2/services.:format", "/open311/v2/services.{format}"},
		{"/open311/v2/services/:code.:format", "/open311/v2/services/{code}.{format}"},
		{"/api/v1/optional/:id?", "/api/v1/optional/{id}"},
		{"/healthz", "/healthz"},
	} {
		if got := openapitest.Template(c.in); got != c.want {
			t.Errorf("Template(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
