package qrcodes

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"strconv"
	"sync"

	qrcode "github.com/skip2/go-qrcode"

	"shian"
)

// QuietZone is the blank margin, in modules, drawn around every code (the
// minimum the QR standard asks for).
const QuietZone = 4

// MaxPixelsPerModule bounds PNG's scale so that a request cannot ask for a
// gigantic image (a version-4 code at 64 px per module is 2,624 px wide).
const MaxPixelsPerModule = 64

// level is the error-correction level of every code: H, which restores up
// to 30% of damaged modules. go-qrcode calls it Highest (its "High" is Q).
const level = qrcode.Highest

// symbol is an encoded code: its version and its modules including the
// quiet zone, modules[y][x] true for dark.
type symbol struct {
	version int
	modules [][]bool
}

// encode lets go-qrcode choose the smallest version and the data modes (it
// uses alphanumeric mode for runs of alphanumeric-set characters by itself)
// and adds our own quiet zone around its borderless bitmap.
func encode(content string) (symbol, error) {
	q, err := qrcode.New(content, level)
	if err != nil {
		return symbol{}, &shian.Error{Code: shian.EINVALID, Message: fmt.Sprintf("cannot encode %d bytes in a QR code: %v", len(content), err)}
	}
	q.DisableBorder = true
	bare := q.Bitmap()
	n := len(bare) + 2*QuietZone
	m := make([][]bool, n)
	cells := make([]bool, n*n)
	for y := range m {
		m[y] = cells[y*n : (y+1)*n]
	}
	for y, row := range bare {
		copy(m[y+QuietZone][QuietZone:], row)
	}
	return symbol{version: q.VersionNumber, modules: m}, nil
}

// Version returns the QR version (1–40; version v is 17+4v modules wide)
// used for content at level H. It returns EINVALID if content does not fit.
func Version(content string) (int, error) {
	s, err := encode(content)
	if err != nil {
		return 0, err
	}
	return s.version, nil
}

// PNG renders content as a black-on-white 1-bit greyscale PNG in which
// every module is exactly pixelsPerModule pixels square, quiet zone
// included, so printers and scanners never see blurred module edges.
// pixelsPerModule must be 1 to MaxPixelsPerModule; otherwise, or when
// content does not fit, it returns EINVALID.
func PNG(content string, pixelsPerModule int) ([]byte, error) {
	if pixelsPerModule < 1 || pixelsPerModule > MaxPixelsPerModule {
		return nil, shian.FieldError("size", "pixels per module must be 1 to %d, got %d", MaxPixelsPerModule, pixelsPerModule)
	}
	s, err := encode(content)
	if err != nil {
		return nil, err
	}
	b, err := writePNG(s.modules, pixelsPerModule)
	if err != nil {
		return nil, fmt.Errorf("encode qr png: %w", err)
	}
	return b, nil
}

// writePNG writes modules as a 1-bit greyscale PNG (bit 1 is white). It
// packs the bits itself because image/png reads 1-bit images one pixel at a
// time through an interface call, which made it three quarters of the cost
// of a code.
func writePNG(modules [][]bool, ppm int) ([]byte, error) {
	px := len(modules) * ppm
	stride := 1 + (px+7)/8 // filter-type byte, then the packed pixels
	var idat bytes.Buffer
	zw, _ := zlibWriters.Get().(*zlib.Writer)
	if zw == nil {
		var err error
		if zw, err = zlib.NewWriterLevel(&idat, zlib.DefaultCompression); err != nil {
			return nil, err
		}
	} else {
		zw.Reset(&idat)
	}
	defer zlibWriters.Put(zw)
	row := make([]byte, stride)
	for _, mrow := range modules {
		clear(row)
		for x := range px {
			if !mrow[x/ppm] {
				row[1+x/8] |= 0x80 >> (x % 8)
			}
		}
		for range ppm {
			if _, err := zw.Write(row); err != nil {
				return nil, err
			}
		}
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}

	var out bytes.Buffer
	out.Grow(idat.Len() + 64)
	out.WriteString("\x89PNG\r\n\x1a\n")
	var ihdr [13]byte
	binary.BigEndian.PutUint32(ihdr[0:], uint32(px))
	binary.BigEndian.PutUint32(ihdr[4:], uint32(px))
	ihdr[8] = 1 // bit depth; colour type 0 (greyscale), deflate, filters, no interlace: all zero
	pngChunk(&out, "IHDR", ihdr[:])
	pngChunk(&out, "IDAT", idat.Bytes())
	pngChunk(&out, "IEND", nil)
	return out.Bytes(), nil
}

// zlibWriters recycles compressors: allocating one costs more than
// compressing a code.
var zlibWriters sync.Pool

func pngChunk(w *bytes.Buffer, typ string, data []byte) {
	var n [4]byte
	binary.BigEndian.PutUint32(n[:], uint32(len(data)))
	w.Write(n[:])
	crc := crc32.NewIEEE()
	crc.Write([]byte(typ))
	crc.Write(data)
	w.WriteString(typ)
	w.Write(data)
	binary.BigEndian.PutUint32(n[:], crc.Sum32())
	w.Write(n[:])
}

// SVG renders content as an SVG drawn from the module bitmap: a white square
// and one black path made of one rectangle per horizontal run of dark
// modules, with a viewBox measured in modules (quiet zone included) and
// shape-rendering="crispEdges" so that module edges stay sharp at any size.
// It has no width or height: it fills whatever box the page gives it. It
// returns EINVALID when content does not fit in a QR code.
func SVG(content string) ([]byte, error) {
	s, err := encode(content)
	if err != nil {
		return nil, err
	}
	n := strconv.Itoa(len(s.modules))
	var b bytes.Buffer
	b.WriteString(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ` + n + ` ` + n +
		`" shape-rendering="crispEdges"><rect width="` + n + `" height="` + n + `" fill="#fff"/><path fill="#000" d="`)
	for y, row := range s.modules {
		for x := 0; x < len(row); {
			if !row[x] {
				x++
				continue
			}
			run := 1
			for x+run < len(row) && row[x+run] {
				run++
			}
			// M x y h run v1 h -run z: a run-wide, one-module-high rectangle.
			fmt.Fprintf(&b, "M%d %dh%dv1h-%dz", x, y, run, run)
			x += run
		}
	}
	b.WriteString(`"/></svg>`)
	b.WriteByte('\n')
	return b.Bytes(), nil
}
