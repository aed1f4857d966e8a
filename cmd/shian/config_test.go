package main

import (
	"flag"
	"io"
	"path/filepath"
	"strings"
	"testing"
)

// validConfig is the default configuration with changes applied through
// the environment, as LoadConfig builds it.
func validConfig(t *testing.T, env map[string]string, args ...string) *Config {
	t.Helper()
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	c := LoadConfig(fs, func(k string) string { return env[k] })
	if err := fs.Parse(args); err != nil {
		t.Fatal(err)
	}
	return c
}

func TestConfigValidate(t *testing.T) {
	for _, tc := range []struct {
		name string
		env  map[string]string
		args []string
		// want are fragments every one of which the error must hold; none
		// means valid.
		want []string
	}{
		{name: "defaults"},
		{name: "postgres", env: map[string]string{"SHIAN_DATABASE_URL": "postgres://u:p@db:5432/shian"}},
		{name: "postgresql scheme", env: map[string]string{"SHIAN_DATABASE_URL": "postgresql://db/shian"}},
		{name: "all services", env: map[string]string{"SHIAN_MEILI_URL": "http://127.0.0.1:7700", "SHIAN_REDIS_URL": "redis://127.0.0.1:6379/0",
			"SHIAN_TRUSTED_PROXIES": "10.0.0.0/8, 192.0.2.1, ::1", "SHIAN_ADMIN_ADDR": "127.0.0.1:9090", "SHIAN_LOG_LEVEL": "debug",
			"SHIAN_WECHAT_AESKEY": strings.Repeat("k", 43)}},
		{name: "flag overrides env", env: map[string]string{"SHIAN_ADDR": "nonsense"}, args: []string{"--addr", "0.0.0.0:80"}},
		{name: "bad addr", env: map[string]string{"SHIAN_ADDR": "8080"}, want: []string{"SHIAN_ADDR"}},
		{name: "bad admin addr", env: map[string]string{"SHIAN_ADMIN_ADDR": "localhost"}, want: []string{"SHIAN_ADMIN_ADDR"}},
		{name: "empty data dir", args: []string{"--data-dir", ""}, want: []string{"SHIAN_DATA_DIR"}},
		{name: "unknown database", env: map[string]string{"SHIAN_DATABASE_URL": "mysql://db/shian"}, want: []string{"SHIAN_DATABASE_URL"}},
		{name: "relative meili URL", env: map[string]string{"SHIAN_MEILI_URL": "127.0.0.1:7700"}, want: []string{"SHIAN_MEILI_URL"}},
		{name: "redis URL password masked", env: map[string]string{"SHIAN_REDIS_URL": "redis://:hunter2@"}, want: []string{"SHIAN_REDIS_URL", "xxxxx"}},
		{name: "empty public URL", args: []string{"--public-url", ""}, want: []string{"SHIAN_PUBLIC_URL must not be empty"}},
		{name: "bad proxy", env: map[string]string{"SHIAN_TRUSTED_PROXIES": "10.0.0.0/8,not-an-ip"}, want: []string{"SHIAN_TRUSTED_PROXIES", "not-an-ip"}},
		{name: "bad log level", env: map[string]string{"SHIAN_LOG_LEVEL": "verbose"}, want: []string{"SHIAN_LOG_LEVEL"}},
		{name: "short AES key", env: map[string]string{"SHIAN_WECHAT_AESKEY": "short"}, want: []string{"SHIAN_WECHAT_AESKEY"}},
		{name: "every error at once", env: map[string]string{"SHIAN_ADDR": "x", "SHIAN_LOG_LEVEL": "loud", "SHIAN_DATABASE_URL": "ftp://x"},
			want: []string{"SHIAN_ADDR", "SHIAN_LOG_LEVEL", "SHIAN_DATABASE_URL"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := validConfig(t, tc.env, tc.args...)
			err := c.Validate()
			if len(tc.want) == 0 {
				if err != nil {
					t.Fatalf("valid config refused: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("accepted, want an error naming %q", tc.want)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			if strings.Contains(err.Error(), "hunter2") {
				t.Errorf("error shows a password: %v", err)
			}
		})
	}
}

// TestConfigDerivedDefaults: Validate fills the SQLite URL from the data
// directory, and leaves an explicit one alone.
func TestConfigDerivedDefaults(t *testing.T) {
	c := validConfig(t, map[string]string{"SHIAN_DATA_DIR": "/srv/shian"})
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if want := "sqlite://" + filepath.Join("/srv/shian", "shian.db"); c.DatabaseURL != want {
		t.Fatalf("DatabaseURL %q, want %q", c.DatabaseURL, want)
	}
	c = validConfig(t, map[string]string{"SHIAN_DATABASE_URL": "sqlite:///tmp/x.db"})
	if err := c.Validate(); err != nil || c.DatabaseURL != "sqlite:///tmp/x.db" {
		t.Fatalf("%v %q", err, c.DatabaseURL)
	}
}
