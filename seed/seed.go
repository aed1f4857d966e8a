// Package seed generates the demo city: a deterministic, realistic
// Qinhuangdao of food shops for `shian seed`, demos and load tests.
//
// Shops are named the way locals name them (王记饺子馆(河北大街店),
// 鸽子窝渔家乐, 秦皇岛市第一中学食堂), sit on real streets of their
// district, cluster in the town centres, carry English names in the beach
// districts and Russian ones in Beidaihe, and have three years of
// inspections with a plausible grade mix, follow-ups after fails, some
// suspensions and closures, new shops not yet graded and annual grades.
//
// The same Options always give the same shops, byte for byte: all
// randomness comes from PCG generators seeded from Options.Seed, and dates
// from the calendar day of Options.Now.
package seed

import (
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"time"

	"shian"
)

// Defaults of Options.
const (
	DefaultShops       = 2000
	DefaultSeed  int64 = 1
)

// Options configure Generate. The zero value is valid.
type Options struct {
	// Shops is the number of shops; 0 or less means DefaultShops.
	Shops int
	// Seed selects the city; 0 means DefaultSeed.
	Seed int64
	// Now is the clock: inspections span the three years up to the
	// calendar day of Now (China Standard Time), never after. The zero
	// value means time.Now(); pass a fixed time for reproducible output.
	Now time.Time
	// Point, when set, places a shop of a district instead of the
	// built-in street layout (e.g. a random point of the supervision-grid
	// polygons). It must return a point inside the city's bounding box
	// and draw its randomness from r only, so that output stays
	// deterministic. r is a stream of its own: the choice of Point does
	// not change names, licences or histories.
	Point func(district string, r *rand.Rand) (lat, lng float64)
	// GridFor, when set, fills Shop.Grid from the shop's point; an empty
	// answer leaves Grid empty (the store then computes it).
	GridFor func(district string, lat, lng float64) string
}

// Generate returns opts.Shops shops. The first few are fixed landmarks the
// demos and tests rely on (老二位海鲜 in Beidaihe, 秦皇岛市第一中学食堂,
// 长城饺子馆, 重庆火锅 …); every shop passes Shop.Validate(opts.Now) and
// licences are unique. A 100,000-shop city takes well under a second.
func Generate(opts Options) []*shian.Shop {
	if opts.Shops <= 0 {
		opts.Shops = DefaultShops
	}
	if opts.Seed == 0 {
		opts.Seed = DefaultSeed
	}
	if opts.Now.IsZero() {
		opts.Now = time.Now()
	}
	g := newGen(opts)
	shops := make([]*shian.Shop, 0, opts.Shops)
	for i := 0; i < opts.Shops && i < len(landmarks); i++ {
		shops = append(shops, g.landmark(&landmarks[i]))
	}
	for len(shops) < opts.Shops {
		shops = append(shops, g.shop())
	}
	return shops
}

// gen is the state of one Generate call.
type gen struct {
	opts          Options
	r             *rand.Rand // names, ids, histories
	geo           *rand.Rand // coordinates only
	today         time.Time  // midnight UTC of today's date in China
	todayN        int        // today as a day number
	threeYearsAgo int        // the first day of the inspection history, a day number
	// seq holds licence sequence counters by district and shape.
	seq [][4]int
	// used holds the names of institutions (schools, canteens, producers)
	// already given, which must not repeat.
	used map[string]bool
	// next counts numbered schools by district and level, and units by district.
	next       map[string]int
	inspectors [][]string // pairs of inspectors by district index
	scores     []float64  // slab for Inspection.Score
	totalW     int
}

func newGen(opts Options) *gen {
	seed := uint64(opts.Seed)
	y, m, d := opts.Now.In(shian.CST).Date()
	g := &gen{
		opts:  opts,
		r:     rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15)),
		geo:   rand.New(rand.NewPCG(seed, 0xd1b54a32d192ed03)),
		today: time.Date(y, m, d, 0, 0, 0, 0, time.UTC),
		seq:   make([][4]int, len(districts)),
		used:  map[string]bool{},
		next:  map[string]int{},
	}
	g.todayN = dayNum(g.today)
	g.threeYearsAgo = dayNum(g.today.AddDate(-3, 0, 1))
	for i := range districts {
		g.totalW += districts[i].weight
		// Each district office has a handful of inspectors.
		pool := make([]string, 0, 8)
		for len(pool) < 8 {
			name := surnames[g.r.IntN(len(surnames))].zh + givenNames[g.r.IntN(len(givenNames))]
			if !slices.Contains(pool, name) {
				pool = append(pool, name)
			}
		}
		// Inspections are made in pairs: "刘芳、赵涛".
		var pairs []string
		for _, a := range pool {
			for _, b := range pool {
				if a != b {
					pairs = append(pairs, a+"、"+b)
				}
			}
		}
		g.inspectors = append(g.inspectors, pairs)
	}
	return g
}

// Category mixes per mille, in the order of categoryCodes, by district class.
var categoryCodes = [...]string{"restaurant", "school_canteen", "canteen", "retail", "online", "producer", "workshop", "street_vendor"}

var categoryMix = [3][8]int{
	beach:  {660, 30, 30, 120, 40, 20, 20, 80},
	urban:  {520, 40, 70, 160, 100, 30, 30, 50},
	county: {450, 60, 50, 200, 30, 70, 80, 60},
}

// etdzMix: the development zone is factories and their canteens.
var etdzMix = [8]int{420, 30, 140, 140, 90, 100, 30, 50}

