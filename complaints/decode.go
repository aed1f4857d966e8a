package complaints

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/color"
	"time"

	"golang.org/x/sync/semaphore"

	"shian"
)

// Decoding is bounded by bytes, not pixels (issue 19): a 186 KB PNG can
// claim 4898×4898 pixels of 16-bit RGBA, 192 MB once decoded, under the
// pixel limit. So every photo's decoded size is worked out from its header
// before anything is decoded:
//
//   - MaxDecodeBytes refuses one photo that would take more;
//   - DecodeBudget bounds the bytes all decodes of the process hold at
//     once: a decode waits up to DecodeWait for room, then the filing is
//     refused EUNAVAILABLE (503 with Retry-After) instead of piling up.
const (
	MaxDecodeBytes = 160 << 20
	DecodeBudget   = 192 << 20
	DecodeWait     = 2 * time.Second
)

// decodedBytes is the memory decoding and re-encoding a photo takes: the
// decoded image at its colour model's bytes per pixel (16-bit models take
// twice the 8-bit ones; a JPEG decodes to YCbCr, counted at 3), plus the
// two RGBA copies orient makes of a rotated JPEG.
func decodedBytes(cfg image.Config, rotated bool) int64 {
	px := int64(cfg.Width) * int64(cfg.Height)
	var bpp int64
	switch cfg.ColorModel {
	case color.RGBA64Model, color.NRGBA64Model:
		bpp = 8
	case color.Gray16Model:
		bpp = 2
	case color.GrayModel, color.AlphaModel:
		bpp = 1
	case color.YCbCrModel:
		bpp = 3
	default:
		if _, ok := cfg.ColorModel.(color.Palette); ok {
			bpp = 1
		} else {
			bpp = 4 // RGBA, NRGBA, CMYK
		}
	}
	n := px * bpp
	if rotated {
		n += px * 8
	}
	return n
}

// photoCost checks a photo's header and returns what decoding it costs.
// Errors: EINVALID as ProcessPhoto's.
func photoCost(b []byte) (int64, error) {
	cfg, _, err := image.DecodeConfig(bytes.NewReader(b))
	if err != nil {
		return 0, photoError("photo_broken", "a photo cannot be read as an image")
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || int64(cfg.Width)*int64(cfg.Height) > MaxPhotoPixels {
		return 0, photoError("photo_pixels", "a photo has more than %d megapixels", MaxPhotoPixels/1_000_000)
	}
	n := decodedBytes(cfg, bytes.HasPrefix(b, jpegMagic) && jpegOrientation(b) > 1)
	if n > MaxDecodeBytes {
		return 0, photoError("photo_pixels", "a photo would take %d MB to decode, more than %d MB", n>>20, MaxDecodeBytes>>20)
	}
	return n, nil
}

// errDecodeBusy answers a photo that found no room to decode within
// DecodeWait; Args[0] is the Retry-After in seconds.
var errDecodeBusy = &shian.Error{Code: shian.EUNAVAILABLE, Field: "photos", Key: "photo_busy", Args: []any{2},
	Message: "too many photos are being processed; retry in a few seconds"}

// decodeLimit is the process's DecodeBudget.
type decodeLimit struct{ sem *semaphore.Weighted }

func newDecodeLimit() decodeLimit { return decodeLimit{semaphore.NewWeighted(DecodeBudget)} }

// process checks, decodes and re-encodes one photo within the budget.
func (d decodeLimit) process(ctx context.Context, b []byte) (*Photo, error) {
	if len(b) > shian.MaxPhotoBytes {
		return nil, photoError("photo_too_large", "a photo is larger than %d MB", shian.MaxPhotoBytes>>20)
	}
	if !bytes.HasPrefix(b, jpegMagic) && !bytes.HasPrefix(b, pngMagic) {
		return nil, photoError("photo_type", "a photo is not a JPEG or PNG image")
	}
	n, err := photoCost(b)
	if err != nil {
		return nil, err
	}
	// A finished decode's image stays on the heap until the next GC cycle,
	// and the runtime lets the heap grow to twice what is live (GOGC=100):
	// each decode is charged twice its size, so the budget bounds what the
	// process really holds, not just what is in use (at most the whole
	// budget: one photo alone may always decode).
	n = min(2*n, DecodeBudget)
	wctx, cancel := context.WithTimeout(ctx, DecodeWait)
	defer cancel()
	if err := d.sem.Acquire(wctx, n); err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if errors.Is(err, context.DeadlineExceeded) {
			return nil, errDecodeBusy
		}
		return nil, err
	}
	defer d.sem.Release(n)
	return ProcessPhoto(b)
}
