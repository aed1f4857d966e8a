package main

import (
	"context"
	"flag"
	"fmt"
	"strconv"
	"strings"
	"time"
)

func init() {
	register("purge", "--older-than 365d: erase contact data of complaints closed before then", purgeCmd)
}

// parseAge reads an age as days ("365d") or a Go duration ("8760h").
func parseAge(s string) (time.Duration, error) {
	if d, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(d)
		if err != nil || n <= 0 || n > 100*365 {
			return 0, fmt.Errorf("%q: want a number of days such as 365d", s)
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("%q: want days (365d) or a duration (8760h)", s)
	}
	return d, nil
}

func purgeCmd(ctx context.Context, env *Env, fs *flag.FlagSet, args []string) error {
	older := fs.String("older-than", "365d", "age of the last change of a closed complaint")
	if err := env.parse(fs, args); err != nil {
		return err
	}
	age, err := parseAge(*older)
	if err != nil {
		return usageError{"--older-than " + err.Error()}
	}
	db, err := env.openMigratedStore(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	svc, err := env.complaintService(db, nil, nil)
	if err != nil {
		return err
	}
	n, err := svc.Purge(ctx, age)
	if err != nil {
		return fmt.Errorf("purge: %w", err)
	}
	fmt.Fprintf(env.Stdout, "erased the contact data of %d closed complaint(s)\n", n)
	return nil
}
