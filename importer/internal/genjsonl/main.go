// Command genjsonl writes a deterministic shop registry in the JSON Lines
// import format to stdout, for scripts/bench-import.sh and load tests:
//
//	go run ./importer/internal/genjsonl -shops 100000 -inspections 5 > shops.jsonl
package main

import (
	"flag"
	"fmt"
	"os"
	"time"

	"shian/importer/internal/gen"
)

func main() {
	o := gen.Options{Now: time.Now()}
	flag.IntVar(&o.Shops, "shops", 100000, "number of shops")
	flag.IntVar(&o.Inspections, "inspections", 5, "inspections per shop")
	flag.Uint64Var(&o.Seed, "seed", 1, "random seed")
	flag.Parse()
	if err := gen.WriteJSONL(os.Stdout, o); err != nil {
		fmt.Fprintln(os.Stderr, "genjsonl:", err)
		os.Exit(1)
	}
}
