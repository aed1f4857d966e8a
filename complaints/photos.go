package complaints

import (
	"bytes"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"image"
	"image/draw"
	"image/jpeg"
	"image/png"
	"os"
	"path/filepath"
	"time"

	"shian"
)

// MaxPhotoPixels bounds a photo's decoded size: a 5 MB file can claim
// enormous dimensions, and decoding it would take the memory of the host.
const MaxPhotoPixels = 24_000_000

// Photo is an uploaded image after checking and re-encoding.
type Photo struct {
	Data   []byte // re-encoded: no EXIF, XMP, comments or other metadata
	Type   string // image/jpeg or image/png
	Ext    string // .jpg or .png
	Width  int
	Height int
}

var (
	jpegMagic = []byte{0xFF, 0xD8, 0xFF}
	pngMagic  = []byte("\x89PNG\r\n\x1a\n")
)

func photoError(key, format string, args ...any) *shian.Error {
	return &shian.Error{Code: shian.EINVALID, Field: "photos", Message: fmt.Sprintf(format, args...), Key: key}
}

// ProcessPhoto recognises a JPEG or PNG by its bytes (never by its name),
// decodes it and encodes it again, which keeps the pixels and drops every
// metadata segment (EXIF location and device, XMP, comments). A JPEG's EXIF
// orientation is applied to the pixels first so the photo stays upright.
// Errors: EINVALID (too large, not a JPEG/PNG, undecodable, too many pixels).
func ProcessPhoto(b []byte) (*Photo, error) {
	if len(b) > shian.MaxPhotoBytes {
		return nil, photoError("photo_too_large", "a photo is larger than %d MB", shian.MaxPhotoBytes>>20)
	}
	var want string
	switch {
	case bytes.HasPrefix(b, jpegMagic):
		want = "jpeg"
	case bytes.HasPrefix(b, pngMagic):
		want = "png"
	default:
		return nil, photoError("photo_type", "a photo is not a JPEG or PNG image")
	}
	if _, format, err := image.DecodeConfig(bytes.NewReader(b)); err != nil || format != want {
		return nil, photoError("photo_broken", "a photo cannot be read as an image")
	}
	if _, err := photoCost(b); err != nil {
		return nil, err
	}
	var out bytes.Buffer
	p := &Photo{}
	if want == "jpeg" {
		img, err := jpeg.Decode(bytes.NewReader(b))
		if err != nil {
			return nil, photoError("photo_broken", "a photo cannot be read as an image")
		}
		img = orient(img, jpegOrientation(b))
		if err := jpeg.Encode(&out, img, &jpeg.Options{Quality: 85}); err != nil {
			return nil, fmt.Errorf("encode photo: %w", err)
		}
		p.Type, p.Ext, p.Width, p.Height = "image/jpeg", ".jpg", img.Bounds().Dx(), img.Bounds().Dy()
	} else {
		img, err := png.Decode(bytes.NewReader(b))
		if err != nil {
			return nil, photoError("photo_broken", "a photo cannot be read as an image")
		}
		enc := png.Encoder{CompressionLevel: png.BestSpeed}
		if err := enc.Encode(&out, img); err != nil {
			return nil, fmt.Errorf("encode photo: %w", err)
		}
		p.Type, p.Ext, p.Width, p.Height = "image/png", ".png", img.Bounds().Dx(), img.Bounds().Dy()
	}
	p.Data = out.Bytes()
	return p, nil
}

// jpegOrientation reads the EXIF orientation (1–8) of a JPEG, 1 when absent
// or unreadable. It walks the marker segments before the image data and
// reads only IFD0 of an "Exif" APP1 segment, bounds-checking every offset.
func jpegOrientation(b []byte) int {
	i := 2
	for i+4 <= len(b) {
		if b[i] != 0xFF {
			return 1
		}
		marker := b[i+1]
		if marker == 0xDA || marker == 0xD9 { // start of scan, end of image
			return 1
		}
		n := int(binary.BigEndian.Uint16(b[i+2:]))
		if n < 2 || i+2+n > len(b) {
			return 1
		}
		seg := b[i+4 : i+2+n]
		if marker == 0xE1 && bytes.HasPrefix(seg, []byte("Exif\x00\x00")) {
			return tiffOrientation(seg[6:])
		}
		i += 2 + n
	}
	return 1
}

