package qrcodes

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"shian"
)

// byteModeCapacityV4H is how many bytes a version-4 code holds at level H in
// byte mode (ISO/IEC 18004 table 7); alphanumeric mode holds 50 characters.
const byteModeCapacityV4H = 34

// TestStickerVersionBound: the URL of a sticker for any shop id below
// 2,097,152 and sticker version below 128 fits a version-4 code at level H
// for typical public URLs; that can only be because go-qrcode chose
// alphanumeric (not byte) mode, which the lower-case control confirms.
func TestStickerVersionBound(t *testing.T) {
	s := mustSigner(t, testMaster, "1")
	tok := s.Sign(2_097_151, 127) // the longest token in budget
	for _, public := range []string{
		"https://food.qhd.gov.cn",
		"https://shian.qhd.gov.cn",
		"http://127.0.0.1:8080",
		"https://qhd.gov.cn/SHIAN",
		"https://abcdefg.qhd.gov.cn", // MaxCompactPublicURLLen characters
	} {
		t.Run(public, func(t *testing.T) {
			content := URL(public, tok)
			v, err := Version(content)
			if err != nil {
				t.Fatal(err)
			}
			if v > 4 {
				t.Fatalf("%q (%d chars) needs version %d at level H, want ≤ 4", content, len(content), v)
			}
			if len(content) > byteModeCapacityV4H {
				lower, err := Version(strings.ToLower(content))
				if err != nil {
					t.Fatal(err)
				}
				if lower <= 4 {
					t.Fatalf("the byte-mode control %q fits version %d: the test proves nothing", strings.ToLower(content), lower)
				}
			}
			t.Logf("%s: %d chars, version %d", content, len(content), v)
		})
	}
	// One character more than the budget no longer fits version 4 (so the
	// constant is not merely conservative).
	if len("https://abcdefg.qhd.gov.cn") != MaxCompactPublicURLLen {
		t.Fatal("the budget test URL is not MaxCompactPublicURLLen long")
	}
	long := "https://abcdefgh.qhd.gov.cn"
	if len(long) != MaxCompactPublicURLLen+1 {
		t.Fatalf("test URL has %d characters", len(long))
	}
	if v, err := Version(URL(long, tok)); err != nil || v != 5 {
		t.Fatalf("Version(URL(%q)) = %d, %v; want 5", long, v, err)
	}
}

// modulesOf decodes a PNG made by PNG and checks that it is made of
// ppm×ppm single-colour squares, returning the module bitmap.
func modulesOf(t *testing.T, b []byte, ppm int) [][]bool {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	px := img.Bounds().Dx()
	if img.Bounds().Dy() != px || px%ppm != 0 {
		t.Fatalf("image is %v, not a square of whole %d-px modules", img.Bounds(), ppm)
	}
	n := px / ppm
	m := make([][]bool, n)
	for y := range n {
		m[y] = make([]bool, n)
		for x := range n {
			dark := isDark(img.At(x*ppm, y*ppm))
			for dy := range ppm {
				for dx := range ppm {
					if isDark(img.At(x*ppm+dx, y*ppm+dy)) != dark {
						t.Fatalf("module (%d,%d) is not a uniform %d-px square", x, y, ppm)
					}
				}
			}
			m[y][x] = dark
		}
	}
	return m
}

func isDark(c color.Color) bool {
	r, g, b, _ := c.RGBA()
	return r+g+b < 3*0x8000
}

func equalModules(a, b [][]bool) bool {
	if len(a) != len(b) {
		return false
	}
	for y := range a {
		if len(a[y]) != len(b[y]) {
			return false
		}
		for x := range a[y] {
			if a[y][x] != b[y][x] {
				return false
			}
		}
	}
	return true
}

func TestPNGRoundTrip(t *testing.T) {
	s := mustSigner(t, testMaster, "1")
	tests := []struct {
		content string
		ppm     int
	}{
		{URL("https://food.qhd.gov.cn", s.Sign(48213, 3)), 4},
		{URL("http://127.0.0.1:8080", s.Sign(1, 1)), 2},
		{URL("https://www.qhd.gov.cn/SHIAN", s.Sign(2_000_000, 127)), 10},
		{"https://food.qhd.gov.cn/shops/JY11303020012345", 3}, // byte mode works too
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s@%d", tt.content, tt.ppm), func(t *testing.T) {
			b, err := PNG(tt.content, tt.ppm)
			if err != nil {
				t.Fatal(err)
			}
			sym, err := encode(tt.content)
			if err != nil {
				t.Fatal(err)
			}
			got := modulesOf(t, b, tt.ppm)
			if want := 17 + 4*sym.version + 2*QuietZone; len(got) != want {
				t.Fatalf("%d modules wide, want %d (version %d plus quiet zone)", len(got), want, sym.version)
			}
			if !equalModules(got, sym.modules) {
				t.Fatal("PNG modules differ from the encoded bitmap")
			}
			for i := range QuietZone {
				for j := range got {
					if got[i][j] || got[j][i] || got[len(got)-1-i][j] || got[j][len(got)-1-i] {
						t.Fatalf("quiet zone has a dark module in ring %d", i)
					}
				}
			}
			if dec := zbarDecode(t, b); len(dec) != 1 || dec[0] != tt.content {
				t.Fatalf("zbarimg decoded %q, want %q", dec, tt.content)
			}
		})
	}
}

