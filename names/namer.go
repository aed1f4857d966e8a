package names

import (
	"errors"
	"fmt"
	"io/fs"
)

// Namer holds the loaded data files. It is safe for concurrent use: the
// data never change after loading, and its one cache (of go-pinyin's
// readings) is a sync.Map.
type Namer struct {
	sp      *speller
	gl      *Glossary
	catalog *Catalog
	addr    *addressBook
}

// New loads the embedded data files.
func New() (*Namer, error) { return Open(nil) }

// Open loads the data files from fsys (glossary.tsv, polyphones.tsv,
// items.tsv, address.tsv), or the embedded ones when fsys is nil. A file
// with bad lines fails the load with every *LineError joined; the service
// must not start on it.
func Open(fsys fs.FS) (*Namer, error) {
	if fsys == nil {
		fsys = Data()
	}
	var n Namer
	var errs []error
	var err error
	if n.sp, err = parsePolyphones(fsys, "polyphones.tsv"); err != nil {
		errs = append(errs, err)
	}
	if n.gl, err = parseGlossary(fsys, "glossary.tsv"); err != nil {
		errs = append(errs, err)
	}
	if n.catalog, err = parseCatalog(fsys, "items.tsv"); err != nil {
		errs = append(errs, err)
	}
	if n.addr, err = parseAddressBook(fsys, "address.tsv"); err != nil {
		errs = append(errs, err)
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("names: loading data: %w", errors.Join(errs...))
	}
	return &n, nil
}

// Glossary returns the food and trade glossary.
func (n *Namer) Glossary() *Glossary { return n.gl }

// Catalog returns the inspection item catalog.
func (n *Namer) Catalog() *Catalog { return n.catalog }
