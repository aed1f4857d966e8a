package testenv

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

const (
	meiliHint    = "run scripts/devstack.sh meili, or set SHIAN_TEST_MEILI_URL and SHIAN_TEST_MEILI_KEY"
	meiliBinHint = "run scripts/devstack.sh meili-bin, or set SHIAN_MEILI_BIN"
)

// MeiliURL returns the URL (without a trailing slash) and master key of the
// shared dev Meilisearch ($SHIAN_TEST_MEILI_URL and $SHIAN_TEST_MEILI_KEY,
// else DefaultMeiliURL and DefaultMeiliKey) after checking that it is healthy
// and accepts the key. Other tests use the same instance at the same time:
// name your indexes with UniqueName and delete them when done. A test that
// stops Meilisearch must use StartMeili instead.
func MeiliURL(tb testing.TB) (url, key string) {
	tb.Helper()
	url = strings.TrimRight(env("SHIAN_TEST_MEILI_URL", DefaultMeiliURL), "/")
	key = env("SHIAN_TEST_MEILI_KEY", DefaultMeiliKey)
	ctx, cancel := context.WithTimeout(tb.Context(), 10*time.Second)
	defer cancel()
	if err := meiliCheck(ctx, url, key); err != nil {
		unavailable(tb, meiliHint, "Meilisearch at %s: %v", url, err)
	}
	return url, key
}

// MeiliBin returns the path of the pinned Meilisearch binary:
// $SHIAN_MEILI_BIN, else the one scripts/devstack.sh caches in
// ~/.cache/shian.
func MeiliBin(tb testing.TB) string {
	tb.Helper()
	p := os.Getenv("SHIAN_MEILI_BIN")
	if p == "" {
		dir, err := os.UserCacheDir()
		if err != nil {
			unavailable(tb, meiliBinHint, "no cache directory for the Meilisearch binary: %v", err)
		}
		p = filepath.Join(dir, "shian", "meilisearch-"+MeiliVersion)
	}
	if !isExecutable(p) {
		unavailable(tb, meiliBinHint, "Meilisearch binary not found at %s", p)
	}
	return p
}

// Meili is a private Meilisearch process owned by one test, on a free
// loopback port with its own database in a temporary directory. Tests that
// stop or restart Meilisearch use it; the others use the shared MeiliURL.
type Meili struct {
	URL  string // http://127.0.0.1:PORT, no trailing slash
	Key  string // master key
	Port int
	Dir  string // holds the database, dumps, snapshots and meili.log

	tb  testing.TB
	bin string

	mu     sync.Mutex
	cmd    *exec.Cmd     // nil while stopped
	exited chan struct{} // closed once cmd has exited and been reaped
}

var errExited = errors.New("meilisearch exited")

// StartMeili starts a private Meilisearch and waits until it is healthy. It
// is stopped, and its directory removed, when the test ends; if the test
// failed, the end of its log is logged.
func StartMeili(tb testing.TB) *Meili {
	tb.Helper()
	m := &Meili{
		Key: "shian-test-" + randomHex(tb, 16),
		Dir: tb.TempDir(),
		tb:  tb,
		bin: MeiliBin(tb),
	}
	// Registered after TempDir's cleanup, so it runs before the directory goes.
	tb.Cleanup(func() {
		if err := m.stop(syscall.SIGTERM); err != nil {
			tb.Errorf("testenv: stop meilisearch: %v", err)
		}
		if tb.Failed() {
			tb.Logf("testenv: end of %s:\n%s", filepath.Join(m.Dir, "meili.log"), m.logTail(4096))
		}
	})
	var err error
	// A free port can be taken by another process before Meilisearch binds
	// it; Meilisearch then exits and another port is tried.
	for attempt := 0; attempt < 5; attempt++ {
		m.Port = FreePort(tb)
		m.URL = fmt.Sprintf("http://127.0.0.1:%d", m.Port)
		if err = m.start(); err == nil || !errors.Is(err, errExited) {
			break
		}
	}
	if err != nil {
		tb.Fatalf("testenv: start meilisearch: %v\n%s", err, m.logTail(4096))
	}
	return m
}

// Start starts the process again after Stop or Kill, on the same port with
// the same database, and waits until it is healthy. It does nothing when the
// process runs. Call it from the test's goroutine (it may call Fatal).
func (m *Meili) Start() {
	m.tb.Helper()
	if err := m.start(); err != nil {
		m.tb.Fatalf("testenv: restart meilisearch on port %d: %v\n%s", m.Port, err, m.logTail(4096))
	}
}

