package ratelimit_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"shian/internal/testenv"
	"shian/ratelimit"
)

// replica is one `shian serve` process of a test.
type replica struct {
	URL string
	cmd *exec.Cmd
	log *bytes.Buffer
}

// shianBinary returns $SHIAN_BIN, or builds ./cmd/shian into a temp dir.
func shianBinary(t *testing.T) string {
	t.Helper()
	if b := os.Getenv("SHIAN_BIN"); b != "" {
		return b
	}
	gomod, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil || len(bytes.TrimSpace(gomod)) == 0 {
		t.Fatalf("go env GOMOD: %v", err)
	}
	bin := filepath.Join(t.TempDir(), "shian")
	build := exec.Command("go", "build", "-o", bin, "./cmd/shian")
	build.Dir = filepath.Dir(string(bytes.TrimSpace(gomod)))
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build ./cmd/shian: %v\n%s", err, out)
	}
	return bin
}

// startReplicas migrates one SQLite database and starts n `shian serve`
// processes on it, all with env (SHIAN_REDIS_URL …), each on its own port.
// They are stopped when the test ends; their logs are printed if it failed.
func startReplicas(t *testing.T, n int, env ...string) []*replica {
	t.Helper()
	bin := shianBinary(t)
	data := t.TempDir()
	// One secret for all: replicas must verify each other's tokens (and
	// must not race to generate the secret file).
	base := append(os.Environ(), "SHIAN_DATA_DIR="+data, "SHIAN_LOG_LEVEL=warn",
		"SHIAN_SECRET=replica-test-secret-0123456789abcdef")
	base = append(base, env...)
	mig := exec.Command(bin, "migrate")
	mig.Env = base
	if out, err := mig.CombinedOutput(); err != nil {
		t.Fatalf("shian migrate: %v\n%s", err, out)
	}
	var rs []*replica
	for range n {
		port := testenv.FreePort(t)
		r := &replica{URL: fmt.Sprintf("http://127.0.0.1:%d", port), log: &bytes.Buffer{}}
		r.cmd = exec.Command(bin, "serve")
		r.cmd.Env = append(base, fmt.Sprintf("SHIAN_ADDR=127.0.0.1:%d", port))
		r.cmd.Stdout, r.cmd.Stderr = r.log, r.log
		r.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
		if err := r.cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			r.cmd.Process.Signal(syscall.SIGTERM)
			done := make(chan struct{})
			go func() { r.cmd.Wait(); close(done) }()
			select {
			case <-done:
			case <-time.After(10 * time.Second):
				r.cmd.Process.Kill()
				<-done
			}
			if t.Failed() {
				t.Logf("log of replica %s:\n%s", r.URL, r.log)
			}
		})
		rs = append(rs, r)
	}
	for _, r := range rs {
		waitFor(t, 20*time.Second, r.URL+" healthy", func() bool {
			resp, err := http.Get(r.URL + "/healthz")
			if err != nil {
				return false
			}
			resp.Body.Close()
			return resp.StatusCode == 200
		})
	}
	return rs
}

// limiterCheck returns the "ratelimit" entry of a replica's /readyz.
func limiterCheck(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var r struct{ Checks map[string]string }
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		t.Fatal(err)
	}
	check, ok := r.Checks["ratelimit"]
	if !ok {
		return "(absent)"
	}
	return check
}

// TestTwoReplicasShareOneLimit starts two real `shian serve` processes on
// one (private) Redis and drives both from one client address: together
// they must allow the public_read burst once, not once each.
func TestTwoReplicasShareOneLimit(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and starts the shian binary")
	}
	srv := startPrivateRedis(t)
	rs := startReplicas(t, 2, "SHIAN_REDIS_URL="+srv.URL())
	for _, r := range rs {
		if c := limiterCheck(t, r.URL); c != "ok" {
			t.Fatalf("replica's /readyz ratelimit check is %q: `shian serve` is not limiting through Redis", c)
		}
	}
	p := ratelimit.DefaultPolicies()[0] // public_read
	if p.Name != ratelimit.PublicRead {
		t.Fatalf("first default policy is %s", p.Name)
	}
	hc := &http.Client{Timeout: 5 * time.Second}
	ctx := context.Background()
	allowed, refused := 0, 0
	start := time.Now()
	for i := 0; refused < 50 && i < 4*p.Burst; i++ {
		r := rs[i%len(rs)]
		req, _ := http.NewRequestWithContext(ctx, "GET", r.URL+"/api/v1/shops/JY0000000001", nil)
		resp, err := hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		switch {
		case resp.StatusCode == 429:
			refused++
		case strings.HasPrefix(resp.Header.Get("RateLimit-Policy"), `"public_read"`):
			allowed++
		default:
			t.Fatalf("answer %d without RateLimit-Policy", resp.StatusCode)
		}
	}
	took := time.Since(start)
	refill := int(took / p.Interval())
	t.Logf("two replicas allowed %d (burst %d, +%d refilled in %v), refused %d", allowed, p.Burst, refill, took, refused)
	// One global budget: the burst plus what trickled back, within 3 %;
	// two separate budgets would allow twice the burst.
	if max := float64(p.Burst+refill) * 1.03; allowed < p.Burst || float64(allowed) > max {
		t.Fatalf("allowed %d, want %d…%.0f", allowed, p.Burst, max)
	}
}
