package qrcodes

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"strconv"
	"unicode/utf8"

	"github.com/go-pdf/fpdf"

	"shian"
)

// DefaultFontPath is the CJK TrueType font sheets use unless told otherwise:
// Droid Sans Fallback from the Debian package fonts-droid-fallback. It has
// the Chinese glyphs but no Latin letters; Latin text is set in the PDF core
// font Helvetica, which needs no file.
const DefaultFontPath = "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf"

// StickerLine is printed under every code.
const StickerLine = "扫码查看食品安全等级 · Scan for food safety grade"

// Sticker is what one door sticker shows. URL is the content of the code
// (see URL); District is a district code (docs/data-contract.md), printed with its
// Chinese and English names, or any other text, printed as given.
type Sticker struct {
	Name     string
	NameEN   string
	Licence  string
	District string
	URL      string
}

// SheetOptions tune Sheet. The zero value gives 2 × 4 stickers per A4 page
// with the default font.
type SheetOptions struct {
	// FontPath is the CJK TrueType font file; DefaultFontPath when empty.
	FontPath string
	// Font is the content of the font file, read once with LoadFont by a
	// caller that makes many sheets; it wins over FontPath.
	Font []byte
	// Columns and Rows of stickers on each page; 2 and 4 when zero, at most 6 and 8.
	Columns, Rows int
	// PixelsPerModule of the embedded code images; 10 when zero. At the
	// default layout a module is about 1.2 mm, so 10 px is about 210 dpi of
	// exact 1-bit pixels.
	PixelsPerModule int
	// Title is the document title shown by PDF viewers.
	Title string
}

// LoadFont reads a CJK TrueType font for SheetOptions.Font. A missing or
// unreadable file is an EUNAVAILABLE error that names the Debian package.
func LoadFont(path string) ([]byte, error) {
	if path == "" {
		path = DefaultFontPath
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, &shian.Error{Code: shian.EUNAVAILABLE, Message: fmt.Sprintf(
			"sticker sheets need a CJK TrueType font: %v (install the Debian package fonts-droid-fallback, or configure another .ttf)", err)}
	}
	if len(b) < 12 || !(bytes.HasPrefix(b, []byte{0, 1, 0, 0}) || bytes.HasPrefix(b, []byte("true"))) {
		return nil, &shian.Error{Code: shian.EUNAVAILABLE, Message: fmt.Sprintf(
			"sticker sheets need a TrueType (.ttf) font, and %s is not one (TrueType collections and OpenType/CFF fonts are not supported)", path)}
	}
	return b, nil
}

// Page geometry in millimetres.
const (
	pageW, pageH = 210.0, 297.0
	pageMargin   = 8.0
	cellPad      = 4.0
	ptToMM       = 25.4 / 72
	cjkFamily    = "cjk"
	latinFamily  = "Helvetica"
)

// Sheet writes a printable A4 PDF of stickers to w, opts.Columns ×
// opts.Rows per page, each in a dashed cutting frame. It returns EINVALID
// for no stickers, a sticker without URL or whose URL does not fit a code,
// or bad options, and EUNAVAILABLE when the font is missing.
//
// The font is subset: only the glyphs used end up in the PDF.
func Sheet(w io.Writer, stickers []Sticker, opts SheetOptions) error {
	if len(stickers) == 0 {
		return shian.Errorf(shian.EINVALID, "a sticker sheet needs at least one sticker")
	}
	cols, rows, ppm := opts.Columns, opts.Rows, opts.PixelsPerModule
	if cols == 0 {
		cols = 2
	}
	if rows == 0 {
		rows = 4
	}
	if ppm == 0 {
		ppm = 10
	}
	if cols < 1 || cols > 6 || rows < 1 || rows > 8 {
		return shian.Errorf(shian.EINVALID, "a sheet has 1–6 columns and 1–8 rows of stickers, got %d × %d", cols, rows)
	}
	font := opts.Font
	if font == nil {
		var err error
		if font, err = LoadFont(opts.FontPath); err != nil {
			return err
		}
	}

	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.SetAutoPageBreak(false, 0)
	pdf.SetMargins(0, 0, 0)
	pdf.SetCreator("Shian", false)
	if opts.Title != "" {
		pdf.SetTitle(opts.Title, true)
	}
	pdf.AddUTF8FontFromBytes(cjkFamily, "", font)
	s := &sheet{pdf: pdf, latin: pdf.UnicodeTranslatorFromDescriptor(""), isLatin: map[rune]bool{}}
	// SetFont fails (into pdf.Err) if the font did not parse, which
	// AddUTF8FontFromBytes only prints.
	pdf.SetFont(cjkFamily, "", 10)
	if err := pdf.Error(); err != nil {
		return &shian.Error{Code: shian.EUNAVAILABLE, Message: fmt.Sprintf("the sticker sheet font could not be loaded: %v", err)}
	}

	cellW := (pageW - 2*pageMargin) / float64(cols)
	cellH := (pageH - 2*pageMargin) / float64(rows)
	imgOpts := fpdf.ImageOptions{ImageType: "PNG"}
	for i, st := range stickers {
		if st.URL == "" {
			return shian.FieldError("url", "sticker %d (%s) has no URL", i+1, st.Licence)
		}
		code, err := PNG(st.URL, ppm)
		if err != nil {
			return fmt.Errorf("sticker %d (%s): %w", i+1, st.Licence, err)
		}
		k := i % (cols * rows)
		if k == 0 {
			pdf.AddPage()
		}
		x := pageMargin + float64(k%cols)*cellW
		y := pageMargin + float64(k/cols)*cellH
		name := "qr" + strconv.Itoa(i)
		pdf.RegisterImageOptionsReader(name, imgOpts, bytes.NewReader(code))
		s.sticker(st, name, x, y, cellW, cellH)
		if err := pdf.Error(); err != nil {
			return fmt.Errorf("sticker sheet: sticker %d (%s): %w", i+1, st.Licence, err)
		}
	}
	if err := pdf.Output(w); err != nil {
		return fmt.Errorf("sticker sheet: write pdf: %w", err)
	}
	return nil
}

