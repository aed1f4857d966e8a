package qrcodes

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"shian"
	"shian/internal/testenv"
)

// testStickers returns n stickers with Chinese names, some long.
func testStickers(tb testing.TB, n int) []Sticker {
	tb.Helper()
	s := mustSigner(tb, testMaster, "1")
	names := []string{"老渔夫海鲜馆", "山海关四条包子铺", "北戴河刘庄夜市烧烤（第一分店）", "昌黎葡萄酒庄园餐厅", "秦皇岛经济技术开发区第一中学学生食堂二楼清真窗口"}
	districts := []string{"beidaihe", "shanhaiguan", "haigang", "changli", "etdz"}
	out := make([]Sticker, n)
	for i := range out {
		out[i] = Sticker{
			Name:     fmt.Sprintf("%s%d号", names[i%len(names)], i+1),
			NameEN:   fmt.Sprintf("Shop No. %d Seafood & Grill", i+1),
			Licence:  fmt.Sprintf("JY1130302%07d", i+1),
			District: districts[i%len(districts)],
			URL:      URL("https://food.qhd.gov.cn", s.Sign(int64(1000+i), 1)),
		}
	}
	return out
}

func TestSheet(t *testing.T) {
	font := mustFont(t)
	stickers := testStickers(t, 11)
	long := strings.Repeat("特别长的店名", 8)
	var buf bytes.Buffer
	if err := Sheet(&buf, append(stickers, Sticker{Name: long, Licence: "JY0000012", URL: stickers[0].URL}), SheetOptions{Font: font, Title: "北戴河区 stickers"}); err != nil {
		t.Fatal(err)
	}
	// The font file is 4 MB; only its used glyphs may be embedded.
	if buf.Len() > len(font)/10 {
		t.Errorf("a 12-sticker sheet is %d bytes: the %d-byte font is not subset", buf.Len(), len(font))
	}
	text := pdfText(t, buf.Bytes())
	if pages := strings.Count(strings.TrimRight(text, "\f"), "\f") + 1; pages != 2 {
		t.Errorf("%d pages for 11 stickers at 8 a page, want 2", pages)
	}
	// pdftotext may join neighbouring stickers on one line, so look for
	// each string rather than whole lines.
	flat := strings.Join(strings.Fields(text), " ")
	for _, st := range stickers {
		for _, want := range []string{st.Name, "许可证 Licence " + st.Licence, st.NameEN} {
			if !strings.Contains(flat, want) {
				t.Errorf("the PDF text lacks %q:\n%s", want, flat)
			}
		}
	}
	for _, want := range []string{"北戴河区 Beidaihe District", "秦皇岛经济技术开发区 Qinhuangdao Economic"} {
		if !strings.Contains(flat, want) {
			t.Errorf("the PDF text lacks %q", want)
		}
	}
	if cut := regexp.MustCompile(`(特别长的店名)+特?别?长?的?店?名?…`).FindString(flat); cut == "" || len(cut) >= len(long) {
		t.Errorf("the long name is not cut short with an ellipsis:\n%s", flat)
	}
	if got, want := strings.Count(flat, StickerLine), len(stickers)+1; got != want {
		t.Errorf("the sticker line %q appears %d times, want %d:\n%s", StickerLine, got, want, flat)
	}
}

// TestSheetCodesDecode prints the first page at 150 dpi and decodes every
// code on it: the embedded images survive the PDF.
func TestSheetCodesDecode(t *testing.T) {
	font := mustFont(t)
	stickers := testStickers(t, 6)
	var buf bytes.Buffer
	if err := Sheet(&buf, stickers, SheetOptions{Font: font, Columns: 3, Rows: 2}); err != nil {
		t.Fatal(err)
	}
	ppm := testenv.Tool(t, "pdftoppm")
	dir := t.TempDir()
	pdf := filepath.Join(dir, "sheet.pdf")
	if err := os.WriteFile(pdf, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(ppm, "-r", "150", "-png", "-singlefile", "-gray", pdf, filepath.Join(dir, "page")).CombinedOutput()
	if err != nil {
		t.Fatalf("pdftoppm: %v: %s", err, out)
	}
	page, err := os.ReadFile(filepath.Join(dir, "page.png"))
	if err != nil {
		t.Fatal(err)
	}
	got := zbarDecode(t, page)
	var want []string
	for _, st := range stickers {
		want = append(want, st.URL)
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("decoded %q from the page, want %q", got, want)
	}
}

func TestSheetRejects(t *testing.T) {
	font := mustFont(t)
	notTTF := filepath.Join(t.TempDir(), "font.ttf")
	if err := os.WriteFile(notTTF, []byte("this is not a font at all"), 0o600); err != nil {
		t.Fatal(err)
	}
	one := testStickers(t, 1)
	noURL := []Sticker{{Name: "无码店", Licence: "JY0000001"}}
	tests := []struct {
		name     string
		stickers []Sticker
		opts     SheetOptions
		code     string
	}{
		{"no stickers", nil, SheetOptions{Font: font}, shian.EINVALID},
		{"no URL", noURL, SheetOptions{Font: font}, shian.EINVALID},
		{"too many columns", one, SheetOptions{Font: font, Columns: 7}, shian.EINVALID},
		{"bad pixels per module", one, SheetOptions{Font: font, PixelsPerModule: 1000}, shian.EINVALID},
		{"missing font", one, SheetOptions{FontPath: "/nonexistent/DroidSansFallbackFull.ttf"}, shian.EUNAVAILABLE},
		{"not a font", one, SheetOptions{FontPath: notTTF}, shian.EUNAVAILABLE},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			err := Sheet(&buf, tt.stickers, tt.opts)
			if got := shian.ErrorCode(err); got != tt.code {
				t.Fatalf("Sheet: %v (code %q), want %q", err, got, tt.code)
			}
		})
	}
	_, err := LoadFont("/nonexistent/x.ttf")
	if err == nil || !strings.Contains(err.Error(), "fonts-droid-fallback") {
		t.Fatalf("LoadFont of a missing file: %v; want a message naming the Debian package", err)
	}
}

// BenchmarkSheet500 makes a 500-sticker sheet (63 pages) with the font read
// once, as a server would.
func BenchmarkSheet500(b *testing.B) {
	font := mustFont(b)
	stickers := testStickers(b, 500)
	var size int
	for b.Loop() {
		var buf bytes.Buffer
		if err := Sheet(&buf, stickers, SheetOptions{Font: font}); err != nil {
			b.Fatal(err)
		}
		size = buf.Len()
	}
	b.ReportMetric(float64(size), "bytes/pdf")
}
