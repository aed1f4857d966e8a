package main

import (
	"context"
	"flag"
	"fmt"
	"strings"
)

func init() {
	register("apikey", "add --name PARTNER: issue an Open311 api_key (printed once)", apikeyCmd)
}

func apikeyCmd(ctx context.Context, env *Env, fs *flag.FlagSet, args []string) error {
	name := fs.String("name", "", "the partner the key is for")
	if len(args) == 0 || args[0] != "add" {
		return usageError{"want: apikey add --name PARTNER"}
	}
	if err := env.parse(fs, args[1:]); err != nil {
		return err
	}
	if strings.TrimSpace(*name) == "" {
		return usageError{"--name is required"}
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
	key, err := svc.AddAPIKey(ctx, *name)
	if err != nil {
		return fmt.Errorf("apikey add: %w", err)
	}
	fmt.Fprintln(env.Stdout, key)
	fmt.Fprintf(env.Stderr, "api_key for %s issued; only a keyed hash of it is stored, so keep it now.\n", strings.TrimSpace(*name))
	return nil
}
