package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"time"

	"shian/importer"
	"shian/seed"
	"shian/triage"
)

func init() {
	register("import", "shops FILE.jsonl | lives DIR_OR_ZIP  [--skip-invalid]: import shops", importCmd)
	register("export", "lives DIR: write the shops as open LIVES data", exportCmd)
	register("seed", "[--shops N] [--seed S]: write the demo city of Qinhuangdao", seedCmd)
}

// grids returns the supervision grids used to fill shops' grids.
func grids() (*triage.Grids, error) {
	g, err := triage.DefaultGrids()
	if err != nil {
		return nil, fmt.Errorf("grids: %w", err)
	}
	return g, nil
}

func (env *Env) importOptions(skip bool) (importer.Options, error) {
	g, err := grids()
	if err != nil {
		return importer.Options{}, err
	}
	nm, err := env.Names()
	if err != nil {
		return importer.Options{}, err
	}
	return importer.Options{
		Now:         env.Now,
		SkipInvalid: skip,
		Names:       nm,
		GridFor: func(district string, lat, lng float64) string {
			grid, _ := g.GridFor(district, lat, lng)
			return grid
		},
		Locate: func(lat, lng float64) (string, bool) {
			d, _, ok := g.Locate(lat, lng)
			return d, ok
		},
		Progress: func(p importer.Progress) {
			switch {
			case p.Stage == "parse":
				fmt.Fprintf(env.Stderr, "read %d lines…\n", p.Done)
			case p.Done == 0:
				fmt.Fprintf(env.Stderr, "writing %d shops in one transaction…\n", p.Total)
			default:
				fmt.Fprintf(env.Stderr, "wrote %d shops in %.1fs\n", p.Done, p.Elapsed.Seconds())
			}
		},
	}, nil
}

func importCmd(ctx context.Context, env *Env, fs *flag.FlagSet, args []string) error {
	skip := fs.Bool("skip-invalid", false, "write the good lines and print the bad ones")
	if len(args) == 0 {
		return usageError{"which format? shops or lives"}
	}
	kind := args[0]
	if err := env.parse(fs, args[1:]); err != nil {
		return err
	}
	if fs.NArg() != 1 || (kind != "shops" && kind != "lives") {
		return usageError{"want: import shops FILE.jsonl, or import lives DIR_OR_ZIP"}
	}
	path := fs.Arg(0)
	opts, err := env.importOptions(*skip)
	if err != nil {
		return err
	}
	start := time.Now()
	var res *importer.Result
	if kind == "shops" {
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		res, err = importer.ParseJSONL(f, opts)
		if err != nil {
			return err
		}
	} else {
		fsys, closer, err := importer.OpenLIVES(path)
		if err != nil {
			return err
		}
		defer closer.Close()
		if res, err = importer.ParseLIVES(fsys, opts); err != nil {
			return err
		}
	}
	for _, e := range res.Errors {
		fmt.Fprintln(env.Stderr, e.Error())
	}
	db, err := env.openMigratedStore(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	st, err := importer.Import(ctx, db, res, opts)
	if err != nil {
		var list importer.ErrorList
		if errors.As(err, &list) {
			// The bad lines were printed above; say what happened once.
			return fmt.Errorf("%d bad line(s) in %s: nothing written (fix them, or use --skip-invalid to write the %d good shops)", len(list), path, len(res.Shops))
		}
		return err
	}
	fmt.Fprintf(env.Stdout, "imported %s: %d created, %d updated, %d bad lines skipped, in %.1fs\n",
		path, st.Created, st.Updated, len(res.Errors), time.Since(start).Seconds())
	return nil
}

func exportCmd(ctx context.Context, env *Env, fs *flag.FlagSet, args []string) error {
	if len(args) == 0 || args[0] != "lives" {
		return usageError{"want: export lives DIR"}
	}
	if err := env.parse(fs, args[1:]); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usageError{"want: export lives DIR"}
	}
	db, err := env.openMigratedStore(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	opts, err := env.importOptions(false)
	if err != nil {
		return err
	}
	if err := importer.ExportLIVES(ctx, db, fs.Arg(0), opts); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "wrote LIVES files to %s\n", fs.Arg(0))
	return nil
}

func seedCmd(ctx context.Context, env *Env, fs *flag.FlagSet, args []string) error {
	n := fs.Int("shops", seed.DefaultShops, "number of shops")
	s := fs.Int64("seed", seed.DefaultSeed, "random seed (same seed, same city)")
	if err := env.parse(fs, args); err != nil {
		return err
	}
	if *n < 1 || *n > 1_000_000 {
		return usageError{"--shops must be 1 to 1000000"}
	}
	g, err := grids()
	if err != nil {
		return err
	}
	start := time.Now()
	shops := seed.Generate(seed.Options{
		Shops: *n, Seed: *s, Now: env.Now(),
		GridFor: func(district string, lat, lng float64) string {
			grid, _ := g.GridFor(district, lat, lng)
			return grid
		},
	})
	now := env.Now()
	for _, sh := range shops {
		if err := sh.Validate(now); err != nil {
			return fmt.Errorf("seed generated an invalid shop %s: %w", sh.Licence, err)
		}
	}
	db, err := env.openMigratedStore(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	st, err := db.UpsertShops(ctx, shops)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "seeded the demo city: %d shops (%d created, %d updated) in %.1fs\n", len(shops), st.Created, st.Updated, time.Since(start).Seconds())
	return nil
}
