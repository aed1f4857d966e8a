package resolve

import (
	"math"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"shian"
	"shian/reading"
)

// Outcomes of a resolution, as the case records them.
const (
	Match      = "match"      // one shop, confidently
	Candidates = "candidates" // a short list for an officer (or the person) to choose from
	None       = "none"       // nothing close enough to show
)

// Decision thresholds. A match needs a confidence of MatchAt and a lead of
// MatchLead over the runner-up: two branches of one chain with nothing to
// tell them apart are candidates, not a guess. Below ShowAt a shop is not
// worth an officer's look.
const (
	MatchAt       = 0.85
	MatchLead     = 0.08
	ShowAt        = 0.5
	MaxCandidates = 5
	// weakCap is the most a name too short or generic to decide (老, 海鲜)
	// scores: shown only when the address or the point adds to it, never
	// a match.
	weakCap = 0.45
)

// Reasons name the fields that agreed (or disagreed, with a "!" prefix).
const (
	ReasonName     = "name"          // the name as registered (or an alias)
	ReasonCore     = "name_core"     // the name without its trade words (海鲜, 馆, 店 …)
	ReasonSound    = "name_sound"    // the same pinyin: a homophone slip (老二为)
	ReasonAbbrev   = "name_abbrev"   // an abbreviation (一中食堂, 市一院)
	ReasonSimilar  = "name_similar"  // most syllables agree
	ReasonForeign  = "name_foreign"  // the English or Russian name
	ReasonPinyin   = "name_pinyin"   // the name written in Latin pinyin
	ReasonAddress  = "address"       // the address agrees
	ReasonDistrict = "district"      // the district agrees
	ReasonNear     = "location"      // the reporter's point is near the shop
	ReasonWeak     = "weak_name"     // the name is too short or too generic to decide
	ReasonFar      = "!location"     // the point is far from the shop
	ReasonOtherDis = "!district"     // another district was named
	ReasonOtherAdr = "!address"      // the address names another place
	ReasonTie      = "tie"           // another shop scores as well
	ReasonNoName   = "no_name"       // no shop name was given
	ReasonNoSearch = "search_failed" // candidates could not be fetched
)

// Query is what a complaint says about its shop.
type Query struct {
	Name    string
	Address string
	// District is the district the complaint names or lies in (its point's
	// grid, or reading.Locate on its address), "" when unknown.
	District string
	Lat, Lng float64
	HasGeo   bool
}

// Scored is one shop with the confidence that it is the one meant, and the
// fields that agreed.
type Scored struct {
	Shop       *shian.Shop
	Confidence float64 // 0–1
	Reasons    []string
	// raw ranks shops before the cap at 1: an exact name with the
	// address beats an exact name alone.
	raw float64
}

// Result is the answer: the outcome, the shop when it is a match, and the
// candidates best first (for a match, the matched shop alone).
type Result struct {
	Outcome    string
	Shop       *shian.Shop // set for Match
	Confidence float64     // of the best candidate, 0 for None
	Reasons    []string    // of the best candidate
	Candidates []Scored
}

// Licences returns the candidates' licences, best first.
func (r Result) Licences() []string {
	out := make([]string, len(r.Candidates))
	for i, c := range r.Candidates {
		out[i] = c.Shop.Licence
	}
	return out
}

// District returns the district every candidate shares, "" when they
// differ or there are none: the case may use it before an officer confirms.
func (r Result) District() string {
	d := ""
	for i, c := range r.Candidates {
		if i == 0 {
			d = c.Shop.District
		} else if c.Shop.District != d {
			return ""
		}
	}
	return d
}

// speller is what scoring needs from package names: pinyin syllables.
type speller interface {
	Syllables(s string) []string
}

// name is a shop name prepared for comparison once.
type name struct {
	full  string   // normalized, no spaces or punctuation
	core  string   // without city/district prefixes, branch and trade words
	latin bool     // written in Latin letters (English or pinyin)
	sy    []string // pinyin syllables of core (Chinese) or its words (Latin)
	joint string   // syllables joined: "laoerwei"
	wsy   []string // syllables of the whole name (Chinese names)
	whole string   // wsy joined: "laoerweihaixian"
}

