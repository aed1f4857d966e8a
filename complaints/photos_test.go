package complaints

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"strings"
	"testing"

	"shian"
)

// exifSegment builds an APP1 "Exif" segment with an orientation, a camera
// make and a GPS-looking string, the metadata a photo must lose.
func exifSegment(orientation uint16) []byte {
	var t bytes.Buffer
	le := binary.LittleEndian
	t.WriteString("II")
	binary.Write(&t, le, uint16(42))
	binary.Write(&t, le, uint32(8))
	binary.Write(&t, le, uint16(2)) // two entries
	// Orientation, SHORT, count 1, value inline.
	binary.Write(&t, le, uint16(0x0112))
	binary.Write(&t, le, uint16(3))
	binary.Write(&t, le, uint32(1))
	binary.Write(&t, le, uint16(orientation))
	binary.Write(&t, le, uint16(0))
	// Make, ASCII, stored after the IFD.
	maker := "SecretPhone GPS 39.8351N 119.4862E\x00"
	binary.Write(&t, le, uint16(0x010F))
	binary.Write(&t, le, uint16(2))
	binary.Write(&t, le, uint32(len(maker)))
	binary.Write(&t, le, uint32(8+2+2*12+4))
	binary.Write(&t, le, uint32(0)) // no next IFD
	t.WriteString(maker)
	payload := append([]byte("Exif\x00\x00"), t.Bytes()...)
	seg := []byte{0xFF, 0xE1, 0, 0}
	binary.BigEndian.PutUint16(seg[2:], uint16(len(payload)+2))
	return append(seg, payload...)
}

// JPEGWithEXIF returns a w×h JPEG (left half red, right half blue) carrying
// an EXIF segment with the given orientation.
func JPEGWithEXIF(tb testing.TB, w, h int, orientation uint16) []byte {
	tb.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			c := color.RGBA{200, 0, 0, 255}
			if x >= w/2 {
				c = color.RGBA{0, 0, 200, 255}
			}
			img.Set(x, y, c)
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 90}); err != nil {
		tb.Fatal(err)
	}
	b := buf.Bytes()
	out := append([]byte{}, b[:2]...)
	out = append(out, exifSegment(orientation)...)
	return append(out, b[2:]...)
}

func TestProcessPhotoStripsEXIF(t *testing.T) {
	tests := []struct {
		orientation uint16
		w, h        int
		redAt       image.Point // where the (originally left) red half ends up
	}{
		{1, 64, 32, image.Pt(4, 16)},
		{3, 64, 32, image.Pt(60, 16)}, // rotated 180°: red on the right
		{6, 32, 64, image.Pt(16, 4)},  // rotated 90° clockwise: red on top
		{8, 32, 64, image.Pt(16, 60)}, // rotated 90° counter-clockwise: red at the bottom
	}
	for _, tt := range tests {
		t.Run(string(rune('0'+tt.orientation)), func(t *testing.T) {
			in := JPEGWithEXIF(t, 64, 32, tt.orientation)
			if !bytes.Contains(in, []byte("SecretPhone")) || jpegOrientation(in) != int(tt.orientation) {
				t.Fatal("test image lacks its EXIF")
			}
			p, err := ProcessPhoto(in)
			if err != nil {
				t.Fatal(err)
			}
			for _, leak := range []string{"Exif", "SecretPhone", "GPS"} {
				if bytes.Contains(p.Data, []byte(leak)) {
					t.Errorf("re-encoded photo still contains %q", leak)
				}
			}
			if hasAPP1(p.Data) {
				t.Error("re-encoded photo has an APP1 segment")
			}
			img, err := jpeg.Decode(bytes.NewReader(p.Data))
			if err != nil {
				t.Fatal(err)
			}
			if b := img.Bounds(); b.Dx() != tt.w || b.Dy() != tt.h || p.Width != tt.w || p.Height != tt.h {
				t.Fatalf("size %v (%d×%d), want %d×%d", b, p.Width, p.Height, tt.w, tt.h)
			}
			if r, _, bl, _ := img.At(tt.redAt.X, tt.redAt.Y).RGBA(); r < bl {
				t.Errorf("pixel %v is not red: orientation %d not applied", tt.redAt, tt.orientation)
			}
		})
	}
}

func hasAPP1(b []byte) bool {
	for i := 2; i+4 <= len(b) && b[i] == 0xFF; {
		if b[i+1] == 0xE1 {
			return true
		}
		if b[i+1] == 0xDA {
			return false
		}
		i += 2 + int(binary.BigEndian.Uint16(b[i+2:]))
	}
	return false
}

