package testenv

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/redis/go-redis/v9"
)

func TestSanitize(t *testing.T) {
	tests := []struct {
		in   string
		max  int
		want string
	}{
		{"TestStore/Create_shop", 48, "teststore_create_shop"},
		{"Test食安/海鲜#1", 48, "test_1"},
		{"  --  ", 48, "t_"},
		{"9lives", 48, "t_9lives"},
		{"TestAVeryLongNameThatGoesOnAndOn/and_on_and_on_and_on", 20, "testaverylongnametha"},
		{"Test_a_______b", 48, "test_a_b"},
		{"abc_def", 4, "abc"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := sanitize(tt.in, tt.max); got != tt.want {
				t.Errorf("sanitize(%q, %d) = %q, want %q", tt.in, tt.max, got, tt.want)
			}
		})
	}
}

func TestUniqueName(t *testing.T) {
	valid := regexp.MustCompile(`^[a-z][a-z0-9_]{0,47}$`)
	names := map[string]bool{}
	for _, sub := range []string{"short", "a/very/deep/and/quite/long/subtest/name/that/needs/cutting", "Ünïcödé 名字"} {
		t.Run(sub, func(t *testing.T) {
			for range 3 {
				n := UniqueName(t)
				if !valid.MatchString(n) {
					t.Errorf("UniqueName = %q, not a safe identifier of at most 48 bytes", n)
				}
				if !strings.HasPrefix(n, "testuniquename_") {
					t.Errorf("UniqueName = %q, want it to start with the test's name", n)
				}
				if names[n] {
					t.Errorf("UniqueName returned %q twice", n)
				}
				names[n] = true
			}
		})
	}
}

func TestRequired(t *testing.T) {
	tests := []struct {
		ci   string
		want bool
	}{
		{"true", true},
		{"1", true},
		{"TRUE", true},
		{"", false},
		{"false", false},
		{"yes-please", false},
	}
	for _, tt := range tests {
		t.Run("CI="+tt.ci, func(t *testing.T) {
			t.Setenv("CI", tt.ci)
			if got := Required(); got != tt.want {
				t.Errorf("Required() with CI=%q = %v, want %v", tt.ci, got, tt.want)
			}
		})
	}
}

// recorder is a testing.TB that records Fatal and Skip instead of ending the
// real test, so the fail-or-skip rule itself can be tested.
type recorder struct {
	testing.TB
	mu      sync.Mutex
	fatal   bool
	skipped bool
	msg     string
}

func (r *recorder) Helper() {}

func (r *recorder) end(fatal bool, msg string) {
	r.mu.Lock()
	r.fatal, r.skipped, r.msg = fatal, !fatal, msg
	r.mu.Unlock()
	runtime.Goexit()
}

func (r *recorder) Fatal(args ...any)                 { r.end(true, fmt.Sprint(args...)) }
func (r *recorder) Fatalf(format string, args ...any) { r.end(true, fmt.Sprintf(format, args...)) }
func (r *recorder) FailNow()                          { r.end(true, "FailNow") }
func (r *recorder) Skip(args ...any)                  { r.end(false, fmt.Sprint(args...)) }
func (r *recorder) Skipf(format string, args ...any)  { r.end(false, fmt.Sprintf(format, args...)) }
func (r *recorder) SkipNow()                          { r.end(false, "SkipNow") }

// record runs f with a recorder in its own goroutine (Fatal and Skip end it
// with runtime.Goexit) and returns what f did.
func record(t *testing.T, f func(tb testing.TB)) *recorder {
	r := &recorder{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		f(r)
	}()
	<-done
	return r
}