func TestRenderRejects(t *testing.T) {
	tooLong := strings.Repeat("X", 5000)
	tests := []struct {
		name string
		err  func() error
	}{
		{"zero pixels per module", func() error { _, err := PNG("HTTP://X/S/A", 0); return err }},
		{"too many pixels per module", func() error { _, err := PNG("HTTP://X/S/A", MaxPixelsPerModule+1); return err }},
		{"png too long", func() error { _, err := PNG(tooLong, 4); return err }},
		{"svg too long", func() error { _, err := SVG(tooLong); return err }},
		{"version too long", func() error { _, err := Version(tooLong); return err }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := shian.ErrorCode(tt.err()); got != shian.EINVALID {
				t.Fatalf("code %q, want EINVALID", got)
			}
		})
	}
}

var (
	svgViewBox = regexp.MustCompile(`viewBox="0 0 (\d+) (\d+)"`)
	svgPath    = regexp.MustCompile(`<path fill="#000" d="([^"]*)"`)
	svgRect    = regexp.MustCompile(`^M(\d+) (\d+)h(\d+)v1h-(\d+)z`)
)

// svgModules reads the module bitmap back out of an SVG made by SVG.
func svgModules(t *testing.T, svg []byte) [][]bool {
	t.Helper()
	vb := svgViewBox.FindSubmatch(svg)
	if vb == nil || string(vb[1]) != string(vb[2]) {
		t.Fatalf("no square viewBox in %s", svg)
	}
	n, _ := strconv.Atoi(string(vb[1]))
	m := make([][]bool, n)
	for y := range m {
		m[y] = make([]bool, n)
	}
	p := svgPath.FindSubmatch(svg)
	if p == nil {
		t.Fatal("no path")
	}
	d := string(p[1])
	for d != "" {
		r := svgRect.FindStringSubmatch(d)
		if r == nil {
			t.Fatalf("unexpected path data at %.40q", d)
		}
		x, _ := strconv.Atoi(r[1])
		y, _ := strconv.Atoi(r[2])
		w, _ := strconv.Atoi(r[3])
		if back, _ := strconv.Atoi(r[4]); back != w || y >= n || x+w > n {
			t.Fatalf("bad rectangle %q in a %d-module viewBox", r[0], n)
		}
		for i := x; i < x+w; i++ {
			if m[y][i] {
				t.Fatalf("module (%d,%d) drawn twice", i, y)
			}
			m[y][i] = true
		}
		d = d[len(r[0]):]
	}
	return m
}

// TestSVGRoundTrip reads the SVG's rectangles back into modules, checks
// them against the encoder's bitmap, draws them as a PNG and lets zbarimg
// decode that: the SVG's modules are the code.
func TestSVGRoundTrip(t *testing.T) {
	s := mustSigner(t, testMaster, "1")
	for _, content := range []string{
		URL("https://food.qhd.gov.cn", s.Sign(48213, 3)),
		URL("http://127.0.0.1:8080", s.Sign(1, 1)),
	} {
		t.Run(content, func(t *testing.T) {
			svg, err := SVG(content)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Contains(svg, []byte(`shape-rendering="crispEdges"`)) || bytes.Count(svg, []byte("<path")) != 1 {
				t.Fatalf("want one crispEdges path: %s", svg)
			}
			m := svgModules(t, svg)
			sym, err := encode(content)
			if err != nil {
				t.Fatal(err)
			}
			if !equalModules(m, sym.modules) {
				t.Fatal("SVG modules differ from the encoded bitmap")
			}
			const ppm = 4
			img := image.NewGray(image.Rect(0, 0, len(m)*ppm, len(m)*ppm))
			for y := range img.Rect.Dy() {
				for x := range img.Rect.Dx() {
					if !m[y/ppm][x/ppm] {
						img.Pix[y*img.Stride+x] = 0xff
					}
				}
			}
			var buf bytes.Buffer
			if err := png.Encode(&buf, img); err != nil {
				t.Fatal(err)
			}
			if dec := zbarDecode(t, buf.Bytes()); len(dec) != 1 || dec[0] != content {
				t.Fatalf("zbarimg decoded %q from the SVG's modules, want %q", dec, content)
			}
		})
	}
}

// BenchmarkPNG measures uncached PNG generation of a sticker URL at 10 px
// per module (a 410 px image).
func BenchmarkPNG(b *testing.B) {
	s := mustSigner(b, testMaster, "1")
	content := URL("https://food.qhd.gov.cn", s.Sign(48213, 3))
	var size int
	for b.Loop() {
		p, err := PNG(content, 10)
		if err != nil {
			b.Fatal(err)
		}
		size = len(p)
	}
	b.ReportMetric(float64(size), "bytes/png")
}

func BenchmarkSVG(b *testing.B) {
	s := mustSigner(b, testMaster, "1")
	content := URL("https://food.qhd.gov.cn", s.Sign(48213, 3))
	for b.Loop() {
		if _, err := SVG(content); err != nil {
			b.Fatal(err)
		}
	}
}

// TestConcurrentUse runs Sign, Verify and PNG from several goroutines (the
// race detector checks the signer and the compressor pool).
func TestConcurrentUse(t *testing.T) {
	s := mustSigner(t, testMaster, "2,1")
	want, err := PNG(URL("https://food.qhd.gov.cn", s.Sign(7, 1)), 3)
	if err != nil {
		t.Fatal(err)
	}
	errs := make(chan error, 4)
	for g := range 4 {
		go func() {
			for i := range 20 {
				tok := s.Sign(int64(g*100+i), i)
				if c, err := s.Verify(tok); err != nil || c.ShopID != int64(g*100+i) {
					errs <- fmt.Errorf("Verify(%s) = %v, %v", tok, c, err)
					return
				}
				got, err := PNG(URL("https://food.qhd.gov.cn", s.Sign(7, 1)), 3)
				if err != nil || !bytes.Equal(got, want) {
					errs <- fmt.Errorf("PNG differs under concurrency (err %v)", err)
					return
				}
			}
			errs <- nil
		}()
	}
	for range 4 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}