// Stop stops the process with SIGTERM (SIGKILL after 15 s) and waits until it
// has exited. It does nothing when the process is stopped. Call it from the
// test's goroutine (it may call Fatal).
func (m *Meili) Stop() {
	m.tb.Helper()
	if err := m.stop(syscall.SIGTERM); err != nil {
		m.tb.Fatalf("testenv: stop meilisearch: %v", err)
	}
}

// Kill stops the process with SIGKILL, as a crash would, and waits until it
// has exited.
func (m *Meili) Kill() {
	m.tb.Helper()
	if err := m.stop(syscall.SIGKILL); err != nil {
		m.tb.Fatalf("testenv: kill meilisearch: %v", err)
	}
}

// Running reports whether the process has been started and not stopped.
func (m *Meili) Running() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.cmd != nil
}

// Health returns nil when the process answers GET /health and accepts the key.
func (m *Meili) Health(ctx context.Context) error {
	return meiliCheck(ctx, m.URL, m.Key)
}

func (m *Meili) start() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.cmd != nil {
		return nil
	}
	logFile, err := os.OpenFile(filepath.Join(m.Dir, "meili.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return fmt.Errorf("open log: %w", err)
	}
	cmd := exec.Command(m.bin,
		"--http-addr", fmt.Sprintf("127.0.0.1:%d", m.Port),
		"--db-path", filepath.Join(m.Dir, "data.ms"),
		"--dump-dir", filepath.Join(m.Dir, "dumps"),
		"--snapshot-dir", filepath.Join(m.Dir, "snapshots"),
		"--env", "development",
		"--no-analytics",
		"--log-level", "WARN",
		"--master-key", m.Key,
	)
	cmd.Dir = m.Dir
	cmd.Stdout = logFile
	cmd.Stderr = logFile
	cmd.SysProcAttr = procAttr()
	if err := cmd.Start(); err != nil {
		logFile.Close()
		return fmt.Errorf("start %s: %w", m.bin, err)
	}
	exited := make(chan struct{})
	go func() {
		_ = cmd.Wait() // the exit status is read from cmd.ProcessState
		logFile.Close()
		close(exited)
	}()
	m.cmd, m.exited = cmd, exited

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		// Checking the key too tells our process from another one that
		// may have taken the port.
		if meiliCheck(ctx, m.URL, m.Key) == nil {
			return nil
		}
		select {
		case <-exited:
			m.cmd = nil
			return fmt.Errorf("%w: %s", errExited, cmd.ProcessState)
		case <-ctx.Done():
			_ = cmd.Process.Kill()
			<-exited
			m.cmd = nil
			return errors.New("not healthy within 60 s")
		case <-tick.C:
		}
	}
}

func (m *Meili) stop(sig syscall.Signal) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.cmd == nil {
		return nil
	}
	cmd, exited := m.cmd, m.exited
	m.cmd = nil
	if err := cmd.Process.Signal(sig); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return fmt.Errorf("signal %v: %w", sig, err)
	}
	select {
	case <-exited:
	case <-time.After(15 * time.Second):
		_ = cmd.Process.Kill()
		<-exited
	}
	return nil
}

// logTail returns at most n bytes from the end of the process's log.
func (m *Meili) logTail(n int64) string {
	f, err := os.Open(filepath.Join(m.Dir, "meili.log"))
	if err != nil {
		return "(no log: " + err.Error() + ")"
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.Size() > n {
		_, _ = f.Seek(-n, io.SeekEnd)
	}
	b, _ := io.ReadAll(f)
	return string(bytes.TrimSpace(b))
}

// meiliCheck returns nil when the Meilisearch at url is healthy and key opens
// it (GET /version needs a valid key).
func meiliCheck(ctx context.Context, url, key string) error {
	if err := meiliGet(ctx, url+"/health", ""); err != nil {
		return fmt.Errorf("health: %w", err)
	}
	if err := meiliGet(ctx, url+"/version", key); err != nil {
		return fmt.Errorf("key check: %w", err)
	}
	return nil
}

func meiliGet(ctx context.Context, url, key string) error {
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return fmt.Errorf("request: %w", err)
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s: %s", url, resp.Status, bytes.TrimSpace(body))
	}
	return nil
}