// shop generates one random shop.
func (g *gen) shop() *shian.Shop {
	r := g.r
	x := r.IntN(g.totalW)
	di := 0
	for ; x >= districts[di].weight; di++ {
		x -= districts[di].weight
	}
	d := &districts[di]
	mix := &categoryMix[d.class]
	if d.code == "etdz" {
		mix = &etdzMix
	}
	x = r.IntN(1000)
	ci := 0
	for ; x >= mix[ci]; ci++ {
		x -= mix[ci]
	}
	s := &shian.Shop{District: d.code, Category: categoryCodes[ci]}
	street := r.IntN(len(d.streets))
	n := g.name(s, d, d.streets[street])
	g.fill(s, d, street, n, false)
	return s
}

// named is a shop's name in every language, and facts the name implies.
type named struct {
	zh, en, ru string
	aliases    []string
	seafood    bool
	sc         string // SC food category of a producer
	credit     string // credit-code kind: 91, 92, 11, 12
}

// fill completes a named shop: address, place, ids and history.
// street is an index into d.streets.
func (g *gen) fill(s *shian.Shop, d *district, street int, n named, fixture bool) {
	r := g.r
	s.Name = n.zh
	s.Aliases = n.aliases
	if r.Float64() < enShare(d, s.Category) || fixture {
		s.NameEN = n.en
	}
	if r.Float64() < ruShare(d, s.Category) || fixture {
		s.NameRU = n.ru
	}
	// House numbers: most shops are in the first few hundred numbers.
	u := r.Float64()
	num := 1 + int(u*u*320)
	s.Address = "秦皇岛市" + d.label + d.streets[street] + strconv.Itoa(num) + "号"

	// Street stalls often have no fixed point.
	if !(s.Category == "street_vendor" && r.IntN(4) == 0) && r.IntN(100) > 0 {
		s.Lat, s.Lng = g.place(d, street, num)
		s.HasGeo = true
		if g.opts.GridFor != nil {
			s.Grid = g.opts.GridFor(d.code, s.Lat, s.Lng)
		}
	}

	s.Licence = g.licence(d, s.Category, n.sc)
	if r.Float64() < creditShare(s.Category) {
		s.CreditCode = creditCode(r, n.credit, d.admin)
	}
	mobile := 0.2
	if s.Category == "street_vendor" || s.Category == "workshop" || s.Category == "online" {
		mobile = 0.9
	}
	if r.IntN(100) < 92 {
		s.Phone = phone(r, mobile)
	}
	g.history(s, d, n.seafood, fixture)
	switch s.Category {
	case "producer":
		s.HACCP = r.IntN(100) < 35
	case "school_canteen":
		s.HACCP = r.IntN(100) < 15
	case "canteen":
		s.HACCP = r.IntN(100) < 10
	case "restaurant":
		s.HACCP = r.IntN(1000) < 5
	}
}

// place returns a point for a shop on street k at house number num: the
// district's streets are laid across its town box, alternately east–west
// and north–south, numbers running along them, with a little jitter.
func (g *gen) place(d *district, k, num int) (lat, lng float64) {
	if g.opts.Point != nil {
		lat, lng = g.opts.Point(d.code, g.geo)
		return round6(lat), round6(lng)
	}
	b := d.town
	n := len(d.streets)
	t := math.Min(float64(num)/330, 1)
	frac := (float64(k) + 0.5) / float64(n)
	if n == 1 {
		frac = 0.5
	}
	if k%2 == 0 {
		lat = b.minLat + frac*(b.maxLat-b.minLat)
		lng = b.minLng + t*(b.maxLng-b.minLng)
	} else {
		lat = b.minLat + t*(b.maxLat-b.minLat)
		lng = b.minLng + frac*(b.maxLng-b.minLng)
	}
	// A couple of hundred metres either side: side streets, courtyards.
	lat += (g.geo.Float64() - 0.5) * 0.004
	lng += (g.geo.Float64() - 0.5) * 0.005
	lat = math.Max(b.minLat, math.Min(b.maxLat, lat))
	lng = math.Max(b.minLng, math.Min(b.maxLng, lng))
	return round6(lat), round6(lng)
}

func round6(x float64) float64 { return math.Round(x*1e6) / 1e6 }

// enShare is the share of shops with an English name: most in the beach
// districts, some in the city centre, few elsewhere.
func enShare(d *district, cat string) float64 {
	restaurant := cat == "restaurant"
	switch {
	case d.class == beach && restaurant:
		return 0.85
	case d.class == beach && (cat == "retail" || cat == "street_vendor"):
		return 0.6
	case d.class == beach:
		return 0.25
	case d.code == "haigang" && restaurant:
		return 0.35
	case d.code == "haigang":
		return 0.1
	case d.class == urban && restaurant:
		return 0.15
	case restaurant:
		return 0.04
	}
	return 0.01
}

// ruShare is the share of shops with a Russian name: Beidaihe is where
// Russian tourists go.
func ruShare(d *district, cat string) float64 {
	visitor := cat == "restaurant" || cat == "retail" || cat == "street_vendor"
	switch {
	case d.code == "beidaihe" && visitor:
		return 0.45
	case d.class == beach && cat == "restaurant":
		return 0.08
	case d.code == "haigang" && cat == "restaurant":
		return 0.03
	}
	return 0
}

func creditShare(cat string) float64 {
	switch cat {
	case "producer", "school_canteen", "canteen":
		return 1
	case "online":
		return 0.95
	case "restaurant":
		return 0.9
	case "retail":
		return 0.85
	case "workshop":
		return 0.6
	}
	return 0.2
}