type sheet struct {
	pdf *fpdf.Fpdf
	// latin maps text to the core fonts' code page (cp1252); isLatin caches
	// which runes it can map, which are set in Helvetica.
	latin   func(string) string
	isLatin map[rune]bool
}

// run is a stretch of text set in one font.
type run struct {
	latin bool
	text  string
}

// runs splits text into stretches for Helvetica (what cp1252 holds) and for
// the CJK font (everything else).
func (s *sheet) runs(text string) []run {
	var out []run
	for i, r := range text {
		l, ok := s.isLatin[r]
		if !ok {
			l = r < utf8.RuneSelf || r == '.' || s.latin(string(r)) != "."
			s.isLatin[r] = l
		}
		size := utf8.RuneLen(r)
		if len(out) > 0 && out[len(out)-1].latin == l {
			out[len(out)-1].text += text[i : i+size]
		} else {
			out = append(out, run{latin: l, text: text[i : i+size]})
		}
	}
	return out
}

func (s *sheet) setFont(latin bool, size float64) {
	if latin {
		s.pdf.SetFont(latinFamily, "", size)
	} else {
		s.pdf.SetFont(cjkFamily, "", size)
	}
}

func (s *sheet) width(text string, size float64) float64 {
	w := 0.0
	for _, r := range s.runs(text) {
		s.setFont(r.latin, size)
		if r.latin {
			w += s.pdf.GetStringWidth(s.latin(r.text))
		} else {
			w += s.pdf.GetStringWidth(r.text)
		}
	}
	return w
}

// fit returns the largest size from size down to minSize (in steps of half a
// point) at which text fits maxW, and text itself, cut short with "…" when it
// does not fit even at minSize.
func (s *sheet) fit(text string, size, minSize, maxW float64) (string, float64) {
	for ; size > minSize && s.width(text, size) > maxW; size -= 0.5 {
	}
	if s.width(text, size) <= maxW {
		return text, size
	}
	rs := []rune(text)
	for len(rs) > 1 {
		rs = rs[:len(rs)-1]
		if t := string(rs) + "…"; s.width(t, size) <= maxW {
			return t, size
		}
	}
	return string(rs), size
}

// centred draws text centred on cx with its baseline at y.
func (s *sheet) centred(text string, cx, y, size float64) {
	x := cx - s.width(text, size)/2
	for _, r := range s.runs(text) {
		s.setFont(r.latin, size)
		t := r.text
		if r.latin {
			t = s.latin(t)
		}
		s.pdf.Text(x, y, t)
		x += s.pdf.GetStringWidth(t)
	}
}

// sticker lays one sticker out in the cell at x, y: names on top, the code
// in the middle as large as fits, district, licence and the scan line below.
func (s *sheet) sticker(st Sticker, img string, x, y, w, h float64) {
	pdf := s.pdf
	pdf.SetDrawColor(170, 170, 170)
	pdf.SetLineWidth(0.2)
	pdf.SetDashPattern([]float64{1.5, 1.5}, 0)
	pdf.Rect(x, y, w, h, "D")
	pdf.SetDashPattern(nil, 0)
	pdf.SetTextColor(0, 0, 0)

	cx, inner := x+w/2, w-2*cellPad
	top := y + cellPad
	name, size := s.fit(st.Name, 16, 9, inner)
	top += size * ptToMM
	s.centred(name, cx, top, size)
	top += 1.5
	if st.NameEN != "" {
		en, size := s.fit(st.NameEN, 9, 6, inner)
		top += size * ptToMM
		s.centred(en, cx, top, size)
		top += 1
	}

	bottom := y + h - cellPad
	line, size := s.fit(StickerLine, 8.5, 5, inner)
	s.centred(line, cx, bottom, size)
	bottom -= size*ptToMM + 1.2
	lic, size := s.fit("许可证 Licence "+st.Licence, 8, 5, inner)
	s.centred(lic, cx, bottom, size)
	bottom -= size*ptToMM + 1
	if d := districtLabel(st.District); d != "" {
		d, size := s.fit(d, 8, 5, inner)
		s.centred(d, cx, bottom, size)
		bottom -= size*ptToMM + 1
	}

	side := min(bottom-top, inner)
	if side > 0 {
		pdf.ImageOptions(img, cx-side/2, top+(bottom-top-side)/2, side, side, false, fpdf.ImageOptions{ImageType: "PNG"}, 0, "")
	}
}

// districtLabel names a district code in Chinese and English; other text is
// printed as given.
func districtLabel(d string) string {
	if c, ok := shian.LookupCode(shian.Districts, d); ok {
		return c.Names.ZH + " " + c.Names.EN
	}
	return d
}