func tiffOrientation(t []byte) int {
	if len(t) < 8 {
		return 1
	}
	var bo binary.ByteOrder
	switch string(t[:2]) {
	case "II":
		bo = binary.LittleEndian
	case "MM":
		bo = binary.BigEndian
	default:
		return 1
	}
	off := int64(bo.Uint32(t[4:]))
	if off < 8 || off+2 > int64(len(t)) {
		return 1
	}
	count := int64(bo.Uint16(t[off:]))
	for k := int64(0); k < count; k++ {
		e := off + 2 + 12*k
		if e+12 > int64(len(t)) {
			return 1
		}
		if bo.Uint16(t[e:]) == 0x0112 && bo.Uint16(t[e+2:]) == 3 {
			if v := int(bo.Uint16(t[e+8:])); v >= 1 && v <= 8 {
				return v
			}
			return 1
		}
	}
	return 1
}

// orient turns the pixels as EXIF orientation o says, so the re-encoded
// photo (which has no EXIF) displays upright.
func orient(src image.Image, o int) image.Image {
	if o <= 1 || o > 8 {
		return src
	}
	b := src.Bounds()
	w, h := b.Dx(), b.Dy()
	dw, dh := w, h
	if o >= 5 {
		dw, dh = h, w
	}
	in := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.Draw(in, in.Bounds(), src, b.Min, draw.Src)
	dst := image.NewRGBA(image.Rect(0, 0, dw, dh))
	for y := 0; y < dh; y++ {
		for x := 0; x < dw; x++ {
			var sx, sy int
			switch o {
			case 2:
				sx, sy = w-1-x, y
			case 3:
				sx, sy = w-1-x, h-1-y
			case 4:
				sx, sy = x, h-1-y
			case 5:
				sx, sy = y, x
			case 6:
				sx, sy = y, h-1-x
			case 7:
				sx, sy = w-1-y, h-1-x
			case 8:
				sx, sy = w-1-y, x
			}
			si, di := in.PixOffset(sx, sy), dst.PixOffset(x, y)
			copy(dst.Pix[di:di+4], in.Pix[si:si+4])
		}
	}
	return dst
}

// PhotoDir stores photos under a directory outside the web root
// (SHIAN_DATA_DIR/photos): YYYY/MM/<random>.jpg, files 0640.
type PhotoDir struct {
	Dir string
}

// Save writes a processed photo and returns its path relative to Dir.
func (d PhotoDir) Save(p *Photo, now time.Time) (string, error) {
	var r [16]byte
	if _, err := rand.Read(r[:]); err != nil {
		return "", fmt.Errorf("save photo: %w", err)
	}
	rel := filepath.Join(now.UTC().Format("2006"), now.UTC().Format("01"), hex.EncodeToString(r[:])+p.Ext)
	full := filepath.Join(d.Dir, rel)
	if err := os.MkdirAll(filepath.Dir(full), 0o750); err != nil {
		return "", fmt.Errorf("save photo: %w", err)
	}
	tmp := full + ".tmp"
	if err := os.WriteFile(tmp, p.Data, 0o640); err != nil {
		return "", fmt.Errorf("save photo: %w", err)
	}
	if err := os.Rename(tmp, full); err != nil {
		os.Remove(tmp)
		return "", fmt.Errorf("save photo: %w", err)
	}
	return filepath.ToSlash(rel), nil
}

// Remove deletes stored photos (after a failed filing).
func (d PhotoDir) Remove(rels ...string) {
	for _, rel := range rels {
		os.Remove(filepath.Join(d.Dir, filepath.FromSlash(rel)))
	}
}

// Path returns the file of a stored photo, for the console to serve.
func (d PhotoDir) Path(rel string) string { return filepath.Join(d.Dir, filepath.FromSlash(rel)) }
