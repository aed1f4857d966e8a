// Package openapi holds the OpenAPI 3.1 document of Shian's public machine
// interfaces (the JSON API v1, Open311 GeoReport v2, the chat JSON and the
// health probes), served at /api/v1/openapi.json, and renders its plain
// reference page.
//
// The document is written by hand (openapi.json), not generated from the
// handlers: it is the contract partners code against, and the tests of
// openapitest hold the handlers to it (every public route is in it, and
// real answers validate against its schemas). This package only embeds and
// reads it, so the server carries no OpenAPI library.
package openapi

import (
	"bytes"
	"cmp"
	_ "embed"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
)

//go:embed openapi.json
var document []byte

// JSON returns the document as served at /api/v1/openapi.json. The slice
// is shared: callers must not modify it.
func JSON() []byte { return document }

// Spec is the part of the document the reference page and the route list
// read. Schemas stay raw JSON: the reference page shows them as written.
type Spec struct {
	OpenAPI string `json:"openapi"`
	Info    struct {
		Title       string `json:"title"`
		Version     string `json:"version"`
		Summary     string `json:"summary"`
		Description string `json:"description"`
	} `json:"info"`
	Tags       []Tag               `json:"tags"`
	Paths      map[string]PathItem `json:"paths"`
	Components struct {
		Parameters map[string]Parameter       `json:"parameters"`
		Responses  map[string]Response        `json:"responses"`
		Schemas    map[string]json.RawMessage `json:"schemas"`
	} `json:"components"`
}

// Tag groups operations on the reference page.
type Tag struct {
	Name        string `json:"name"`
	Description string `json:"description"`
}

// PathItem is one path's operations, keyed by lower-case method.
type PathItem map[string]Operation

// Operation is one method of a path.
type Operation struct {
	OperationID string              `json:"operationId"`
	Tags        []string            `json:"tags"`
	Summary     string              `json:"summary"`
	Description string              `json:"description"`
	Parameters  []Parameter         `json:"parameters"`
	RequestBody *RequestBody        `json:"requestBody"`
	Responses   map[string]Response `json:"responses"`
}

// Parameter is a path, query or header parameter, or a $ref to one.
type Parameter struct {
	Ref         string          `json:"$ref"`
	Name        string          `json:"name"`
	In          string          `json:"in"`
	Required    bool            `json:"required"`
	Description string          `json:"description"`
	Schema      json.RawMessage `json:"schema"`
}

// RequestBody lists the media types a request may be sent in.
type RequestBody struct {
	Required bool                 `json:"required"`
	Content  map[string]MediaType `json:"content"`
}

// Response is one status's answer, or a $ref to one.
type Response struct {
	Ref         string               `json:"$ref"`
	Description string               `json:"description"`
	Content     map[string]MediaType `json:"content"`
}

// MediaType is the schema of one content type.
type MediaType struct {
	Schema json.RawMessage `json:"schema"`
}

// methods are the operation keys of a path item, in the order a reader expects.
var methods = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}

var parsed = sync.OnceValues(func() (*Spec, error) {
	var s Spec
	if err := json.Unmarshal(document, &s); err != nil {
		return nil, fmt.Errorf("openapi.json: %w", err)
	}
	return &s, nil
})

// Document returns the parsed document. It panics when the embedded file
// does not parse: that is a build defect the package's tests catch.
func Document() *Spec {
	s, err := parsed()
	if err != nil {
		panic(err)
	}
	return s
}

// Route is one documented operation: an upper-case method and a path
// template such as /api/v1/shops/{licence}.
type Route struct {
	Method, Path string
}

// Routes lists the documented operations, sorted by path then method, for
// tests that compare the document with the routes a server registers.
func Routes() []Route {
	s := Document()
	var out []Route
	for path, item := range s.Paths {
		for _, m := range methods {
			if _, ok := item[m]; ok {
				out = append(out, Route{strings.ToUpper(m), path})
			}
		}
	}
	slices.SortFunc(out, func(a, b Route) int {
		return cmp.Or(strings.Compare(a.Path, b.Path), strings.Compare(a.Method, b.Method))
	})
	return out
}

// param resolves a parameter's local $ref (#/components/parameters/NAME).
func (s *Spec) param(p Parameter) Parameter {
	if name, ok := strings.CutPrefix(p.Ref, "#/components/parameters/"); ok {
		if q, ok := s.Components.Parameters[name]; ok {
			return q
		}
	}
	return p
}

// response resolves a response's local $ref (#/components/responses/NAME).
func (s *Spec) response(r Response) Response {
	if name, ok := strings.CutPrefix(r.Ref, "#/components/responses/"); ok {
		if q, ok := s.Components.Responses[name]; ok {
			return q
		}
	}
	return r
}

// Reference returns the reference page: plain HTML made from the document,
// with no script and nothing fetched from elsewhere, so it reads the same
// in a text browser and behind the Great Firewall.
func Reference() []byte {
	b, err := reference()
	if err != nil {
		panic(err) // the document and the template are embedded: a build defect
	}
	return b
}

var reference = sync.OnceValues(func() ([]byte, error) {
	s, err := parsed()
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := referenceTmpl.Execute(&buf, newPage(s)); err != nil {
		return nil, fmt.Errorf("reference page: %w", err)
	}
	return buf.Bytes(), nil
})