func prepare(sp speller, s string) name {
	n := name{full: strings.ReplaceAll(compact(s), "ü", "v")}
	n.latin = isLatin(n.full)
	if n.latin || isCyrillic(n.full) {
		n.core = n.full
		n.sy = words(s)
	} else {
		n.core = core(n.full)
		for _, w := range sp.Syllables(n.core) {
			if w != "" {
				n.sy = append(n.sy, w)
			}
		}
		for _, w := range sp.Syllables(n.full) {
			if w != "" {
				n.wsy = append(n.wsy, w)
			}
		}
		n.whole = strings.Join(n.wsy, "")
	}
	n.joint = strings.Join(n.sy, "")
	return n
}

// compact is reading.Normalize without spaces and punctuation, and
// without a branch in brackets ("(河北大街店)"), which the address decides.
func compact(s string) string {
	s = reading.Normalize(s)
	var b strings.Builder
	depth := 0
	for _, r := range s {
		switch r {
		case '(', '（', '[', '【':
			depth++
			continue
		case ')', '）', ']', '】':
			if depth > 0 {
				depth--
			}
			continue
		}
		if depth > 0 || !(unicode.IsLetter(r) || unicode.IsDigit(r)) {
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

func words(s string) []string {
	var out []string
	s = strings.ReplaceAll(reading.Normalize(s), "ü", "v")
	for _, w := range strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		if !stopWords[w] {
			out = append(out, w)
		}
	}
	return out
}

// stopWords are English and Russian words a name may carry or lose
// without naming another shop.
var stopWords = map[string]bool{"the": true, "of": true, "and": true, "restaurant": true, "cafe": true, "café": true,
	"shop": true, "store": true, "diner": true, "seafood": true, "bbq": true, "canteen": true, "hotel": true,
	"ресторан": true, "кафе": true, "магазин": true, "и": true, "морепродукты": true, "столовая": true}

// prefixes are dropped from the front of a Chinese name: the city and
// districts that registrations prepend and people leave out.
var prefixes = []string{"秦皇岛市", "秦皇岛", "海港区", "山海关区", "北戴河新区", "北戴河区", "抚宁区", "青龙满族自治县",
	"昌黎县", "卢龙县", "经济技术开发区", "开发区"}

// tradeWords are dropped from the end of a Chinese name, repeatedly: the
// generic words people add or leave out (海鲜 / 大排档 / 餐厅 / 馆 / 店).
var tradeWords = []string{"海鲜大排档", "大排档", "海鲜", "餐厅", "饭店", "酒家", "酒楼", "饭庄", "餐馆", "饭馆", "菜馆",
	"分店", "总店", "馆", "店", "铺", "坊"}

func core(full string) string {
	for _, p := range prefixes {
		if rest, ok := strings.CutPrefix(full, p); ok && rest != "" {
			full = rest
			break
		}
	}
	for changed := true; changed; {
		changed = false
		for _, w := range tradeWords {
			if rest, ok := strings.CutSuffix(full, w); ok {
				full, changed = rest, true
				break
			}
		}
	}
	return full
}

func isLatin(s string) bool {
	letters := 0
	for _, r := range s {
		if r > unicode.MaxLatin1+0x100 {
			return false
		}
		if unicode.IsLetter(r) {
			letters++
		}
	}
	return letters > 0
}

func isCyrillic(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Cyrillic, r) {
			return true
		}
	}
	return false
}

