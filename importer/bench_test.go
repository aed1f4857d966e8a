package importer_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"shian/importer"
	"shian/importer/internal/gen"
)

// BenchmarkImport100k parses and imports 100,000 shops with 5 inspections
// each into a fresh SQLite and a fresh PostgreSQL store. It takes minutes,
// so it runs only with SHIAN_BENCH_IMPORT=1 (scripts/bench-import.sh sets it):
//
//	SHIAN_BENCH_IMPORT=1 go test ./importer -run '^$' -bench Import100k -benchtime 1x
//
// SHIAN_BENCH_SHOPS overrides the number of shops.
func BenchmarkImport100k(b *testing.B) {
	if os.Getenv("SHIAN_BENCH_IMPORT") != "1" {
		b.Skip("set SHIAN_BENCH_IMPORT=1 to run the import benchmark")
	}
	n := 100000
	if v := os.Getenv("SHIAN_BENCH_SHOPS"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil {
			b.Fatalf("SHIAN_BENCH_SHOPS: %v", err)
		}
	}
	path := filepath.Join(b.TempDir(), "shops.jsonl")
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	if err := gen.WriteJSONL(f, gen.Options{Shops: n, Inspections: 5, Seed: 1, Now: time.Now()}); err != nil {
		b.Fatal(err)
	}
	if err := f.Close(); err != nil {
		b.Fatal(err)
	}
	st, _ := os.Stat(path)
	b.Logf("generated %d shops × 5 inspections, %.1f MB", n, float64(st.Size())/1e6)

	for _, store := range stores {
		b.Run(store.name, func(b *testing.B) {
			for b.Loop() {
				b.StopTimer()
				db := store.open(b)
				b.StartTimer()

				start := time.Now()
				f, err := os.Open(path)
				if err != nil {
					b.Fatal(err)
				}
				res, err := importer.ParseJSONL(f, importer.Options{})
				f.Close()
				if err != nil || len(res.Errors) > 0 || len(res.Shops) != n {
					b.Fatalf("parse: %v, %d errors, %d shops", err, len(res.Errors), len(res.Shops))
				}
				parsed := time.Now()
				stats, err := importer.Import(b.Context(), db, res, importer.Options{})
				if err != nil || stats.Created != n {
					b.Fatalf("import: %v (%+v)", err, stats)
				}
				done := time.Now()
				b.ReportMetric(parsed.Sub(start).Seconds(), "parse-s")
				b.ReportMetric(done.Sub(parsed).Seconds(), "write-s")
				b.ReportMetric(done.Sub(start).Seconds(), "total-s")
				b.Logf("%s: parse %.1fs, write %.1fs, total %.1fs", store.name,
					parsed.Sub(start).Seconds(), done.Sub(parsed).Seconds(), done.Sub(start).Seconds())
			}
		})
	}
}

// BenchmarkParseNames100k measures what visitor names cost an import: it
// parses 100,000 generated shops (5 inspections each; three in four have
// only a Chinese name, none has a Russian one) without and with
// Options.Names, so the difference is name, address and item-code
// generation at import time:
//
//	go test ./importer -run '^$' -bench ParseNames100k -benchtime 1x
func BenchmarkParseNames100k(b *testing.B) {
	n := 100000
	var buf bytes.Buffer
	if err := gen.WriteJSONL(&buf, gen.Options{Shops: n, Inspections: 5, Seed: 1, Now: time.Now()}); err != nil {
		b.Fatal(err)
	}
	nm := mustNames(b)
	for _, c := range []struct {
		name string
		opts importer.Options
	}{{"plain", importer.Options{}}, {"names", importer.Options{Names: nm}}} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				res, err := importer.ParseJSONL(bytes.NewReader(buf.Bytes()), c.opts)
				if err != nil || len(res.Errors) > 0 || len(res.Shops) != n {
					b.Fatalf("parse: %v, %d errors, %d shops", err, len(res.Errors), len(res.Shops))
				}
				if c.opts.Names != nil && (res.Shops[0].NameRU == "" || res.Shops[0].AddressEN == "") {
					b.Fatal("no names generated")
				}
			}
		})
	}
}
