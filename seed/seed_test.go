package seed_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"shian"
	"shian/seed"
	"shian/triage"
)

// now is the clock of most tests: 15 March 2026, 10:00 in Qinhuangdao.
var now = time.Date(2026, 3, 15, 10, 0, 0, 0, shian.CST)

func mustJSON(tb testing.TB, v any) []byte {
	tb.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		tb.Fatalf("marshal: %v", err)
	}
	return b
}

func TestGenerateIsDeterministic(t *testing.T) {
	base := seed.Options{Shops: 800, Seed: 7, Now: now}
	want := mustJSON(t, seed.Generate(base))
	tests := []struct {
		name string
		opts seed.Options
		same bool
	}{
		{"same options", base, true},
		{"same day, other hour", seed.Options{Shops: 800, Seed: 7, Now: now.Add(5 * time.Hour)}, true},
		{"other seed", seed.Options{Shops: 800, Seed: 8, Now: now}, false},
		{"other day", seed.Options{Shops: 800, Seed: 7, Now: now.AddDate(0, 0, 1)}, false},
		{"more shops", seed.Options{Shops: 801, Seed: 7, Now: now}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := mustJSON(t, seed.Generate(tt.opts))
			if same := bytes.Equal(got, want); same != tt.same {
				t.Errorf("output identical = %v, want %v", same, tt.same)
			}
		})
	}
	t.Run("prefix stable as the city grows", func(t *testing.T) {
		small := seed.Generate(seed.Options{Shops: 100, Seed: 7, Now: now})
		big := seed.Generate(seed.Options{Shops: 200, Seed: 7, Now: now})
		if !bytes.Equal(mustJSON(t, small), mustJSON(t, big[:100])) {
			t.Error("the first 100 shops differ between a 100- and a 200-shop city")
		}
	})
	t.Run("defaults", func(t *testing.T) {
		a := seed.Generate(seed.Options{Now: now})
		b := seed.Generate(seed.Options{Shops: seed.DefaultShops, Seed: seed.DefaultSeed, Now: now})
		if len(a) != seed.DefaultShops {
			t.Errorf("default city has %d shops, want %d", len(a), seed.DefaultShops)
		}
		if !bytes.Equal(mustJSON(t, a), mustJSON(t, b)) {
			t.Error("zero options differ from the documented defaults")
		}
	})
}

var (
	phoneRE  = regexp.MustCompile(`^(0335-[3-8]\d{6}|1[3-9]\d{9})$`)
	creditRE = regexp.MustCompile(`^(91|92|11|12)1303\d\d[0-9A-HJ-NP-RTUW-Y]{10}$`)
)

// licenceShapes is the licence number shape of each category.
var licenceShapes = map[string]*regexp.Regexp{
	"restaurant":     regexp.MustCompile(`^JY21303\d{9}$`),
	"online":         regexp.MustCompile(`^JY21303\d{9}$`),
	"retail":         regexp.MustCompile(`^JY11303\d{9}$`),
	"canteen":        regexp.MustCompile(`^JY31303\d{9}$`),
	"school_canteen": regexp.MustCompile(`^JY31303\d{9}$`),
	"producer":       regexp.MustCompile(`^SC\d{3}1303\d{7}$`),
	"workshop":       regexp.MustCompile(`^ZF1303\d{8}$`),
	"street_vendor":  regexp.MustCompile(`^TF1303\d{8}$`),
}

// usccValid checks the GB 32100-2015 check character of a credit code.
func usccValid(code string) bool {
	const chars = "0123456789ABCDEFGHJKLMNPQRTUWXY"
	w := [17]int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}
	sum := 0
	for i := range 17 {
		sum += strings.IndexByte(chars, code[i]) * w[i]
	}
	return code[17] == chars[(31-sum%31)%31]
}

func districtName(code string) string {
	d, _ := shian.LookupCode(shian.Districts, code)
	if code == "etdz" {
		return "经济技术开发区"
	}
	return d.Names.ZH
}

func TestEveryShopIsValid(t *testing.T) {
	clocks := []struct {
		name string
		now  time.Time
	}{
		{"mid March", now},
		{"new year's morning in China, still 31 Dec in UTC", time.Date(2026, 1, 1, 0, 30, 0, 0, shian.CST)},
		{"leap day", time.Date(2028, 2, 29, 12, 0, 0, 0, shian.CST)},
		{"summer season", time.Date(2025, 7, 20, 18, 0, 0, 0, time.UTC)},
	}
	for _, c := range clocks {
		for _, s := range []int64{1, 2, 99} {
			t.Run(fmt.Sprintf("%s/seed %d", c.name, s), func(t *testing.T) {
				checkCity(t, seed.Generate(seed.Options{Shops: 1500, Seed: s, Now: c.now}), c.now)
			})
		}
	}
}

