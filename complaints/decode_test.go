package complaints

import (
	"bytes"
	"compress/zlib"
	"context"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"testing"

	"shian"
)

// bombPNG is the red team's photo: a few hundred KB of PNG that claims
// w×h pixels of 16-bit RGBA. Written row by row, so the test itself never
// holds the decoded image.
func bombPNG(tb testing.TB, w, h, depth int) []byte {
	tb.Helper()
	return writePNG(w, h, depth, h)
}

// headerPNG is bombPNG's header with one row of data: enough for
// DecodeConfig, which is all the byte limit reads.
func headerPNG(w, h, depth int) []byte { return writePNG(w, h, depth, 1) }

func writePNG(w, h, depth, rows int) []byte {
	var out bytes.Buffer
	out.WriteString("\x89PNG\r\n\x1a\n")
	chunk := func(typ string, data []byte) {
		binary.Write(&out, binary.BigEndian, uint32(len(data)))
		c := crc32.NewIEEE()
		c.Write([]byte(typ))
		c.Write(data)
		out.WriteString(typ)
		out.Write(data)
		binary.Write(&out, binary.BigEndian, c.Sum32())
	}
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], uint32(w))
	binary.BigEndian.PutUint32(ihdr[4:], uint32(h))
	ihdr[8], ihdr[9] = byte(depth), 6 // RGBA
	chunk("IHDR", ihdr)
	var idat bytes.Buffer
	zw, _ := zlib.NewWriterLevel(&idat, zlib.BestCompression)
	row := make([]byte, 1+w*4*depth/8)
	for range rows {
		zw.Write(row)
	}
	zw.Close()
	chunk("IDAT", idat.Bytes())
	chunk("IEND", nil)
	return out.Bytes()
}

func TestDecodedBytes(t *testing.T) {
	tests := []struct {
		name    string
		cfg     image.Config
		rotated bool
		want    int64
	}{
		{"16-bit RGBA", image.Config{ColorModel: color.NRGBA64Model, Width: 4898, Height: 4898}, false, 4898 * 4898 * 8},
		{"8-bit RGBA", image.Config{ColorModel: color.NRGBAModel, Width: 100, Height: 10}, false, 4000},
		{"16-bit gray", image.Config{ColorModel: color.Gray16Model, Width: 100, Height: 10}, false, 2000},
		{"JPEG", image.Config{ColorModel: color.YCbCrModel, Width: 4000, Height: 3000}, false, 36_000_000},
		{"rotated JPEG", image.Config{ColorModel: color.YCbCrModel, Width: 4000, Height: 3000}, true, 132_000_000},
		{"paletted", image.Config{ColorModel: color.Palette{color.Black}, Width: 10, Height: 10}, false, 100},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := decodedBytes(tc.cfg, tc.rotated); got != tc.want {
				t.Fatalf("decodedBytes = %d, want %d", got, tc.want)
			}
		})
	}
}

// TestSixteenBitBombRefusedBeforeDecoding: the 4898×4898 16-bit PNG is
// under the pixel limit but 192 MB decoded: refused from its header.
func TestSixteenBitBombRefusedBeforeDecoding(t *testing.T) {
	b := headerPNG(4898, 4898, 16)
	if len(b) > shian.MaxPhotoBytes {
		t.Fatalf("bomb is %d bytes", len(b))
	}
	_, err := ProcessPhoto(b)
	var se *shian.Error
	if !asShianError(err, &se) || se.Key != "photo_pixels" {
		t.Fatalf("ProcessPhoto(16-bit bomb) = %v, want photo_pixels", err)
	}
	// An 8-bit PNG of the same size and a 16-bit one of 2000×2000 are fine.
	if _, err := photoCost(headerPNG(2000, 2000, 16)); err != nil {
		t.Fatalf("2000×2000 16-bit: %v", err)
	}
}

func asShianError(err error, target **shian.Error) bool {
	e, ok := err.(*shian.Error)
	*target = e
	return ok
}

func rssKB(tb testing.TB, field string) int64 {
	tb.Helper()
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		tb.Skip("no /proc/self/status")
	}
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, field+":") {
			n, _ := strconv.ParseInt(strings.Fields(l)[1], 10, 64)
			return n
		}
	}
	tb.Fatalf("no %s", field)
	return 0
}

// TestParallelBombsStayInBudget (issue 19, item 6): 16 parallel uploads of
// the worst photos — the 16-bit bomb, and the largest photo the byte
// limit admits (an 8-bit RGBA PNG just under the pixel limit) — keep the
// process's peak RSS under 300 MB above idle; what finds no room within
// DecodeWait is refused EUNAVAILABLE, nothing else fails.
// Figure: go test -run TestParallelBombsStayInBudget -v ./complaints/
func TestParallelBombsStayInBudget(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("decodes ~200 MB of photos; RSS means nothing under -race")
	}
	bomb := bombPNG(t, 4898, 4898, 16)
	big := bombPNG(t, 4898, 4898, 8) // 96 MB decoded: within the limits
	if _, err := photoCost(big); err != nil {
		t.Fatalf("the 8-bit photo should be admitted: %v", err)
	}
	runtime.GC()
	debug.FreeOSMemory()
	idle := rssKB(t, "VmRSS")
	d := newDecodeLimit()
	var wg sync.WaitGroup
	var mu sync.Mutex
	outcomes := map[string]int{}
	for i := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			b := bomb
			if i%2 == 1 {
				b = big
			}
			_, err := d.process(context.Background(), b)
			key := "ok"
			if se, ok := err.(*shian.Error); ok {
				key = se.Key
			} else if err != nil {
				key = err.Error()
			}
			mu.Lock()
			outcomes[key]++
			mu.Unlock()
		}()
	}
	wg.Wait()
	peak := rssKB(t, "VmHWM")
	t.Logf("idle RSS %d MB, peak %d MB, above idle %d MB; outcomes %v", idle>>10, peak>>10, (peak-idle)>>10, outcomes)
	if outcomes["photo_pixels"] != 8 || outcomes["ok"]+outcomes["photo_busy"] != 8 || outcomes["ok"] == 0 {
		t.Fatalf("outcomes %v", outcomes)
	}
	if above := (peak - idle) >> 10; above >= 300 {
		t.Fatalf("peak RSS %d MB above idle, want < 300", above)
	}
}