func TestMissingServiceFailsUnderCIAndSkipsOtherwise(t *testing.T) {
	helpers := []struct {
		name string
		env  map[string]string
		call func(tb testing.TB)
		want string // in the message
	}{
		{"PostgresURL", map[string]string{"SHIAN_TEST_POSTGRES_URL": "postgres://postgres@127.0.0.1:1/test?sslmode=disable&connect_timeout=2"},
			func(tb testing.TB) { PostgresURL(tb) }, "PostgreSQL at postgres://postgres@127.0.0.1:1/test"},
		{"NewPostgresDatabase", map[string]string{"SHIAN_TEST_POSTGRES_URL": "postgres://postgres@127.0.0.1:1/test?sslmode=disable&connect_timeout=2"},
			func(tb testing.TB) { NewPostgresDatabase(tb) }, "does not answer"},
		{"RedisURL", map[string]string{"SHIAN_TEST_REDIS_URL": "redis://127.0.0.1:1/0"},
			func(tb testing.TB) { RedisURL(tb) }, "Redis at redis://127.0.0.1:1/0"},
		{"KeyPrefix", map[string]string{"SHIAN_TEST_REDIS_URL": "redis://127.0.0.1:1/0"},
			func(tb testing.TB) { KeyPrefix(tb) }, "does not answer"},
		{"MeiliURL", map[string]string{"SHIAN_TEST_MEILI_URL": "http://127.0.0.1:1"},
			func(tb testing.TB) { MeiliURL(tb) }, "Meilisearch at http://127.0.0.1:1"},
		{"StartMeili", map[string]string{"SHIAN_MEILI_BIN": "/nonexistent/meilisearch"},
			func(tb testing.TB) { StartMeili(tb) }, "Meilisearch binary not found at /nonexistent/meilisearch"},
		{"Chromium", map[string]string{"SHIAN_CHROMIUM": "/nonexistent/chromium"},
			func(tb testing.TB) { Chromium(tb) }, "chromium not found at /nonexistent/chromium"},
		{"CJKFont", map[string]string{"SHIAN_CJK_FONT": "/nonexistent/font.ttf"},
			func(tb testing.TB) { CJKFont(tb) }, "CJK font not found"},
		{"Tool", nil,
			func(tb testing.TB) { Tool(tb, "shian-no-such-tool") }, `tool "shian-no-such-tool" not found`},
	}
	for _, h := range helpers {
		for _, ci := range []string{"true", ""} {
			t.Run(h.name+"/CI="+ci, func(t *testing.T) {
				t.Setenv("CI", ci)
				for k, v := range h.env {
					t.Setenv(k, v)
				}
				r := record(t, h.call)
				wantFatal := ci == "true"
				if r.fatal != wantFatal || r.skipped == wantFatal {
					t.Fatalf("fatal=%v skipped=%v, want fatal=%v skipped=%v (message %q)",
						r.fatal, r.skipped, wantFatal, !wantFatal, r.msg)
				}
				if !strings.Contains(r.msg, h.want) {
					t.Errorf("message %q does not contain %q", r.msg, h.want)
				}
				if !strings.Contains(r.msg, "scripts/devstack.sh") {
					t.Errorf("message %q does not say how to provide the service", r.msg)
				}
			})
		}
	}
}

func TestNewPostgresDatabase(t *testing.T) {
	admin := PostgresURL(t)
	ctx := t.Context()

	var schema string
	t.Run("fresh database per call", func(t *testing.T) {
		dbURL := NewPostgresDatabase(t)
		other := NewPostgresDatabase(t)
		if dbURL == other {
			t.Fatalf("two calls returned the same database %s", dbURL)
		}
		for _, u := range []string{dbURL, other} {
			conn, err := pgx.Connect(ctx, u)
			if err != nil {
				t.Fatalf("connect to %s: %v", u, err)
			}
			defer conn.Close(ctx)
			if _, err := conn.Exec(ctx, "CREATE TABLE shops (licence text PRIMARY KEY, name text NOT NULL)"); err != nil {
				t.Fatalf("the same table in two test databases: %v", err)
			}
		}
		conn, _ := pgx.Connect(ctx, dbURL)
		defer conn.Close(ctx)
		if err := conn.QueryRow(ctx, "SELECT current_schema()").Scan(&schema); err != nil {
			t.Fatal(err)
		}
		if _, err := conn.Exec(ctx, "INSERT INTO shops VALUES ($1, $2)", "JY11303020000001", "海港区老王海鲜"); err != nil {
			t.Fatal(err)
		}
		var name string
		if err := conn.QueryRow(ctx, "SELECT name FROM shops WHERE licence = $1", "JY11303020000001").Scan(&name); err != nil || name != "海港区老王海鲜" {
			t.Errorf("read back %q, %v", name, err)
		}
	})
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var exists bool
	if err := conn.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1)", schema).Scan(&exists); err != nil {
		t.Fatal(err)
	}
	if schema == "" || exists {
		t.Errorf("schema %q still exists after its test ended", schema)
	}
}