// checkCity checks the invariants every generated city holds.
func checkCity(t *testing.T, shops []*shian.Shop, now time.Time) {
	t.Helper()
	y, m, d := now.In(shian.CST).Date()
	today := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	first := today.AddDate(-3, 0, 0)
	licences := map[string]bool{}
	for _, s := range shops {
		if err := s.Validate(now); err != nil {
			t.Fatalf("%s %s: %v", s.Licence, s.Name, err)
		}
		if licences[s.Licence] {
			t.Fatalf("licence %s is not unique", s.Licence)
		}
		licences[s.Licence] = true
		if !licenceShapes[s.Category].MatchString(s.Licence) {
			t.Errorf("%s: licence %s has not the shape of a %s licence", s.Name, s.Licence, s.Category)
		}
		if s.CreditCode != "" && (!creditRE.MatchString(s.CreditCode) || !usccValid(s.CreditCode)) {
			t.Errorf("%s: credit code %s is not a valid 统一社会信用代码", s.Name, s.CreditCode)
		}
		if s.Phone != "" && !phoneRE.MatchString(s.Phone) {
			t.Errorf("%s: phone %q", s.Name, s.Phone)
		}
		if want := "秦皇岛市" + districtName(s.District); !strings.HasPrefix(s.Address, want) || !strings.HasSuffix(s.Address, "号") {
			t.Errorf("%s: address %q does not start with %s and end with 号", s.Name, s.Address, want)
		}
		if s.HasGeo && !shian.InCity(s.Lat, s.Lng) {
			t.Errorf("%s: (%v, %v) is outside the city", s.Name, s.Lat, s.Lng)
		}
		switch s.Status {
		case shian.StatusOpen, shian.StatusSuspended, shian.StatusClosed:
		default:
			t.Errorf("%s: status %q", s.Name, s.Status)
		}
		for i, in := range s.Inspections {
			if in.Date.After(today) || in.Date.Before(first) {
				t.Errorf("%s: inspection on %s outside the three years up to %s", s.Name, in.Date.Format(shian.DateLayout), today.Format(shian.DateLayout))
			}
			if i > 0 && !in.Date.Before(s.Inspections[i-1].Date) {
				t.Errorf("%s: inspections not newest first at %d", s.Name, i)
			}
			if in.Score != nil && shian.ResultForScore(*in.Score) != in.Result {
				t.Errorf("%s: score %v with result %s", s.Name, *in.Score, in.Result)
			}
			if in.Result == shian.ResultFail && len(in.ItemsFailed) < 2 || in.Result == shian.ResultExcellent && len(in.ItemsFailed) > 1 {
				t.Errorf("%s: result %s with failed items %v", s.Name, in.Result, in.ItemsFailed)
			}
			if !s.LicensedOn.IsZero() && in.Date.Before(s.LicensedOn) {
				t.Errorf("%s: inspected on %s before its licence of %s", s.Name, in.Date.Format(shian.DateLayout), s.LicensedOn.Format(shian.DateLayout))
			}
			if in.Inspector == "" {
				t.Errorf("%s: inspection without inspector", s.Name)
			}
		}
		if s.Status == shian.StatusSuspended && (len(s.Inspections) == 0 || s.Inspections[0].Result != shian.ResultFail) {
			t.Errorf("%s: suspended without a failed latest inspection", s.Name)
		}
	}
}

// stats are the counts the realism checks look at.
type stats struct {
	n, districts, suspended, closed, notGraded, newShops, neverInspected int
	schools, seafood, haccpProducers, supplied                           int
	byDistrict                                                           map[string]int
	dynamic                                                              map[string]int
	beidaihe, beidaiheEN, beidaiheRU, ruOutsideBeach                     int
	names                                                                []string
}

func cityStats(shops []*shian.Shop, now time.Time) stats {
	st := stats{n: len(shops), byDistrict: map[string]int{}, dynamic: map[string]int{}}
	for _, s := range shops {
		st.byDistrict[s.District]++
		st.names = append(st.names, s.Name)
		g := shian.ComputeGrade(s, now)
		switch s.Status {
		case shian.StatusSuspended:
			st.suspended++
		case shian.StatusClosed:
			st.closed++
		default:
			st.dynamic[g.Dynamic]++
		}
		if g.Dynamic == shian.NotGraded {
			st.notGraded++
			if len(s.Inspections) == 0 {
				st.neverInspected++
			} else {
				st.newShops++
			}
		}
		if g.AnnualSupplied {
			st.supplied++
		}
		if s.Category == "school_canteen" {
			st.schools++
		}
		if s.Category == "producer" && s.HACCP {
			st.haccpProducers++
		}
		if strings.Contains(s.Name, "海鲜") || slices.ContainsFunc(s.Aliases, func(a string) bool { return strings.Contains(a, "海鲜") }) {
			st.seafood++
		}
		if s.District == "beidaihe" {
			st.beidaihe++
			if s.NameEN != "" {
				st.beidaiheEN++
			}
			if s.NameRU != "" {
				st.beidaiheRU++
			}
		}
		if s.NameRU != "" && !slices.Contains([]string{"beidaihe", "shanhaiguan", "bdhxinqu", "haigang"}, s.District) {
			st.ruOutsideBeach++
		}
	}
	st.districts = len(st.byDistrict)
	return st
}

