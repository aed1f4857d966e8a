package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"shian/internal/testenv"
)

var (
	buildOnce sync.Once
	builtBin  string
	buildErr  error
)

// buildBinary builds the real shian binary once per test run.
func buildBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "shian-e2e-")
		if err != nil {
			buildErr = err
			return
		}
		builtBin = filepath.Join(dir, "shian")
		cmd := exec.Command("go", "build", "-o", builtBin, ".")
		cmd.Stderr = os.Stderr
		buildErr = cmd.Run()
	})
	if buildErr != nil {
		t.Fatalf("go build: %v", buildErr)
	}
	return builtBin
}

func TestMain(m *testing.M) {
	code := m.Run()
	if builtBin != "" {
		os.RemoveAll(filepath.Dir(builtBin))
	}
	os.Exit(code)
}

// runShian runs a subcommand in process through Run, as main does, with the
// data directory and embedded defaults (no Meilisearch, no Redis), and
// returns its combined output; err is set on a non-zero exit status.
func runShian(t *testing.T, dataDir string, args ...string) (string, error) {
	t.Helper()
	var out syncBuffer
	if code := Run(t.Context(), args, &out, &out, testGetenv(dataDir)); code != 0 {
		return out.String(), fmt.Errorf("exit status %d", code)
	}
	return out.String(), nil
}

// testGetenv is the process environment with the data directory set and the
// external services unset.
func testGetenv(dataDir string, env ...string) func(string) string {
	over := map[string]string{"SHIAN_DATA_DIR": dataDir, "SHIAN_DATABASE_URL": "", "SHIAN_MEILI_URL": "", "SHIAN_REDIS_URL": ""}
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		over[k] = v
	}
	return func(k string) string {
		if v, ok := over[k]; ok {
			return v
		}
		return os.Getenv(k)
	}
}

// startServe runs `shian serve` in process on a free port and returns its
// base URL and a stop function that cancels it (as SIGTERM does in main)
// and returns its exit status.
func startServe(t *testing.T, dataDir string, env ...string) (string, func() int) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	exit := make(chan int, 1)
	go func() {
		exit <- Run(ctx, []string{"serve", "--addr", "127.0.0.1:0"}, io.Discard, pw, testGetenv(dataDir, env...))
		pw.Close()
	}()
	var once sync.Once
	code := -1
	stop := func() int {
		once.Do(func() {
			cancel()
			select {
			case code = <-exit:
			case <-time.After(15 * time.Second):
				t.Error("serve did not stop within 15s of its context's end")
			}
		})
		return code
	}
	t.Cleanup(func() { stop() })
	urls := make(chan string, 1)
	go func() {
		re := regexp.MustCompile(`url=(http://127\.0\.0\.1:\d+)`)
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			if m := re.FindStringSubmatch(sc.Text()); m != nil {
				select {
				case urls <- m[1]:
				default:
				}
			}
		}
		io.Copy(io.Discard, pr)
	}()
	select {
	case u := <-urls:
		return u, stop
	case code := <-exit:
		t.Fatalf("serve exited with %d before listening", code)
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not report its address within 30s")
	}
	return "", nil
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

func getJSON(t *testing.T, url string) (int, map[string]any) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatalf("GET %s: not JSON: %s", url, body)
	}
	return resp.StatusCode, m
}

const goodShops = `{"licence":"JY11303040000001","name":"老二位海鲜","name_en":"Lao Er Wei Seafood","category":"restaurant","address":"秦皇岛市北戴河区保二路8号","district":"beidaihe","lat":39.8301,"lng":119.4852,"licensed_on":"2019-05-01","inspections":[{"date":"2026-06-01","score":92,"inspector":"王芳"},{"date":"2025-08-01","result":"good"}]}
{"licence":"JY11303040000002","name":"长城饺子馆","category":"restaurant","address":"秦皇岛市山海关区南关大街3号","district":"shanhaiguan","status":"suspended"}
`