// nameScore compares the typed name with one of a shop's names (Chinese
// name, alias, English or Russian name). zh says the shop's name is a
// Chinese one, whose pinyin a Latin query may spell.
func nameScore(q, c name, zh bool) (float64, string) {
	switch {
	case q.full == "" || c.full == "":
		return 0, ""
	case q.full == c.full && zh:
		return 1, ReasonName
	case q.full == c.full:
		return 0.97, ReasonForeign
	case q.latin && zh:
		// Latin pinyin of a Chinese name: "laoerwei", "Lao Er Wei Haixian".
		if q.joint != "" && (q.joint == c.joint || q.joint == c.whole) {
			return 0.92, ReasonPinyin
		}
		if s := seqSimilarity(q.sy, c.sy); s >= 0.75 {
			return 0.85 * s, ReasonPinyin
		}
		return 0, ""
	case !zh:
		// English or Russian names: words in common, with a query in
		// Latin or Cyrillic letters (a Chinese one has the Chinese name).
		if !q.latin && !isCyrillic(q.full) || len(q.sy) == 0 || len(c.sy) == 0 {
			return 0, ""
		}
		if slices.Equal(q.sy, c.sy) {
			return 0.94, ReasonForeign
		}
		if s := overlap(q.sy, c.sy); s >= 0.5 {
			return 0.55 + 0.35*s, ReasonForeign
		}
		return 0, ""
	}
	if q.latin || isCyrillic(q.full) {
		return 0, ""
	}
	qn, cn := utf8.RuneCountInString(q.core), utf8.RuneCountInString(c.core)
	switch {
	case qn > 0 && q.core == c.core:
		return 0.93, ReasonCore
	case qn > 0 && slices.Equal(q.sy, c.sy), qn > 0 && slices.Equal(q.wsy, c.wsy):
		return 0.9, ReasonSound
	}
	if subsequence(q.full, c.full) && utf8.RuneCountInString(q.full) >= 3 {
		// 一中食堂 in 第一中学食堂: the typed characters in order. The more
		// of the name they cover, the surer.
		cover := float64(utf8.RuneCountInString(q.full)) / float64(utf8.RuneCountInString(c.full))
		return 0.7 + 0.2*cover, ReasonAbbrev
	}
	if qn >= 2 && cn >= 2 {
		s := max(seqSimilarity(q.sy, c.sy), seqSimilarity(q.wsy, c.wsy))
		if s >= 0.6 {
			return 0.88 * s, ReasonSimilar
		}
	}
	return 0, ""
}

// subsequence reports whether the runes of q appear in c in order.
func subsequence(q, c string) bool {
	for _, r := range q {
		i := strings.IndexRune(c, r)
		if i < 0 {
			return false
		}
		c = c[i+utf8.RuneLen(r):]
	}
	return true
}

// seqSimilarity is 1 − edit distance / longer length, over syllables or words.
func seqSimilarity(a, b []string) float64 {
	if len(a) == 0 || len(b) == 0 {
		return 0
	}
	return 1 - float64(shian.EditDistance(a, b))/float64(max(len(a), len(b)))
}

// overlap is the share of the shorter list's words found in the other.
func overlap(a, b []string) float64 {
	if len(a) > len(b) {
		a, b = b, a
	}
	n := 0
	for _, w := range a {
		if slices.Contains(b, w) {
			n++
		}
	}
	return float64(n) / float64(len(a))
}

// bigrams returns the character pairs of s (an address), for the Dice
// coefficient.
func bigrams(s string) map[string]bool {
	rs := []rune(s)
	m := make(map[string]bool, len(rs))
	for i := 0; i+1 < len(rs); i++ {
		m[string(rs[i:i+2])] = true
	}
	return m
}

func dice(a, b map[string]bool) float64 {
	if len(a) == 0 || len(b) == 0 {
		return 0
	}
	n := 0
	for k := range a {
		if b[k] {
			n++
		}
	}
	return 2 * float64(n) / float64(len(a)+len(b))
}

// prepared is a query ready to score many shops.
type prepared struct {
	q        Query
	name     name
	weak     bool // too short or too generic to decide alone
	addr     map[string]bool
	addrLen  int
	street   string // the address before its house number (保二路)
	number   string // the house number (125), "" when none
	district string
}

// houseNumber splits a compacted address at its house number: "保二路125号"
// is street 保二路, number 125.
func houseNumber(a string) (street, number string) {
	end := strings.LastIndex(a, "号")
	if end <= 0 {
		return a, ""
	}
	start := end
	for start > 0 && a[start-1] >= '0' && a[start-1] <= '9' {
		start--
	}
	if start == end {
		return a, ""
	}
	return a[:start], a[start:end]
}

func (r *Resolver) prepare(q Query) prepared {
	p := prepared{q: q, name: prepare(r.names, q.Name), district: q.District}
	a := compact(q.Address)
	for _, pre := range prefixes {
		a = strings.Replace(a, pre, "", 1)
	}
	p.addr, p.addrLen = bigrams(a), utf8.RuneCountInString(a)
	p.street, p.number = houseNumber(a)
	if p.district == "" {
		// The address only: a name that names a place (黄金海岸兰州拉面)
		// is often far from it.
		// A name that starts with a district's name (北戴河一中食堂) says it.
		if pl, ok := reading.Locate(q.Address); ok {
			p.district = pl.District
		} else if pl, ok := reading.Locate(q.Name); ok && pl.Kind == "district" && strings.HasPrefix(p.name.full, pl.Words[0]) {
			p.district = pl.District
		}
	}
	n := utf8.RuneCountInString(p.name.core)
	switch {
	case p.name.latin || isCyrillic(p.name.full):
		p.weak = len(p.name.sy) == 0 || len(p.name.joint) < 3
	default:
		p.weak = n < 2
	}
	return p
}

