package importer

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"shian"
	"shian/csvsafe"
)

// Lister is the part of the store an export reads
// (shian.ShopService.ListShops: shops in id order with their history).
type Lister interface {
	ListShops(ctx context.Context, f shian.ShopFilter) ([]*shian.Shop, error)
}

// exportPage is how many shops one ListShops call returns.
const exportPage = 1000

// ExportLIVES writes every shop of the store as a LIVES feed into dir
// (created when missing; files of the same names are replaced):
// businesses.csv, inspections.csv, violations.csv, annual.csv with our
// extension columns, a legend.csv of docs/grades.md's cut-offs and a feed_info.csv
// dated opts.Now. ParseLIVES reads it back into the same shops.
// opts.Progress, when set, is called after each page with Stage "export".
func ExportLIVES(ctx context.Context, store Lister, dir string, opts Options) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	files := map[string]*csvOut{}
	for name, header := range map[string][]string{
		FileBusinesses: BusinessColumns, FileInspections: InspectionColumns, FileViolations: ViolationColumns,
		FileAnnual: AnnualColumns, FileLegend: LegendColumns, FileFeedInfo: FeedInfoColumns,
	} {
		f, err := createCSV(filepath.Join(dir, name), header)
		if err != nil {
			for _, o := range files {
				o.f.Close()
			}
			return fmt.Errorf("export: %w", err)
		}
		files[name] = f
	}
	err := exportShops(ctx, store, files, opts)
	if err == nil {
		now := opts.now().In(shian.CST)
		files[FileFeedInfo].write([]string{now.Format(livesDate), "1.0", "秦皇岛市 Qinhuangdao", "", ""})
		for _, l := range []struct {
			lo, hi int
			desc   string
		}{{90, 100, "Excellent"}, {75, 89, "Good"}, {60, 74, "Fair"}, {0, 59, "Fail"}} {
			files[FileLegend].write([]string{strconv.Itoa(l.lo), strconv.Itoa(l.hi), l.desc})
		}
	}
	for _, o := range files {
		if cerr := o.close(); err == nil && cerr != nil {
			err = cerr
		}
	}
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	return nil
}

func exportShops(ctx context.Context, store Lister, files map[string]*csvOut, opts Options) error {
	var after int64
	done := 0
	for {
		shops, err := store.ListShops(ctx, shian.ShopFilter{AfterID: after, Limit: exportPage})
		if err != nil {
			return err
		}
		if len(shops) == 0 {
			return nil
		}
		for _, s := range shops {
			writeShop(files, s)
			after = s.ID
		}
		for _, o := range files {
			if err := o.err(); err != nil {
				return err
			}
		}
		done += len(shops)
		opts.progress(Progress{Stage: "export", Done: done})
	}
}

func writeShop(files map[string]*csvOut, s *shian.Shop) {
	var lat, lng, licensed string
	if s.HasGeo {
		lat, lng = strconv.FormatFloat(s.Lat, 'f', -1, 64), strconv.FormatFloat(s.Lng, 'f', -1, 64)
	}
	if !s.LicensedOn.IsZero() {
		licensed = s.LicensedOn.Format(livesDate)
	}
	city := s.District
	if d, ok := shian.LookupCode(shian.Districts, s.District); ok {
		city = d.Names.ZH
	}
	// Generated names are a transcription, not the registry's: the import
	// that reads this feed writes them again and marks them generated.
	nameEN, nameRU := s.NameEN, s.NameRU
	if s.NameENGenerated {
		nameEN = ""
	}
	if s.NameRUGenerated {
		nameRU = ""
	}
	files[FileBusinesses].write([]string{s.Licence, s.Name, s.Address, city, "河北省", "", lat, lng, s.Phone,
		s.District, s.Category, nameEN, nameRU, s.Status, licensed, s.CreditCode, s.Grid,
		strconv.FormatBool(s.HACCP), strings.Join(s.Aliases, "|")})
	for _, in := range s.Inspections {
		date := in.Date.Format(livesDate)
		score := ""
		if in.Score != nil {
			score = shian.FormatScore(*in.Score)
		}
		files[FileInspections].write([]string{s.Licence, score, date, in.Notes, "routine", in.Result, in.Inspector})
		for i, item := range in.ItemsFailed {
			files[FileViolations].write([]string{s.Licence, date, strconv.Itoa(i + 1), item})
		}
	}
	for _, a := range s.Annual {
		files[FileAnnual].write([]string{s.Licence, strconv.Itoa(a.Year), a.Grade})
	}
}

// csvOut is one CSV file being written.
type csvOut struct {
	f *os.File
	w *csvsafe.Writer
}

func createCSV(path string, header []string) (*csvOut, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	o := &csvOut{f: f, w: csvsafe.NewWriter(f)}
	o.write(header)
	return o, nil
}

// write buffers a row; errors surface from err and close.
func (o *csvOut) write(rec []string) { _ = o.w.Write(rec) }

func (o *csvOut) err() error {
	o.w.Flush()
	return o.w.Error()
}

func (o *csvOut) close() error {
	o.w.Flush()
	err := o.w.Error()
	if cerr := o.f.Close(); err == nil {
		err = cerr
	}
	return err
}