func TestDefaultCityIsRealistic(t *testing.T) {
	for _, s := range []int64{1, 2, 3} {
		shops := seed.Generate(seed.Options{Seed: s, Now: now})
		st := cityStats(shops, now)
		open := 0
		for _, n := range st.dynamic {
			open += n
		}
		graded := open - st.dynamic[shian.NotGraded]
		pct := func(part, whole int) int { return 100 * part / whole }
		checks := []struct {
			name     string
			got      int
			min, max int
		}{
			{"shops", st.n, 2000, 2000},
			{"districts present", st.districts, 9, 9},
			{"haigang shops", st.byDistrict["haigang"], 480, 720},
			{"beidaihe shops", st.byDistrict["beidaihe"], 260, 420},
			{"smallest district", slices.Min(mapValues(st.byDistrict)), 70, 200},
			{"suspended", st.suspended, 10, 60},
			{"closed", st.closed, 25, 110},
			{"not graded", st.notGraded, 50, 250},
			{"licensed < 3 months with a first inspection", st.newShops, 15, 150},
			{"never inspected", st.neverInspected, 20, 150},
			{"school canteens", st.schools, 40, 140},
			{"names with 海鲜", st.seafood, 100, 500},
			{"producers with HACCP", st.haccpProducers, 10, 80},
			{"supplied annual grades", st.supplied, 100, 600},
			{"% excellent of graded open shops", pct(st.dynamic[shian.ResultExcellent], graded), 15, 40},
			{"% good of graded open shops", pct(st.dynamic[shian.ResultGood], graded), 45, 70},
			{"% fair of graded open shops", pct(st.dynamic[shian.ResultFair], graded), 5, 20},
			{"open shops failed and awaiting re-inspection", st.dynamic[shian.ResultFail], 8, 60},
			{"% beidaihe shops with an English name", pct(st.beidaiheEN, st.beidaihe), 55, 90},
			{"% beidaihe shops with a Russian name", pct(st.beidaiheRU, st.beidaihe), 20, 50},
			{"Russian names away from the coast", st.ruOutsideBeach, 0, 0},
		}
		for _, c := range checks {
			t.Run(fmt.Sprintf("%s/seed %d", c.name, s), func(t *testing.T) {
				if c.got < c.min || c.got > c.max {
					t.Errorf("%s = %d, want %d–%d", c.name, c.got, c.min, c.max)
				}
			})
		}
	}
}

func mapValues(m map[string]int) []int {
	var out []int
	for _, v := range m {
		out = append(out, v)
	}
	return out
}

func TestLandmarks(t *testing.T) {
	shops := seed.Generate(seed.Options{Seed: 5, Now: now})
	find := func(name string) []*shian.Shop {
		var out []*shian.Shop
		for _, s := range shops {
			if s.Name == name {
				out = append(out, s)
			}
		}
		return out
	}
	tests := []struct {
		name, district, category, en, ru string
	}{
		{"老二位海鲜", "beidaihe", "restaurant", "Lao Er Wei Seafood", "Морепродукты Лао Эр Вэй"},
		{"秦皇岛市第一中学食堂", "haigang", "school_canteen", "Qinhuangdao No. 1 Middle School Canteen", ""},
		{"北戴河区实验小学食堂", "beidaihe", "school_canteen", "Beidaihe Experimental Primary School Canteen", ""},
		{"长城饺子馆", "shanhaiguan", "restaurant", "Great Wall Dumplings", "Пельменная «Великая стена»"},
		{"重庆火锅", "haigang", "restaurant", "Chongqing Hotpot", ""},
		{"中国银行秦皇岛分行食堂", "haigang", "canteen", "Bank of China Qinhuangdao Branch Canteen", ""},
		{"快乐烧烤", "beidaihe", "restaurant", "Happy BBQ", "Шашлык у моря"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Common names repeat (other shops may be called 重庆火锅 too);
			// the landmark is the one in its district with its translations.
			var s *shian.Shop
			for _, c := range find(tt.name) {
				if c.District == tt.district && c.Category == tt.category && c.NameEN == tt.en && c.NameRU == tt.ru {
					s = c
					break
				}
			}
			if s == nil {
				t.Fatalf("no %s %s in %s named %q / %q", tt.category, tt.name, tt.district, tt.en, tt.ru)
			}
			if g := shian.ComputeGrade(s, now); g.Status != shian.StatusOpen || g.Dynamic == shian.NotGraded {
				t.Errorf("landmark grade %+v, want open and graded", g)
			}
		})
	}
	t.Run("only one 老二位", func(t *testing.T) {
		if n := len(find("老二位海鲜")); n != 1 {
			t.Errorf("%d shops named 老二位海鲜, want 1", n)
		}
		for _, s := range shops {
			if strings.Contains(s.Name, "老二位") && s.Name != "老二位海鲜" {
				t.Errorf("another 老二位: %s", s.Name)
			}
		}
	})
	t.Run("small cities start with the landmarks", func(t *testing.T) {
		for n, want := range map[int]string{1: "老二位海鲜", 2: "秦皇岛市第一中学食堂"} {
			got := seed.Generate(seed.Options{Shops: n, Now: now})
			if len(got) != n || got[n-1].Name != want {
				t.Errorf("Shops: %d gave %d shops, last %q; want %q", n, len(got), got[len(got)-1].Name, want)
			}
		}
	})
}