func TestWithSearchPath(t *testing.T) {
	tests := []struct {
		in, name, want string
		wantErr        bool
	}{
		{"postgres://postgres@127.0.0.1:5432/test?sslmode=disable", "x_1", "postgres://postgres@127.0.0.1:5432/test?search_path=x_1&sslmode=disable", false},
		{"postgresql://u:p@h/db", "y", "postgresql://u:p@h/db?search_path=y", false},
		{"mysql://h/db", "z", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := withSearchPath(tt.in, tt.name)
			if (err != nil) != tt.wantErr || got != tt.want {
				t.Errorf("withSearchPath(%q, %q) = %q, %v; want %q, error %v", tt.in, tt.name, got, err, tt.want, tt.wantErr)
			}
		})
	}
}

func TestKeyPrefix(t *testing.T) {
	client := NewRedisClient(t)
	ctx := t.Context()
	outside := KeyPrefix(t) + "kept"
	if err := client.Set(ctx, outside, "v", time.Minute).Err(); err != nil {
		t.Fatal(err)
	}

	var keys []string
	t.Run("inner", func(t *testing.T) {
		prefix := KeyPrefix(t)
		if prefix == strings.TrimSuffix(outside, "kept") {
			t.Fatalf("nested tests got the same prefix %q", prefix)
		}
		for i := range 1200 { // more than one SCAN/UNLINK batch
			keys = append(keys, fmt.Sprintf("%skey%d", prefix, i))
		}
		keys = append(keys, "rate:"+prefix+"client1") // as redis_rate names its counters
		pipe := client.Pipeline()
		for _, k := range keys {
			pipe.Set(ctx, k, "v", time.Minute)
		}
		if _, err := pipe.Exec(ctx); err != nil {
			t.Fatal(err)
		}
		if n := client.Exists(ctx, keys[0], keys[len(keys)-1]).Val(); n != 2 {
			t.Fatalf("EXISTS = %d after SET, want 2", n)
		}
	})

	if n := client.Exists(ctx, keys...).Val(); n != 0 {
		t.Errorf("%d keys under the inner test's prefix survived its end", n)
	}
	if v, err := client.Get(ctx, outside).Result(); err != nil || v != "v" {
		t.Errorf("key outside the prefix: %q, %v; want it kept", v, err)
	}
}

func TestRedisURLWithDatabaseNumber(t *testing.T) {
	u := RedisURL(t)
	opts, err := redis.ParseURL(u)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(opts.Addr, "127.0.0.1:") && !strings.HasPrefix(opts.Addr, "localhost:") {
		t.Errorf("test Redis at %s is not on loopback", opts.Addr)
	}
}

func TestMeiliURL(t *testing.T) {
	url, key := MeiliURL(t)
	if strings.HasSuffix(url, "/") {
		t.Errorf("URL %q ends with a slash", url)
	}
	var v struct {
		PkgVersion string `json:"pkgVersion"`
	}
	if code := meiliDo(t, http.MethodGet, url+"/version", key, nil, &v); code != http.StatusOK {
		t.Fatalf("GET /version: %d", code)
	}
	if v.PkgVersion != MeiliVersion {
		t.Errorf("shared Meilisearch is %s, want the pinned %s", v.PkgVersion, MeiliVersion)
	}
	if err := meiliCheck(t.Context(), url, key+"-wrong"); err == nil {
		t.Error("meiliCheck accepted a wrong key")
	}
}