func TestProcessPhotoPNGDropsChunks(t *testing.T) {
	img := image.NewNRGBA(image.Rect(0, 0, 8, 8))
	var buf bytes.Buffer
	png.Encode(&buf, img)
	b := buf.Bytes()
	// A tEXt chunk after IHDR, with a correct checksum.
	chunk := pngChunk("tEXt", []byte("Comment\x00taken at 39.83N 119.48E"))
	withText := append(append(append([]byte{}, b[:33]...), chunk...), b[33:]...)
	p, err := ProcessPhoto(withText)
	if err != nil {
		t.Fatal(err)
	}
	if p.Type != "image/png" || bytes.Contains(p.Data, []byte("tEXt")) || bytes.Contains(p.Data, []byte("39.83N")) {
		t.Fatalf("PNG metadata kept: type %s", p.Type)
	}
}

func pngChunk(typ string, data []byte) []byte {
	var c bytes.Buffer
	binary.Write(&c, binary.BigEndian, uint32(len(data)))
	c.WriteString(typ)
	c.Write(data)
	crc := crc32png(append([]byte(typ), data...))
	binary.Write(&c, binary.BigEndian, crc)
	return c.Bytes()
}

func crc32png(b []byte) uint32 {
	var table [256]uint32
	for n := range table {
		c := uint32(n)
		for range 8 {
			if c&1 == 1 {
				c = 0xEDB88320 ^ (c >> 1)
			} else {
				c >>= 1
			}
		}
		table[n] = c
	}
	c := ^uint32(0)
	for _, x := range b {
		c = table[byte(c)^x] ^ (c >> 8)
	}
	return ^c
}

func TestProcessPhotoRefuses(t *testing.T) {
	huge := image.NewGray(image.Rect(0, 0, 1, 1))
	var hb bytes.Buffer
	png.Encode(&hb, huge)
	bomb := hb.Bytes()
	// Claim 10000×10000 pixels in IHDR, with a correct checksum: it must
	// be refused from the header, before any decoding.
	binary.BigEndian.PutUint32(bomb[16:], 10000)
	binary.BigEndian.PutUint32(bomb[20:], 10000)
	binary.BigEndian.PutUint32(bomb[29:], crc32png(bomb[12:29]))
	tests := []struct {
		name string
		data []byte
		key  string
	}{
		{"pdf renamed .jpg", []byte("%PDF-1.7\n1 0 obj<<>>endobj\n"), "photo_type"},
		{"empty", nil, "photo_type"},
		{"gif", []byte("GIF89a\x01\x00\x01\x00"), "photo_type"},
		{"truncated jpeg", JPEGWithEXIF(t, 16, 16, 1)[:200], "photo_broken"},
		{"jpeg magic, garbage", append([]byte{0xFF, 0xD8, 0xFF, 0xE0}, strings.Repeat("x", 100)...), "photo_broken"},
		{"too many pixels", bomb, "photo_pixels"},
		{"larger than 5 MB", append([]byte{0xFF, 0xD8, 0xFF}, make([]byte, shian.MaxPhotoBytes)...), "photo_too_large"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ProcessPhoto(tt.data)
			e, ok := err.(*shian.Error)
			if !ok || e.Code != shian.EINVALID || e.Field != "photos" {
				t.Fatalf("err = %v", err)
			}
			if e.Key != tt.key {
				t.Errorf("key = %s, want %s", e.Key, tt.key)
			}
		})
	}
}

func FuzzProcessPhoto(f *testing.F) {
	f.Add(JPEGWithEXIF(f, 8, 8, 6))
	f.Add(exifSegment(3))
	var pb bytes.Buffer
	png.Encode(&pb, image.NewGray(image.Rect(0, 0, 2, 2)))
	f.Add(pb.Bytes())
	f.Fuzz(func(t *testing.T, b []byte) {
		if o := jpegOrientation(b); o < 1 || o > 8 {
			t.Fatalf("orientation %d", o)
		}
		p, err := ProcessPhoto(b)
		if err != nil {
			return
		}
		if bytes.Contains(p.Data, []byte("Exif\x00\x00")) {
			t.Fatal("EXIF survived")
		}
		if _, _, err := image.Decode(bytes.NewReader(p.Data)); err != nil {
			t.Fatalf("output does not decode: %v", err)
		}
	})
}
