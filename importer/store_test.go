package importer_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"shian"
	"shian/importer"
	"shian/internal/testenv"
	"shian/store/postgres"
	"shian/store/sqlite"
	"shian/store/sqlstore"
)

// stores are the real stores the import tests run against.
var stores = []struct {
	name string
	open func(tb testing.TB) *sqlstore.DB
}{
	{"sqlite", openSQLite},
	{"postgres", openPostgres},
}

func openSQLite(t testing.TB) *sqlstore.DB {
	t.Helper()
	db, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "shian.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	migrate(t, db)
	return db
}

func openPostgres(t testing.TB) *sqlstore.DB {
	t.Helper()
	url := testenv.NewPostgresDatabase(t)
	db, err := postgres.Open(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	migrate(t, db)
	return db
}

func migrate(t testing.TB, db *sqlstore.DB) {
	t.Helper()
	db.Now = now
	if _, err := db.Migrate(t.Context()); err != nil {
		t.Fatalf("migrate: %v", err)
	}
}

func mustParse(t *testing.T, in string, o importer.Options) *importer.Result {
	t.Helper()
	res, err := importer.ParseJSONL(strings.NewReader(in), o)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func count(t *testing.T, db *sqlstore.DB) int {
	t.Helper()
	n, err := db.CountShops(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestImport(t *testing.T) {
	second := strings.Replace(good, "JY11303020001234", "JY11303020009999", 1)
	third := strings.Replace(good, "JY11303020001234", "JY11303020008888", 1)
	bad := strings.Replace(strings.Replace(good, `"haigang"`, `"xx"`, 1), "JY11303020001234", "JY11303020007777", 1)
	file := good + "\n" + second + "\n" + bad + "\n" + third + "\n"
	for _, st := range stores {
		t.Run(st.name, func(t *testing.T) {
			ctx := t.Context()
			db := st.open(t)

			t.Run("a bad line writes nothing", func(t *testing.T) {
				_, err := importer.Import(ctx, db, mustParse(t, file, opts()), opts())
				var list importer.ErrorList
				if shian.ErrorCode(err) != shian.EINVALID || !errors.As(err, &list) || len(list) != 1 || list[0].Line != 3 {
					t.Fatalf("got %v, want EINVALID listing line 3", err)
				}
				if !strings.Contains(err.Error(), "line 3: district: unknown district \"xx\"") {
					t.Errorf("error %q does not name line 3 and its field", err)
				}
				if n := count(t, db); n != 0 {
					t.Errorf("store has %d shops, want none", n)
				}
			})

			o := opts()
			o.SkipInvalid = true
			t.Run("skip invalid writes the good lines", func(t *testing.T) {
				stats, err := importer.Import(ctx, db, mustParse(t, file, o), o)
				if err != nil {
					t.Fatal(err)
				}
				if stats != (shian.ImportStats{Created: 3}) || count(t, db) != 3 {
					t.Errorf("got %+v and %d shops, want 3 created", stats, count(t, db))
				}
			})

			t.Run("re-import is idempotent", func(t *testing.T) {
				before, err := db.ShopByLicence(ctx, "JY11303020009999")
				if err != nil {
					t.Fatal(err)
				}
				stats, err := importer.Import(ctx, db, mustParse(t, file, o), o)
				if err != nil {
					t.Fatal(err)
				}
				if stats != (shian.ImportStats{Updated: 3}) || count(t, db) != 3 {
					t.Errorf("got %+v and %d shops, want 3 updated", stats, count(t, db))
				}
				after, err := db.ShopByLicence(ctx, "JY11303020009999")
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(normalize(before), normalize(after)) {
					t.Errorf("re-import changed the shop:\n%+v\n%+v", before, after)
				}
			})

			t.Run("re-import updates", func(t *testing.T) {
				changed := strings.Replace(second, "老渔家海鲜大排档", "新渔家", 1)
				stats, err := importer.Import(ctx, db, mustParse(t, changed+"\n", o), o)
				if err != nil {
					t.Fatal(err)
				}
				s, err := db.ShopByLicence(ctx, "JY11303020009999")
				if err != nil {
					t.Fatal(err)
				}
				if stats != (shian.ImportStats{Updated: 1}) || s.Name != "新渔家" || len(s.Inspections) != 2 {
					t.Errorf("got %+v, shop %q with %d inspections; want 1 updated, renamed, history replaced", stats, s.Name, len(s.Inspections))
				}
			})
		})
	}
}

// rich has every field of the format, for the round trip.
const rich = `{"licence":"JY11303020001234","credit_code":"91130300MA0G7XXX1Y","name":"老渔家海鲜大排档","name_en":"Old Fisherman","name_ru":"Старый рыбак","aliases":["老渔家","渔家 总店"],"category":"restaurant","address":"河北大街88号, 2层","district":"haigang","grid":"HG-03","lat":39.935123,"lng":119.600456,"phone":"0335-1234567","status":"suspended","licensed_on":"2020-03-01","haccp":true,"inspections":[{"date":"2025-05-01","score":92,"notes":"无问题","inspector":"王"},{"date":"2026-05-20","result":"fail","items_failed":["冷藏温度不达标","餐具消毒记录不全"],"notes":"\"责令整改\""}],"annual":[{"year":2024,"grade":"B"},{"year":2025,"grade":"A"}]}
{"licence":"SC10513030200017","name":"包子铺","category":"street_vendor","address":"东大街1号","district":"shanhaiguan"}
{"licence":"JY11303020005555","name":"北戴河咖啡馆","category":"retail","address":"保二路5号","district":"beidaihe","lat":39.83,"lng":119.48,"inspections":[{"date":"2026-03-01","score":75}]}
`

func TestExportLIVESRoundTrip(t *testing.T) {
	for _, st := range stores {
		t.Run(st.name, func(t *testing.T) {
			ctx := t.Context()
			db := st.open(t)
			// With visitor names generated: the round trip keeps which names
			// were supplied and which generated, and the item codes.
			o := opts()
			o.Names = mustNames(t)
			res := mustParse(t, rich, o)
			if len(res.Errors) > 0 {
				t.Fatal(importer.ErrorList(res.Errors))
			}
			if _, err := importer.Import(ctx, db, res, o); err != nil {
				t.Fatal(err)
			}
			dir := filepath.Join(t.TempDir(), "feed")
			if err := importer.ExportLIVES(ctx, db, dir, opts()); err != nil {
				t.Fatal(err)
			}
			feedInfo, err := os.ReadFile(filepath.Join(dir, "feed_info.csv"))
			if err != nil || !strings.Contains(string(feedInfo), "20260615,1.0,") {
				t.Errorf("feed_info.csv: %q, %v; want dated 20260615", feedInfo, err)
			}

			back, err := importer.ParseLIVES(os.DirFS(dir), o)
			if err != nil {
				t.Fatal(err)
			}
			if len(back.Errors) > 0 {
				t.Fatal(importer.ErrorList(back.Errors))
			}
			db2 := st.open(t)
			if _, err := importer.Import(ctx, db2, back, opts()); err != nil {
				t.Fatal(err)
			}
			want := listAll(t, db)
			got := listAll(t, db2)
			if len(got) != 3 || len(want) != 3 {
				t.Fatalf("got %d shops back, want %d", len(got), len(want))
			}
			generated := 0
			for _, s := range want {
				if s.NameRUGenerated && s.NameRU != "" && s.AddressRU != "" {
					generated++
				}
			}
			if generated == 0 {
				t.Error("no shop of the feed got a generated Russian name")
			}
			for i := range want {
				if !reflect.DeepEqual(normalize(got[i]), normalize(want[i])) {
					t.Errorf("shop %s changed in the round trip:\n got %+v\nwant %+v", want[i].Licence, normalize(got[i]), normalize(want[i]))
				}
			}
		})
	}
}

func listAll(t *testing.T, db *sqlstore.DB) []*shian.Shop {
	t.Helper()
	shops, err := db.ListShops(context.Background(), shian.ShopFilter{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	return shops
}

// normalize clears what the store assigns and makes empty lists nil.
func normalize(s *shian.Shop) shian.Shop {
	c := *s
	c.ID, c.UpdatedAt = 0, time.Time{}
	if len(c.Aliases) == 0 {
		c.Aliases = nil
	}
	c.Inspections = append([]shian.Inspection(nil), s.Inspections...)
	for i := range c.Inspections {
		if len(c.Inspections[i].ItemsFailed) == 0 {
			c.Inspections[i].ItemsFailed = nil
		}
	}
	return c
}