func TestStartMeili(t *testing.T) {
	m := StartMeili(t)
	ctx := t.Context()
	if !strings.HasPrefix(m.URL, "http://127.0.0.1:") || m.Port == 0 {
		t.Fatalf("URL %q, port %d", m.URL, m.Port)
	}
	if shared := env("SHIAN_TEST_MEILI_KEY", DefaultMeiliKey); m.Key == shared {
		t.Errorf("private instance uses the shared dev key")
	}
	if err := m.Health(ctx); err != nil {
		t.Fatalf("health after start: %v", err)
	}

	// Data written before a stop must be there after the restart.
	var task struct {
		TaskUID int `json:"taskUid"`
	}
	if code := meiliDo(t, http.MethodPost, m.URL+"/indexes", m.Key, map[string]string{"uid": "shops", "primaryKey": "licence"}, &task); code != http.StatusAccepted {
		t.Fatalf("create index: HTTP %d", code)
	}
	waitTask(t, m, task.TaskUID)

	steps := []struct {
		name string
		stop func()
	}{
		{"SIGTERM", m.Stop},
		{"SIGKILL", m.Kill},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			s.stop()
			if m.Running() {
				t.Error("Running() after stop")
			}
			if err := m.Health(ctx); err == nil {
				t.Fatal("health answers after stop")
			}
			m.Stop() // stopping twice is harmless
			m.Start()
			if !m.Running() {
				t.Error("not Running() after Start")
			}
			if err := m.Health(ctx); err != nil {
				t.Fatalf("health after restart: %v", err)
			}
			m.Start() // starting twice is harmless
			if code := meiliDo(t, http.MethodGet, m.URL+"/indexes/shops", m.Key, nil, nil); code != http.StatusOK {
				t.Errorf("index after restart: HTTP %d, want 200", code)
			}
		})
	}

	t.Run("second private instance", func(t *testing.T) {
		other := StartMeili(t)
		if other.Port == m.Port || other.Dir == m.Dir {
			t.Fatalf("second instance shares port %d or dir %s", other.Port, other.Dir)
		}
		if code := meiliDo(t, http.MethodGet, other.URL+"/indexes/shops", other.Key, nil, nil); code != http.StatusNotFound {
			t.Errorf("second instance sees the first one's index: HTTP %d", code)
		}
		if err := meiliCheck(ctx, other.URL, m.Key); err == nil {
			t.Error("second instance accepts the first one's key")
		}
	})
}

func waitTask(t *testing.T, m *Meili, uid int) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		var task struct {
			Status string `json:"status"`
			Error  any    `json:"error"`
		}
		meiliDo(t, http.MethodGet, fmt.Sprintf("%s/tasks/%d", m.URL, uid), m.Key, nil, &task)
		switch task.Status {
		case "succeeded":
			return
		case "failed", "canceled":
			t.Fatalf("task %d %s: %v", uid, task.Status, task.Error)
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("task %d not done within 30 s", uid)
}

// meiliDo sends a JSON request and decodes a JSON answer into out (if not nil).
func meiliDo(t *testing.T, method, url, key string, in, out any) int {
	t.Helper()
	var body bytes.Buffer
	if in != nil {
		if err := json.NewEncoder(&body).Encode(in); err != nil {
			t.Fatal(err)
		}
	}
	req, err := http.NewRequestWithContext(t.Context(), method, url, &body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	if out != nil {
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			t.Fatalf("%s %s: decode: %v", method, url, err)
		}
	}
	return resp.StatusCode
}

func TestChromiumRendersALoopbackFreePage(t *testing.T) {
	bin := Chromium(t)
	ctx, cancel := context.WithTimeout(t.Context(), 90*time.Second)
	defer cancel()
	args := append(ChromiumArgs(t), "--dump-dom", "data:text/html,<p id=x>shian-ok</p><script>document.getElementById('x').textContent+='-js'</script>")
	out, err := exec.CommandContext(ctx, bin, args...).Output()
	if err != nil {
		t.Fatalf("%s --dump-dom: %v", bin, err)
	}
	if !bytes.Contains(out, []byte("shian-ok-js")) {
		t.Errorf("rendered DOM lacks the script's output:\n%s", out)
	}
}

func TestTool(t *testing.T) {
	for _, name := range []string{"zbarimg", "pdftotext", "wrk"} {
		t.Run(name, func(t *testing.T) {
			p := Tool(t, name)
			if !filepath.IsAbs(p) || !isExecutable(p) || filepath.Base(p) != name {
				t.Errorf("Tool(%q) = %q, want an absolute path to an executable named %s", name, p, name)
			}
		})
	}
}

func TestCJKFont(t *testing.T) {
	p := CJKFont(t)
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	magic := make([]byte, 4)
	if _, err := f.Read(magic); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(magic, []byte{0, 1, 0, 0}) && string(magic) != "true" {
		t.Errorf("%s does not start like a TrueType font: % x", p, magic)
	}
}

func TestFreePort(t *testing.T) {
	for range 3 {
		port := FreePort(t)
		if port <= 0 || port > 65535 {
			t.Fatalf("FreePort = %d", port)
		}
		l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
		if err != nil {
			t.Fatalf("listen on the free port %d: %v", port, err)
		}
		l.Close()
	}
}