// score is the confidence that shop s is the one p describes, with the
// reasons. It is pure: table tests pin it.
func (r *Resolver) score(p prepared, s *shian.Shop) Scored {
	best, why := 0.0, ""
	try := func(n string, zh bool) {
		if n == "" {
			return
		}
		v, w := nameScore(p.name, r.shopName(n), zh)
		if v > best {
			best, why = v, w
		}
	}
	try(s.Name, true)
	for _, a := range s.Aliases {
		try(a, true)
	}
	try(s.NameEN, false)
	try(s.NameRU, false)
	out := Scored{Shop: s}
	if why != "" {
		out.Reasons = append(out.Reasons, why)
	}
	if p.weak && best > weakCap {
		best = weakCap
		out.Reasons = append(out.Reasons, ReasonWeak)
	}
	conf := best
	if p.district != "" {
		if p.district == s.District {
			conf += 0.05
			out.Reasons = append(out.Reasons, ReasonDistrict)
		} else {
			conf -= 0.25
			out.Reasons = append(out.Reasons, ReasonOtherDis)
		}
	}
	if p.addrLen >= 3 {
		a := compact(s.Address)
		for _, pre := range prefixes {
			a = strings.Replace(a, pre, "", 1)
		}
		street, number := houseNumber(a)
		switch d := dice(p.addr, bigrams(a)); {
		case p.number != "" && number == p.number && p.street != "" && strings.HasSuffix(street, p.street):
			conf += 0.16 // the same street and house number
			out.Reasons = append(out.Reasons, ReasonAddress)
		case d >= 0.6:
			conf += 0.1
			out.Reasons = append(out.Reasons, ReasonAddress)
		case d >= 0.3:
			conf += 0.05
			out.Reasons = append(out.Reasons, ReasonAddress)
		case p.addrLen >= 4 && d < 0.15:
			conf -= 0.1
			out.Reasons = append(out.Reasons, ReasonOtherAdr)
		}
	}
	if p.q.HasGeo && s.HasGeo {
		switch d := shian.DistanceM(p.q.Lat, p.q.Lng, s.Lat, s.Lng); {
		case d <= 150:
			conf += 0.12
			out.Reasons = append(out.Reasons, ReasonNear)
		case d <= 800:
			conf += 0.03
			out.Reasons = append(out.Reasons, ReasonNear)
		case d > 5000:
			conf -= 0.15
			out.Reasons = append(out.Reasons, ReasonFar)
		}
	}
	if best == 0 {
		conf = 0 // the place alone does not name a shop
	}
	out.raw = max(conf, 0)
	out.Confidence = math.Round(min(out.raw, 1)*1000) / 1000
	return out
}

// decide turns scored shops into the outcome: a match only with a clear
// lead, candidates worth showing (at most MaxCandidates), or none.
func decide(scored []Scored) Result {
	slices.SortStableFunc(scored, func(a, b Scored) int {
		switch {
		case a.raw > b.raw:
			return -1
		case a.raw < b.raw:
			return 1
		}
		return strings.Compare(a.Shop.Licence, b.Shop.Licence)
	})
	var shown []Scored
	for _, s := range scored {
		if s.raw >= ShowAt && len(shown) < MaxCandidates {
			shown = append(shown, s)
		}
	}
	if len(shown) == 0 {
		return Result{Outcome: None}
	}
	top := shown[0]
	res := Result{Confidence: top.Confidence, Reasons: top.Reasons}
	if top.raw >= MatchAt && (len(scored) == 1 || top.raw-scored[1].raw >= MatchLead) {
		res.Outcome, res.Shop, res.Candidates = Match, top.Shop, shown[:1]
		return res
	}
	if len(scored) > 1 && top.raw-scored[1].raw < MatchLead {
		res.Reasons = append(slices.Clone(res.Reasons), ReasonTie)
	}
	res.Outcome, res.Candidates = Candidates, shown
	return res
}
