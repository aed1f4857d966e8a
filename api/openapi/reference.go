package openapi

import (
	"bytes"
	"encoding/json"
	"html/template"
	"slices"
	"strings"
)

// The reference page lists, per tag, each operation with its parameters,
// request body and responses, then every named schema as written. It has
// no script and no inline style (the site's CSP forbids both); it borrows
// the site's stylesheet and reads fine without it.
var referenceTmpl = template.Must(template.New("reference").Funcs(template.FuncMap{"text": codeSpans}).Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}} {{.Version}} — API reference</title>
<link rel="stylesheet" href="/static/site.css">
</head>
<body>
<main>
<h1>{{.Title}} <small>{{.Version}}</small></h1>
<p>{{.Summary}}</p>
{{range .Description}}<p>{{text .}}</p>
{{end}}<p>Machine-readable: <a href="/api/v1/openapi.json">/api/v1/openapi.json</a> (OpenAPI {{.OpenAPI}}).</p>
<nav><h2>Contents</h2><ul>
{{range .Groups}}<li><a href="#tag-{{.Name}}">{{.Name}}</a><ul>
{{range .Ops}}<li><a href="#{{.ID}}"><code>{{.Method}} {{.Path}}</code></a> {{.Summary}}</li>
{{end}}</ul></li>
{{end}}<li><a href="#schemas">Schemas</a></li>
</ul></nav>
{{range .Groups}}<section id="tag-{{.Name}}">
<h2>{{.Name}}</h2>
<p>{{text .Description}}</p>
{{range .Ops}}<article id="{{.ID}}">
<h3><code>{{.Method}} {{.Path}}</code></h3>
<p>{{text .Summary}}</p>
{{range .Description}}<p>{{text .}}</p>
{{end}}{{if .Params}}<h4>Parameters</h4>
<table>
<thead><tr><th>name</th><th>in</th><th>required</th><th>schema</th><th>description</th></tr></thead>
<tbody>
{{range .Params}}<tr><td><code>{{.Name}}</code></td><td>{{.In}}</td><td>{{if .Required}}yes{{else}}no{{end}}</td><td><code>{{.Schema}}</code></td><td>{{text .Description}}</td></tr>
{{end}}</tbody>
</table>
{{end}}{{if .Body}}<h4>Request body{{if .BodyRequired}} (required){{end}}</h4>
<ul>
{{range .Body}}<li><code>{{.Type}}</code>: {{template "schema" .}}</li>
{{end}}</ul>
{{end}}<h4>Responses</h4>
<table>
<thead><tr><th>status</th><th>description</th><th>body</th></tr></thead>
<tbody>
{{range .Responses}}<tr><td>{{.Status}}</td><td>{{text .Description}}</td><td>{{range .Content}}<code>{{.Type}}</code>: {{template "schema" .}}<br>{{end}}</td></tr>
{{end}}</tbody>
</table>
</article>
{{end}}</section>
{{end}}<section id="schemas">
<h2>Schemas</h2>
{{range .Schemas}}<article id="schema-{{.Name}}">
<h3>{{.Name}}</h3>
<pre>{{.JSON}}</pre>
</article>
{{end}}</section>
</main>
</body>
</html>
{{define "schema"}}{{if .Ref}}<a href="#schema-{{.Ref}}">{{.Ref}}</a>{{else if .ItemsRef}}array of <a href="#schema-{{.ItemsRef}}">{{.ItemsRef}}</a>{{else if .JSON}}<details><summary>schema</summary><pre>{{.JSON}}</pre></details>{{end}}{{end}}
`))

type page struct {
	Title, Version, Summary, OpenAPI string
	Description                      []string
	Groups                           []group
	Schemas                          []namedSchema
}

type group struct {
	Name, Description string
	Ops               []op
}

type op struct {
	ID, Method, Path, Summary string
	Description               []string
	Params                    []param
	Body                      []content
	BodyRequired              bool
	Responses                 []response
}

type param struct {
	Name, In, Description, Schema string
	Required                      bool
}

type response struct {
	Status, Description string
	Content             []content
}

// content is a media type and its schema: a named schema, an array of one,
// or an inline schema shown as written.
type content struct {
	Type, Ref, ItemsRef, JSON string
}

type namedSchema struct {
	Name, JSON string
}

const schemaRef = "#/components/schemas/"

func newContent(mediaType string, raw json.RawMessage) content {
	c := content{Type: mediaType}
	var s struct {
		Ref   string `json:"$ref"`
		Items *struct {
			Ref string `json:"$ref"`
		} `json:"items"`
		Type any `json:"type"`
	}
	_ = json.Unmarshal(raw, &s) // a schema that is not an object is shown as written
	switch {
	case s.Ref != "":
		c.Ref = strings.TrimPrefix(s.Ref, schemaRef)
	case s.Type == "array" && s.Items != nil && s.Items.Ref != "":
		c.ItemsRef = strings.TrimPrefix(s.Items.Ref, schemaRef)
	case len(raw) > 0:
		c.JSON = indent(raw)
	}
	return c
}

func indent(raw json.RawMessage) string {
	var b bytes.Buffer
	if err := json.Indent(&b, raw, "", "  "); err != nil {
		return string(raw)
	}
	return b.String()
}

func compact(raw json.RawMessage) string {
	var b bytes.Buffer
	if err := json.Compact(&b, raw); err != nil {
		return string(raw)
	}
	return b.String()
}

func contents(m map[string]MediaType) []content {
	var out []content
	for _, t := range sortedKeys(m) {
		out = append(out, newContent(t, m[t].Schema))
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// newPage arranges the document for the template: operations under their
// first tag, in the order of the tag list, then path order.
func newPage(s *Spec) page {
	p := page{Title: s.Info.Title, Version: s.Info.Version, Summary: s.Info.Summary, OpenAPI: s.OpenAPI,
		Description: paragraphs(s.Info.Description)}
	index := map[string]int{}
	for _, t := range s.Tags {
		index[t.Name] = len(p.Groups)
		p.Groups = append(p.Groups, group{Name: t.Name, Description: t.Description})
	}
	for _, r := range Routes() {
		o := s.Paths[r.Path][strings.ToLower(r.Method)]
		tag := "other"
		if len(o.Tags) > 0 {
			tag = o.Tags[0]
		}
		i, ok := index[tag]
		if !ok {
			i = len(p.Groups)
			index[tag] = i
			p.Groups = append(p.Groups, group{Name: tag})
		}
		v := op{ID: o.OperationID, Method: r.Method, Path: r.Path, Summary: o.Summary, Description: paragraphs(o.Description)}
		if v.ID == "" {
			v.ID = strings.ToLower(r.Method) + strings.NewReplacer("/", "-", "{", "", "}", "").Replace(r.Path)
		}
		for _, pr := range o.Parameters {
			pr = s.param(pr)
			v.Params = append(v.Params, param{Name: pr.Name, In: pr.In, Required: pr.Required, Description: pr.Description, Schema: compact(pr.Schema)})
		}
		if o.RequestBody != nil {
			v.Body, v.BodyRequired = contents(o.RequestBody.Content), o.RequestBody.Required
		}
		for _, status := range sortedKeys(o.Responses) {
			rs := s.response(o.Responses[status])
			v.Responses = append(v.Responses, response{Status: status, Description: rs.Description, Content: contents(rs.Content)})
		}
		p.Groups[i].Ops = append(p.Groups[i].Ops, v)
	}
	p.Groups = slices.DeleteFunc(p.Groups, func(g group) bool { return len(g.Ops) == 0 })
	for _, name := range sortedKeys(s.Components.Schemas) {
		p.Schemas = append(p.Schemas, namedSchema{Name: name, JSON: indent(s.Components.Schemas[name])})
	}
	return p
}

// paragraphs splits a description on blank lines. Descriptions are
// CommonMark; the page shows them as plain text.
func paragraphs(s string) []string {
	var out []string
	for _, p := range strings.Split(s, "\n\n") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// codeSpans renders the one piece of CommonMark the descriptions use,
// `code`, as <code>; everything else is escaped text.
func codeSpans(s string) template.HTML {
	var b strings.Builder
	for i, part := range strings.Split(s, "`") {
		esc := template.HTMLEscapeString(part)
		if i%2 == 1 {
			b.WriteString("<code>" + esc + "</code>")
		} else {
			b.WriteString(esc)
		}
	}
	return template.HTML(b.String())
}
