// Package testenv finds, checks and starts the real services and tools that
// Shian's tests talk to: PostgreSQL, Redis, Meilisearch, headless Chromium and
// a few command-line tools (zbarimg, pdftotext, wrk).
//
// Every helper follows one rule. When the service or tool is missing, the test
// is skipped with a message saying how to provide it — unless the environment
// has CI=true, where a missing service is a configuration error and the test
// fails instead. `make test` (and so .ci/run) starts every service first with
// scripts/devstack.sh and exports the variables read here:
//
//	SHIAN_TEST_POSTGRES_URL  admin URL of a PostgreSQL server (default DefaultPostgresURL)
//	SHIAN_TEST_REDIS_URL     Redis URL (default DefaultRedisURL)
//	SHIAN_TEST_MEILI_URL     the shared dev Meilisearch (default DefaultMeiliURL)
//	SHIAN_TEST_MEILI_KEY     its master key (default DefaultMeiliKey)
//	SHIAN_MEILI_BIN          Meilisearch binary for private instances (default: the devstack cache)
//	SHIAN_CHROMIUM           Chromium binary (default /usr/bin/chromium)
//
// Tests share the services, and go test runs packages in parallel processes:
// isolate with the helpers here (a database per test, a key prefix, a unique
// index name) and never flush or drop what another test may be using.
package testenv

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// Defaults used when the SHIAN_TEST_* variables are not set. They match what
// scripts/devstack.sh provisions.
const (
	DefaultPostgresURL = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
	DefaultRedisURL    = "redis://127.0.0.1:6379/0"
	DefaultMeiliURL    = "http://127.0.0.1:7700"
	DefaultMeiliKey    = "shian-dev-master-key-0123456789"
	DefaultChromium    = "/usr/bin/chromium"
	// MeiliVersion is the pinned Meilisearch version scripts/devstack.sh provisions.
	MeiliVersion = "1.21.0"
	// CJKFontPath is the TrueType font with Chinese glyphs that Debian's
	// fonts-droid-fallback installs.
	CJKFontPath = "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf"
)

// Required reports whether missing services must fail tests rather than skip
// them: true when the environment variable CI is "true" (or "1").
func Required() bool {
	v, err := strconv.ParseBool(os.Getenv("CI"))
	return err == nil && v
}

// unavailable ends the test: Fatal under CI, Skip otherwise. hint says how to
// provide what is missing.
func unavailable(tb testing.TB, hint, format string, args ...any) {
	tb.Helper()
	msg := fmt.Sprintf(format, args...)
	if Required() {
		tb.Fatalf("testenv: %s (CI=true, so this fails instead of skipping; %s)", msg, hint)
	}
	tb.Skipf("testenv: %s; skipping (%s; set CI=true to fail instead)", msg, hint)
}

// env returns the environment variable key, or def when it is unset or empty.
func env(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}

// UniqueName returns a name unique to this test run, made of the test's name
// and a random suffix, in lower case letters, digits and underscores only, at
// most 48 bytes: safe as a PostgreSQL identifier, a Meilisearch index uid or
// part of a Redis key.
func UniqueName(tb testing.TB) string {
	tb.Helper()
	return sanitize(tb.Name(), 39) + "_" + randomHex(tb, 4)
}

// sanitize lower-cases s, maps every run of other characters to one
// underscore, trims underscores and cuts the result to max bytes. It never
// returns an empty string nor one starting with a digit.
func sanitize(s string, max int) string {
	var b strings.Builder
	underscore := false
	for _, r := range strings.ToLower(s) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
			underscore = false
			continue
		}
		if !underscore && b.Len() > 0 {
			b.WriteByte('_')
			underscore = true
		}
	}
	out := strings.TrimRight(b.String(), "_")
	if out == "" || (out[0] >= '0' && out[0] <= '9') {
		out = "t_" + out
	}
	if len(out) > max {
		out = strings.TrimRight(out[:max], "_")
	}
	return out
}

func randomHex(tb testing.TB, n int) string {
	tb.Helper()
	buf := make([]byte, n)
	if _, err := rand.Read(buf); err != nil {
		tb.Fatalf("testenv: random: %v", err)
	}
	return hex.EncodeToString(buf)
}

// FreePort returns a TCP port on 127.0.0.1 that was free a moment ago. Another
// process may take it before the caller binds it; prefer listening on port 0
// when the code under test allows.
func FreePort(tb testing.TB) int {
	tb.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("testenv: free port: %v", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// Tool returns the absolute path of a command-line tool the tests need, such
// as "zbarimg", "pdftotext" or "wrk", found on PATH.
func Tool(tb testing.TB, name string) string {
	tb.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		unavailable(tb, "run scripts/devstack.sh tools", "tool %q not found on PATH", name)
	}
	abs, err := filepath.Abs(p)
	if err != nil {
		tb.Fatalf("testenv: tool %q: %v", name, err)
	}
	return abs
}

// Chromium returns the path of the Chromium binary for headless browser
// tests: $SHIAN_CHROMIUM, else /usr/bin/chromium. Start it with ChromiumArgs.
func Chromium(tb testing.TB) string {
	tb.Helper()
	p := env("SHIAN_CHROMIUM", DefaultChromium)
	if !isExecutable(p) {
		unavailable(tb, "run scripts/devstack.sh tools (Debian package chromium)", "chromium not found at %s", p)
	}
	return p
}

// ChromiumArgs returns the flags that let Chromium run headless as root on a
// machine with no network but loopback, with a fresh profile in a temporary
// directory removed when the test ends. Append the page's arguments
// (--screenshot=…, --dump-dom, the URL).
func ChromiumArgs(tb testing.TB) []string {
	tb.Helper()
	return []string{
		"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--disable-dev-shm-usage", "--user-data-dir=" + tb.TempDir(),
	}
}

// CJKFont returns the path of a TrueType font with Chinese glyphs (for PDF
// stickers): $SHIAN_CJK_FONT, else CJKFontPath.
func CJKFont(tb testing.TB) string {
	tb.Helper()
	p := env("SHIAN_CJK_FONT", CJKFontPath)
	if st, err := os.Stat(p); err != nil || !st.Mode().IsRegular() {
		unavailable(tb, "run scripts/devstack.sh tools (Debian package fonts-droid-fallback)", "CJK font not found at %s", p)
	}
	return p
}

func isExecutable(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.Mode().IsRegular() && st.Mode().Perm()&0o111 != 0
}