func TestInstitutionNamesAreUnique(t *testing.T) {
	shops := seed.Generate(seed.Options{Shops: 30000, Seed: 3, Now: now})
	seen := map[string]string{}
	for _, s := range shops {
		switch s.Category {
		case "school_canteen", "canteen", "producer":
		default:
			continue
		}
		if lic, ok := seen[s.Name]; ok {
			t.Fatalf("%s is the name of %s and %s", s.Name, lic, s.Licence)
		}
		seen[s.Name] = s.Licence
	}
	if len(seen) < 2500 {
		t.Errorf("only %d institutions in 30,000 shops", len(seen))
	}
	licences := map[string]bool{}
	for _, s := range shops {
		if licences[s.Licence] {
			t.Fatalf("licence %s repeats", s.Licence)
		}
		licences[s.Licence] = true
	}
}

// TestPlacesMatchTheGrids checks the built-in town centres against the
// supervision grids of package triage, and that triage's own geometry can
// be plugged in through Options.Point and Options.GridFor.
func TestPlacesMatchTheGrids(t *testing.T) {
	grids, err := triage.DefaultGrids()
	if err != nil {
		t.Fatal(err)
	}
	gridFor := func(district string, lat, lng float64) string {
		g, _ := grids.GridFor(district, lat, lng)
		return g
	}
	plain := seed.Generate(seed.Options{Shops: 3000, Seed: 11, Now: now, GridFor: gridFor})
	t.Run("default places lie in their district's grids", func(t *testing.T) {
		for _, s := range plain {
			if !s.HasGeo {
				continue
			}
			if d, _, ok := grids.Locate(s.Lat, s.Lng); !ok || d != s.District {
				t.Errorf("%s of %s at (%v, %v) is located in %q", s.Name, s.District, s.Lat, s.Lng, d)
			}
			if s.Grid == "" || !strings.HasPrefix(s.Grid, s.District+"-") {
				t.Errorf("%s of %s has grid %q", s.Name, s.District, s.Grid)
			}
		}
	})
	t.Run("triage's RandomPointIn as Point", func(t *testing.T) {
		point := func(district string, r *rand.Rand) (float64, float64) {
			lat, lng, ok := grids.RandomPointIn(district, r)
			if !ok {
				t.Errorf("no point in %s", district)
			}
			return lat, lng
		}
		opts := seed.Options{Shops: 3000, Seed: 11, Now: now, GridFor: gridFor, Point: point}
		shops := seed.Generate(opts)
		if !bytes.Equal(mustJSON(t, shops), mustJSON(t, seed.Generate(opts))) {
			t.Error("not deterministic with a Point func")
		}
		checkCity(t, shops, now)
		gridded := 0
		for i, s := range shops {
			if s.Name != plain[i].Name || s.Licence != plain[i].Licence || len(s.Inspections) != len(plain[i].Inspections) {
				t.Fatalf("shop %d is %s/%s with Point, %s/%s without: Point must not change anything but places", i, s.Name, s.Licence, plain[i].Name, plain[i].Licence)
			}
			if strings.HasPrefix(s.Grid, s.District+"-") {
				gridded++
			}
		}
		if geo := countGeo(shops); gridded < geo*995/1000 {
			t.Errorf("only %d of %d placed shops got a grid of their district", gridded, geo)
		}
	})
}

func countGeo(shops []*shian.Shop) int {
	n := 0
	for _, s := range shops {
		if s.HasGeo {
			n++
		}
	}
	return n
}

func BenchmarkGenerate100k(b *testing.B) {
	for b.Loop() {
		shops := seed.Generate(seed.Options{Shops: 100_000, Now: now})
		if len(shops) != 100_000 {
			b.Fatal(len(shops))
		}
	}
}