func TestEndToEnd(t *testing.T) {
	data := t.TempDir()
	// serve refuses a database whose schema is behind, and says what to do.
	if out, err := runShian(t, data, "serve", "--addr", "127.0.0.1:0"); err == nil || !strings.Contains(out, "run `shian migrate`") {
		t.Fatalf("serve on an unmigrated database: err %v, output %s", err, out)
	}
	if out, err := runShian(t, data, "migrate"); err != nil || !strings.Contains(out, "applied 0001_shops.sql") {
		t.Fatalf("migrate: %v %s", err, out)
	}
	file := filepath.Join(t.TempDir(), "shops.jsonl")
	os.WriteFile(file, []byte(goodShops), 0o644)
	bad := filepath.Join(t.TempDir(), "bad.jsonl")
	os.WriteFile(bad, []byte(goodShops+`{"licence":"JY11303040000003","name":"x","category":"restaurant","address":"y","district":"atlantis"}`+"\n"), 0o644)

	out, err := runShian(t, data, "import", "shops", bad)
	if err == nil || !strings.Contains(out, "line 3: district") || !strings.Contains(out, "nothing written") {
		t.Fatalf("import of a bad file: err %v, output %s", err, out)
	}
	out, err = runShian(t, data, "import", "shops", file)
	if err != nil || !strings.Contains(out, "2 created, 0 updated") {
		t.Fatalf("import: %v %s", err, out)
	}
	out, err = runShian(t, data, "import", "shops", file)
	if err != nil || !strings.Contains(out, "0 created, 2 updated") {
		t.Fatalf("re-import: %v %s", err, out)
	}
	if _, err := os.Stat(filepath.Join(data, "shian.db")); err != nil {
		t.Fatalf("default SQLite file: %v", err)
	}

	base, stop := startServe(t, data)
	status, shop := getJSON(t, base+"/api/v1/shops/JY11303040000001")
	if status != 200 || shop["name"] != "老二位海鲜" || shop["grade"].(map[string]any)["dynamic"] != "excellent" {
		t.Fatalf("GET shop: %d %v", status, shop)
	}
	status, prob := getJSON(t, base+"/api/v1/shops/JY11303040000009")
	if status != 404 || !strings.Contains(prob["detail"].(string), "JY11303040000009") {
		t.Fatalf("GET missing shop: %d %v", status, prob)
	}
	status, ready := getJSON(t, base+"/readyz")
	if status != 200 || ready["checks"].(map[string]any)["store"] != "ok" {
		t.Fatalf("readyz: %d %v", status, ready)
	}
	// Graceful shutdown when the context ends (main ends it on SIGTERM).
	if code := stop(); code != 0 {
		t.Fatalf("serve exited with %d after its context ended", code)
	}
}

func TestConfigMasksSecrets(t *testing.T) {
	bin := buildBinary(t)
	cmd := exec.Command(bin, "config")
	cmd.Env = append(os.Environ(), "SHIAN_SECRET=supersecretvalue-supersecretvalue-123", "SHIAN_DATABASE_URL=postgres://u:hunter2@db:5432/shian")
	out, err := cmd.CombinedOutput()
	if err != nil || strings.Contains(string(out), "supersecretvalue") || strings.Contains(string(out), "hunter2") || !strings.Contains(string(out), "****** (set)") {
		t.Fatalf("config output leaks or fails: %v\n%s", err, out)
	}
	cmd = exec.Command(bin, "config", "--addr", "nonsense")
	if out, err := cmd.CombinedOutput(); err == nil || !strings.Contains(string(out), "SHIAN_ADDR") {
		t.Fatalf("bad --addr accepted: %s", out)
	}
}

// TestStickersEndToEnd prints a sticker with the real binary, decodes it
// with zbarimg, follows the decoded URL to the landing page, and prints a
// district sheet whose text pdftotext reads back.
func TestStickersEndToEnd(t *testing.T) {
	zbarimg := testenv.Tool(t, "zbarimg")
	pdftotext := testenv.Tool(t, "pdftotext")
	data := t.TempDir()
	if out, err := runShian(t, data, "migrate"); err != nil {
		t.Fatal(err, out)
	}
	file := filepath.Join(t.TempDir(), "shops.jsonl")
	os.WriteFile(file, []byte(goodShops), 0o644)
	if out, err := runShian(t, data, "import", "shops", file); err != nil {
		t.Fatal(err, out)
	}
	base, _ := startServe(t, data)
	png := filepath.Join(t.TempDir(), "code.png")
	out, err := runShian(t, data, "qr", "JY11303040000001", "-o", png, "--public-url", base)
	if err != nil {
		t.Fatalf("shian qr: %v %s", err, out)
	}
	decoded, err := exec.Command(zbarimg, "--quiet", "--raw", png).Output()
	if err != nil {
		t.Fatalf("zbarimg: %v", err)
	}
	url := strings.TrimSpace(string(decoded))
	if !strings.HasPrefix(url, strings.ToUpper(base)+"/S/") {
		t.Fatalf("decoded %q, want the public URL %s/S/…", url, strings.ToUpper(base))
	}
	// The code holds an upper-case URL; the host part is case-insensitive.
	resp, err := http.Get(base + url[len(base):])
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), "老二位海鲜") || !strings.Contains(string(body), "官方二维码") {
		t.Fatalf("landing page: %d\n%s", resp.StatusCode, body)
	}
	pdf := filepath.Join(t.TempDir(), "sheet.pdf")
	if out, err := runShian(t, data, "qr", "sheet", "--district", "beidaihe", "-o", pdf); err != nil {
		t.Fatalf("qr sheet: %v %s", err, out)
	}
	text, err := exec.Command(pdftotext, pdf, "-").Output()
	if err != nil || !strings.Contains(string(text), "老二位海鲜") || !strings.Contains(string(text), "扫码查看食品安全等级") {
		t.Fatalf("pdftotext: %v\n%s", err, text)
	}
	if out, err := runShian(t, data, "qr", "sheet", "--district", "atlantis", "-o", pdf); err == nil || !strings.Contains(out, "--district must be one of") {
		t.Fatalf("bad district: %v %s", err, out)
	}
}
