package qrcodes

// The external tools come from Debian's zbar-tools and poppler-utils
// (scripts/devstack.sh tools); testenv skips without them, or fails under
// CI=true.

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"shian/internal/testenv"
)

// mustFont returns the CJK font sheets need (testenv.CJKFont: skipped when
// missing, failed under CI=true).
func mustFont(tb testing.TB) []byte {
	tb.Helper()
	b, err := LoadFont(testenv.CJKFont(tb))
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// zbarDecode decodes the QR codes in a PNG image with zbarimg and returns
// their contents.
func zbarDecode(tb testing.TB, png []byte) []string {
	tb.Helper()
	zbar := testenv.Tool(tb, "zbarimg")
	f := filepath.Join(tb.TempDir(), "code.png")
	if err := os.WriteFile(f, png, 0o600); err != nil {
		tb.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd := exec.Command(zbar, "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", f)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		tb.Fatalf("zbarimg %s: %v: %s", f, err, stderr.String())
	}
	return strings.Split(strings.TrimRight(string(out), "\n"), "\n")
}

// pdfText extracts the text of a PDF with pdftotext.
func pdfText(tb testing.TB, pdf []byte) string {
	tb.Helper()
	tool := testenv.Tool(tb, "pdftotext")
	f := filepath.Join(tb.TempDir(), "sheet.pdf")
	if err := os.WriteFile(f, pdf, 0o600); err != nil {
		tb.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd := exec.Command(tool, "-enc", "UTF-8", f, "-")
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		tb.Fatalf("pdftotext: %v: %s", err, stderr.String())
	}
	return string(out)
}
