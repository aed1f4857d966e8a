// Command shian is the Qinhuangdao food-safety service: one binary for the
// public API and pages, the bot webhooks, the supervisor console and the
// operator's subcommands. Only this package wires adapters together.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"shian/names"
	"sort"
	"strings"
	"syscall"
	"time"

	"shian/search"
	"shian/store/postgres"
	"shian/store/sqlite"
	"shian/store/sqlstore"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(Run(ctx, os.Args[1:], os.Stdout, os.Stderr, os.Getenv))
}

// Env is what every subcommand receives.
type Env struct {
	Config *Config
	Stdout io.Writer
	Stderr io.Writer
	Log    *slog.Logger
	Now    func() time.Time

	namer *names.Namer // loaded once by Names
}

// Names loads the visitor-name data (glossary, catalog, polyphones) once.
// A malformed or duplicated line stops the command, naming the file and
// line: the service refuses to start on bad data (docs/names.md).
func (env *Env) Names() (*names.Namer, error) {
	if env.namer == nil {
		nm, err := names.New()
		if err != nil {
			return nil, fmt.Errorf("names data: %w", err)
		}
		env.namer = nm
	}
	return env.namer, nil
}

type command struct {
	usage string
	run   func(ctx context.Context, env *Env, fs *flag.FlagSet, args []string) error
}

var commands = map[string]command{}

func register(name, usage string, run func(ctx context.Context, env *Env, fs *flag.FlagSet, args []string) error) {
	commands[name] = command{usage, run}
}

// usageError is shown with the command's usage, exit status 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

// Run runs the subcommand in args and returns the exit status.
func Run(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		printUsage(stderr)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	name := args[0]
	cmd, ok := commands[name]
	if !ok {
		fmt.Fprintf(stderr, "shian: unknown command %q\n\n", name)
		printUsage(stderr)
		return 2
	}
	fs := flag.NewFlagSet("shian "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg := LoadConfig(fs, getenv)
	env := &Env{Config: cfg, Stdout: stdout, Stderr: stderr, Now: time.Now}
	err := cmd.run(ctx, env, fs, args[1:])
	var ue usageError
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "shian %s: %v\nusage: shian %s %s\n", name, err, name, cmd.usage)
		return 2
	}
	fmt.Fprintf(stderr, "shian %s: %v\n", name, err)
	return 1
}

func printUsage(w io.Writer) {
	fmt.Fprintln(w, "usage: shian COMMAND [flags]\n\ncommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-8s %s\n", n, commands[n].usage)
	}
	fmt.Fprintln(w, "\nEvery command takes the configuration flags (see `shian config -h`); the environment sets their defaults.")
}

// parse parses flags, validates the config and sets up logging.
func (env *Env) parse(fs *flag.FlagSet, args []string) error {
	// Flags may come before or after positional arguments.
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return err
		}
		if fs.NArg() == 0 {
			break
		}
		positional = append(positional, fs.Arg(0))
		args = fs.Args()[1:]
	}
	if err := fs.Parse(append([]string{"--"}, positional...)); err != nil {
		return err
	}
	if err := env.Config.Validate(); err != nil {
		return fmt.Errorf("configuration: %w", err)
	}
	level := map[string]slog.Level{"debug": slog.LevelDebug, "info": slog.LevelInfo, "warn": slog.LevelWarn, "error": slog.LevelError}[env.Config.LogLevel]
	env.Log = slog.New(slog.NewTextHandler(env.Stderr, &slog.HandlerOptions{Level: level}))
	return nil
}

// openStore opens the configured database.
func (env *Env) openStore(ctx context.Context) (*sqlstore.DB, error) {
	u := env.Config.DatabaseURL
	var db *sqlstore.DB
	var err error
	switch {
	case strings.HasPrefix(u, "sqlite://"):
		db, err = sqlite.Open(ctx, strings.TrimPrefix(u, "sqlite://"))
	default:
		db, err = postgres.Open(ctx, u)
	}
	if err != nil {
		return nil, err
	}
	db.Now = env.Now
	// Pinyin and initials are stored with each shop so that the store-backed
	// (degraded) search matches what Meilisearch matches.
	db.Keywords = search.Keywords
	return db, nil
}

// openMigratedStore opens the store and refuses a schema that is behind.
func (env *Env) openMigratedStore(ctx context.Context) (*sqlstore.DB, error) {
	db, err := env.openStore(ctx)
	if err != nil {
		return nil, err
	}
	pending, err := db.Pending(ctx)
	if err != nil {
		db.Close()
		return nil, err
	}
	if len(pending) > 0 {
		db.Close()
		names := make([]string, len(pending))
		for i, m := range pending {
			names[i] = m.Name
		}
		return nil, fmt.Errorf("the database schema is behind: %d migration(s) pending (%s); run `shian migrate` first", len(pending), strings.Join(names, ", "))
	}
	return db, nil
}

func init() {
	register("config", "print the configuration, secrets masked", func(ctx context.Context, env *Env, fs *flag.FlagSet, args []string) error {
		if err := env.parse(fs, args); err != nil {
			return err
		}
		env.Config.Print(env.Stdout)
		return nil
	})
	register("migrate", "apply pending database migrations", func(ctx context.Context, env *Env, fs *flag.FlagSet, args []string) error {
		if err := env.parse(fs, args); err != nil {
			return err
		}
		db, err := env.openStore(ctx)
		if err != nil {
			return err
		}
		defer db.Close()
		names, err := db.Migrate(ctx)
		for _, n := range names {
			fmt.Fprintf(env.Stdout, "applied %s\n", n)
		}
		if err == nil && len(names) == 0 {
			fmt.Fprintln(env.Stdout, "schema is up to date")
		}
		return err
	})
}
