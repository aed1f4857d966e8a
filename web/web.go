// Package web holds the server-rendered pages and their static assets,
// embedded into the binary. Pages work without JavaScript, weigh little
// (a cheap phone on a beach's mobile network), and speak zh, en and ru.
package web

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"strings"
	"sync"
)

//go:embed templates/*.html static/*
var files embed.FS

// Static is the static assets (CSS, small scripts), served under /static/.
func Static() fs.FS {
	sub, _ := fs.Sub(files, "static")
	return sub
}

// Pages are the parsed templates: templates/layout.html with one page file
// each. A page file defines "title" and "content" (and may define "head").
type Pages struct {
	pages map[string]*template.Template
	pool  sync.Pool
}

// Load parses every page with the layout and the given extra functions.
func Load(extra template.FuncMap) (*Pages, error) {
	funcs := template.FuncMap{
		"t":     T,
		"langs": func() []string { return []string{"zh", "en", "ru"} },
		"langName": func(l string) string {
			return map[string]string{"zh": "中文", "en": "English", "ru": "Русский"}[l]
		},
	}
	for k, v := range extra {
		funcs[k] = v
	}
	layout, err := fs.ReadFile(files, "templates/layout.html")
	if err != nil {
		return nil, err
	}
	entries, err := fs.ReadDir(files, "templates")
	if err != nil {
		return nil, err
	}
	p := &Pages{pages: map[string]*template.Template{}}
	p.pool.New = func() any { return new(bytes.Buffer) }
	for _, e := range entries {
		name := strings.TrimSuffix(e.Name(), ".html")
		if name == "layout" || strings.HasPrefix(name, "_") {
			continue
		}
		body, err := fs.ReadFile(files, "templates/"+e.Name())
		if err != nil {
			return nil, err
		}
		t, err := template.New("layout").Funcs(funcs).Parse(string(layout))
		if err == nil {
			_, err = t.New(name).Parse(string(body))
		}
		if err != nil {
			return nil, fmt.Errorf("web: template %s: %w", e.Name(), err)
		}
		p.pages[name] = t
	}
	return p, nil
}

// Render executes a page into w. It renders into a buffer first so that a
// template error never sends half a page.
func (p *Pages) Render(w io.Writer, page string, data any) error {
	t, ok := p.pages[page]
	if !ok {
		return fmt.Errorf("web: no page %q", page)
	}
	buf := p.pool.Get().(*bytes.Buffer)
	buf.Reset()
	defer p.pool.Put(buf)
	if err := t.ExecuteTemplate(buf, "layout", data); err != nil {
		return fmt.Errorf("web: render %s: %w", page, err)
	}
	_, err := w.Write(buf.Bytes())
	return err
}
