// Package openapitest holds the HTTP handlers to the OpenAPI document of
// package openapi: it validates the document against OpenAPI 3.1 and real
// answers against its schemas, with pb33f/libopenapi-validator (JSON Schema
// 2020-12), and maps Fiber's route paths onto the document's templates.
//
// It is for tests only, so that the server binary carries no OpenAPI
// library; import it from _test.go files.
package openapitest

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"
	"github.com/pb33f/libopenapi-validator/config"
	liberrors "github.com/pb33f/libopenapi-validator/errors"

	"shian/api/openapi"
)

// checker is the validator built once from the embedded document (building
// compiles every schema). mu serialises its use: the library's response
// validation shares caches whose concurrency we have not audited.
type checker struct {
	mu  sync.Mutex
	doc libopenapi.Document
	v   validator.Validator
}

var shared = sync.OnceValues(func() (*checker, error) {
	doc, err := libopenapi.NewDocument(openapi.JSON())
	if err != nil {
		return nil, fmt.Errorf("openapi.json: %w", err)
	}
	// Strict mode reports properties an answer carries and the document
	// does not declare: an undocumented field is a defect of the document,
	// even though the schemas leave clients free to ignore new fields.
	// Headers are left out of strict mode: the edge adds security, CORS
	// and rate-limit headers to every answer, which the document describes
	// once instead of on each response; declared headers are still checked.
	// Format assertions make "date" and "date-time" checked, not decorative.
	v, errs := validator.NewValidator(doc, config.WithStrictMode(), config.WithStrictIgnorePaths("$.headers.*"),
		config.WithFormatAssertions())
	if len(errs) > 0 {
		return nil, fmt.Errorf("openapi.json: %w", joinErrs(errs))
	}
	return &checker{doc: doc, v: v}, nil
})

func joinErrs(errs []error) error {
	var b strings.Builder
	for i, e := range errs {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(e.Error())
	}
	return fmt.Errorf("%s", b.String())
}

// CheckDocument validates the document against the OpenAPI 3.1 schema and
// returns every violation, one per line, or nil.
func CheckDocument() error {
	c, err := shared()
	if err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if ok, errs := c.v.ValidateDocument(); !ok {
		return report(errs)
	}
	return nil
}

// Check validates one answer (its status, headers and body) against the
// operation the request matches. The error names the request, the status,
// and each mismatch with the JSON path of the field and the schema keyword
// it broke, one per line.
func Check(req *http.Request, status int, header http.Header, body []byte) error {
	c, err := shared()
	if err != nil {
		return err
	}
	resp := &http.Response{StatusCode: status, Header: header.Clone(), Body: io.NopCloser(bytes.NewReader(body)),
		ContentLength: int64(len(body)), Request: req}
	if resp.Header == nil {
		resp.Header = http.Header{}
	}
	c.mu.Lock()
	ok, errs := c.v.ValidateHttpResponse(req, resp)
	c.mu.Unlock()
	if ok {
		return nil
	}
	return fmt.Errorf("%s %s → %d does not match the document:\n%w\nbody: %s", req.Method, req.URL.RequestURI(), status,
		report(errs), clip(body))
}

// ValidateResponse fails t when the answer does not match the document;
// see Check.
func ValidateResponse(t testing.TB, req *http.Request, status int, header http.Header, body []byte) {
	t.Helper()
	if err := Check(req, status, header, body); err != nil {
		t.Error(err)
	}
}

func report(errs []*liberrors.ValidationError) error {
	var b strings.Builder
	for _, e := range errs {
		fmt.Fprintf(&b, "  - %s", e.Message)
		if e.Reason != "" && e.Reason != e.Message {
			fmt.Fprintf(&b, ": %s", e.Reason)
		}
		if e.SpecPath != "" {
			fmt.Fprintf(&b, " [document path %s]", e.SpecPath)
		}
		if e.SpecLine > 0 {
			fmt.Fprintf(&b, " [openapi.json:%d:%d]", e.SpecLine, e.SpecCol)
		}
		b.WriteByte('\n')
		for _, f := range e.SchemaValidationErrors {
			where := f.FieldPath
			if where == "" {
				where = "$"
			}
			fmt.Fprintf(&b, "      at %s: %s", where, f.Reason)
			if f.KeywordLocation != "" {
				fmt.Fprintf(&b, " (schema %s)", f.KeywordLocation)
			}
			b.WriteByte('\n')
		}
	}
	return fmt.Errorf("%s", strings.TrimRight(b.String(), "\n"))
}

func clip(b []byte) string {
	const max = 2000
	if len(b) <= max {
		return string(b)
	}
	return string(b[:max]) + "…"
}

var fiberParam = regexp.MustCompile(`:([A-Za-z_][A-Za-z0-9_]*)\??`)

// Template turns a Fiber route path into the document's path template:
// /api/v1/shops/:licence → /api/v1/shops/{licence}, and
// /open311/v2/services/:code.:format → /open311/v2/services/{code}.{format}.
func Template(fiberPath string) string {
	return fiberParam.ReplaceAllString(fiberPath, "{$1}")
}

// Route is a registered route: an upper-case method and a Fiber path.
type Route struct {
	Method, Path string
}

// Compare compares a server's routes with the document. undocumented are
// the served routes (as path templates) the document lacks; unserved are
// the documented operations no route serves. public says which served
// routes belong in the document (pages and staff routes do not). HEAD is
// left out when the same path has a GET: Fiber adds it by itself.
func Compare(served []Route, public func(method, path string) bool) (undocumented, unserved []string) {
	doc := map[openapi.Route]bool{}
	for _, r := range openapi.Routes() {
		doc[r] = true
	}
	seen := map[openapi.Route]bool{}
	gets := map[string]bool{}
	for _, r := range served {
		if r.Method == http.MethodGet {
			gets[Template(r.Path)] = true
		}
	}
	for _, r := range served {
		k := openapi.Route{Method: r.Method, Path: Template(r.Path)}
		seen[k] = true
		if !public(r.Method, r.Path) || (r.Method == http.MethodHead && gets[k.Path] && !doc[k]) {
			continue
		}
		if !doc[k] {
			undocumented = append(undocumented, k.Method+" "+k.Path)
		}
	}
	for r := range doc {
		if !seen[r] {
			unserved = append(unserved, r.Method+" "+r.Path)
		}
	}
	slices.Sort(undocumented)
	slices.Sort(unserved)
	return slices.Compact(undocumented), unserved
}
