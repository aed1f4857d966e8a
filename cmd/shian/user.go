package main

import (
	"context"
	"flag"
	"fmt"
	"strings"

	"shian/staff"
	"shian/store/sqlstore"
	"shian/triage"
)

func init() {
	register("user", "add|reset-password|token|revoke-token: staff accounts and API tokens", userCmd)
	register("audit", "verify: check the audit log's hash chain", auditCmd)
}

// staffService builds the supervision service on db (the lead's serve
// wiring passes the complaint service as the contact opener).
func (env *Env) staffService(db *sqlstore.DB, tr *triage.Triager, contacts staff.ContactOpener) (*staff.Service, error) {
	if tr == nil {
		var err error
		if tr, err = triage.New(triage.Config{}); err != nil {
			return nil, err
		}
	}
	return staff.New(staff.Config{Store: db, Triager: tr, Contacts: contacts, Now: env.Now})
}

func userCmd(ctx context.Context, env *Env, fs *flag.FlagSet, args []string) error {
	name := fs.String("name", "", "login name (a–z, 0–9, . _ -)")
	role := fs.String("role", "", "add: admin, officer or viewer")
	district := fs.String("district", "", "add: an officer's district code")
	grid := fs.String("grid", "", "add: an officer's grid (optional)")
	label := fs.String("label", "", "token: what the token is for")
	token := fs.String("token", "", "revoke-token: only this token (default: all of the user's tokens)")
	if len(args) == 0 {
		return usageError{"want: user add|reset-password|token|revoke-token --name NAME …"}
	}
	sub := args[0]
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
	svc, err := env.staffService(db, nil, nil)
	if err != nil {
		return err
	}
	switch sub {
	case "add":
		pw, err := svc.AddUser(ctx, staff.User{Name: *name, Role: *role, District: *district, Grid: *grid}, "cli")
		if err != nil {
			return fmt.Errorf("user add: %w", err)
		}
		fmt.Fprintln(env.Stdout, pw)
		fmt.Fprintf(env.Stderr, "user %s (%s) added; the password above is shown once: hand it over and have it changed.\n", strings.ToLower(*name), *role)
	case "reset-password":
		pw, err := svc.ResetPassword(ctx, *name, "cli")
		if err != nil {
			return fmt.Errorf("user reset-password: %w", err)
		}
		fmt.Fprintln(env.Stdout, pw)
		fmt.Fprintln(env.Stderr, "new one-time password above; the user's sessions have ended and their API tokens are revoked (issue new ones with `shian user token`).")
	case "token":
		tok, err := svc.IssueToken(ctx, *name, *label, "cli")
		if err != nil {
			return fmt.Errorf("user token: %w", err)
		}
		fmt.Fprintln(env.Stdout, tok)
		fmt.Fprintln(env.Stderr, "API token issued (use: Authorization: Bearer TOKEN); only its hash is stored, so keep it now.")
	case "revoke-token":
		n, err := svc.RevokeTokens(ctx, *name, *token, "cli")
		if err != nil {
			return fmt.Errorf("user revoke-token: %w", err)
		}
		fmt.Fprintf(env.Stdout, "%d token(s) revoked\n", n)
	default:
		return usageError{"unknown subcommand " + sub + "; want add, reset-password, token or revoke-token"}
	}
	return nil
}

func auditCmd(ctx context.Context, env *Env, fs *flag.FlagSet, args []string) error {
	if len(args) == 0 || args[0] != "verify" {
		return usageError{"want: audit verify"}
	}
	if err := env.parse(fs, args[1:]); err != nil {
		return err
	}
	db, err := env.openMigratedStore(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	n, head, err := staff.VerifyChain(ctx, db)
	if err != nil {
		return fmt.Errorf("audit verify: %d entries good before the break: %w", n, err)
	}
	fmt.Fprintf(env.Stdout, "audit log intact: %d entries, head %s\n", n, head)
	return nil
}
