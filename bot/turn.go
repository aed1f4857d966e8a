package bot

import (
	"context"
	"sort"
	"strings"
	"time"
	"unicode"

	"shian"
)

// turn is one message being answered.
type turn struct {
	e   *Engine
	ctx context.Context
	in  Input
	st  *State
	now time.Time
	out []Reply
}

func (t *turn) lang() string {
	if t.st.Lang == "" {
		return "zh"
	}
	return t.st.Lang
}

func (t *turn) say(key string, args ...any) {
	t.out = append(t.out, Reply{Text: tr(t.lang(), key, args...)})
}

func (t *turn) sayText(s string) { t.out = append(t.out, Reply{Text: s}) }

// fail tells the user the service could not answer and logs why.
func (t *turn) fail(op string, err error) {
	t.e.log.Warn("bot: "+op, "err", err, "channel", t.in.Channel)
	t.say("busy")
}

func (t *turn) run() {
	in := t.in
	if t.st.Lang == "" && (in.Lang == "zh" || in.Lang == "en" || in.Lang == "ru") {
		t.st.Lang = in.Lang
	}
	var u Understanding
	if in.Text != "" {
		u = Understand(in.Text)
		if !t.st.LangFixed && u.Lang != "" && (u.Strong || t.st.Lang == "") {
			t.st.Lang = u.Lang
		}
	}
	if t.st.Lang == "" {
		t.st.Lang = "zh"
	}
	if in.Shop != "" && t.withShop(in.Shop) && in.Text == "" && in.Event == "" && in.Location == nil && in.Photo == nil {
		return
	}
	switch {
	case in.Event != "":
		t.event()
		return
	case in.Location != nil:
		t.location(*in.Location)
		return
	case in.Photo != nil:
		if t.st.Draft != nil {
			t.photo(in.Photo)
		} else {
			t.say("welcome")
		}
		return
	}
	switch u.Intent {
	case intentLang:
		t.st.Lang, t.st.LangFixed = u.SwitchTo, true
		t.say("lang.set")
		if t.st.Draft != nil {
			t.prompt()
		}
		return
	case intentCancel:
		busy := t.st.Step != stepIdle || t.st.Draft != nil
		// Cancel drops the context too: "这家" means nothing after it.
		*t.st = State{Lang: t.st.Lang, LangFixed: t.st.LangFixed}
		if busy {
			t.say("cancelled")
		} else {
			t.say("welcome")
		}
		return
	}
	if t.st.Draft != nil {
		t.complaintStep(u)
		return
	}
	switch t.st.Step {
	case stepPickShop:
		if n, ok := parseChoice(in.Text); ok {
			t.pickShop(n)
			return
		}
	case stepTrackPick:
		if n, ok := parseChoice(in.Text); ok && n >= 1 && n <= len(t.st.Picks) {
			t.st.Ticket, t.st.Step = t.st.Picks[n-1], stepTrackProof
			t.st.Picks = nil
			t.say("track.proof")
			return
		}
	case stepRateTicket:
		if tk, ok := shian.ParseTicket(in.Text); ok {
			t.st.Ticket, t.st.Step = tk, stepRateProof
			t.say("track.proof")
			return
		}
		if n, ok := parseChoice(in.Text); ok && n >= 1 && n <= len(t.st.Picks) {
			t.st.Ticket, t.st.Step = t.st.Picks[n-1], stepRateProof
			t.st.Picks = nil
			t.say("track.proof")
			return
		}
	case stepRateProof:
		if looksLikeProof(in.Text) {
			t.rateProof(in.Text)
			return
		}
	case stepRateStars:
		if n, ok := parseChoice(in.Text); ok || stars(norm(in.Text)) > 0 {
			if !ok {
				n = stars(norm(in.Text))
			}
			t.rateStars(n, in.Text)
			return
		}
	case stepTrackTicket:
		if tk, ok := shian.ParseTicket(in.Text); ok {
			t.st.Ticket, t.st.Step = tk, stepTrackProof
			t.say("track.proof")
			return
		}
	case stepTrackProof:
		if looksLikeProof(in.Text) {
			t.trackProof(in.Text)
			return
		}
	}
	t.idle(u)
}

// reset forgets the current task but keeps the language and the context.
func (t *turn) reset() {
	*t.st = State{Lang: t.st.Lang, LangFixed: t.st.LangFixed, Filed: t.st.Filed, Ctx: t.st.Ctx}
}

func (t *turn) idle(u Understanding) {
	t.reset()
	if t.st.Filed != "" && isYes(t.in.Text) {
		// The confirmation arrived again after the complaint was filed.
		t.sayText(t.st.Filed)
		return
	}
	t.st.Filed = ""
	if (u.Intent == intentLookup || u.Intent == intentHelp) && (u.Ref || u.Ordinal > 0) {
		if shop := t.contextShop(u); shop != nil {
			t.showShop(shop, shop.Grade)
			return
		}
	}
	switch u.Intent {
	case intentHelp, intentNone:
		t.say("welcome")
	case intentAbout:
		t.about(u)
	case intentRecommend:
		t.recommend(u, true)
	case intentRate:
		t.startRate(u)
	case intentTrack:
		if u.Mine {
			t.mine(true)
			return
		}
		if u.Ticket == "" {
			t.st.Step = stepTrackTicket
			t.say("track.ask")
			return
		}
		t.st.Ticket, t.st.Step = u.Ticket, stepTrackProof
		t.say("track.proof")
	case intentComplaint:
		t.startComplaint(u)
	case intentNear:
		t.st.Step, t.st.NearAnnual, t.st.NearCategory = stepNearLocation, u.Annual, u.Category
		t.out = append(t.out, Reply{Text: tr(t.lang(), "near.ask"), AskLocation: true})
	case intentSticker:
		shop, ok := t.stickerShop(u.Token)
		if !ok {
			return
		}
		t.showShop(shop, shop.Grade)
	case intentLicence:
		shop, err := t.e.shops.ShopByLicence(t.ctx, u.Licence)
		if shian.ErrorCode(err) == shian.ENOTFOUND {
			t.say("lookup.none", u.Licence)
			return
		} else if err != nil {
			t.fail("shop by licence", err)
			return
		}
		t.showShop(shop, shop.Grade)
	case intentLookup:
		t.lookup(u.Query)
	}
}

func (t *turn) event() {
	switch t.in.Event {
	case EventScan, EventSubscribe:
		// A parametric QR code may carry a licence (qrscene_JY…).
		key := strings.TrimPrefix(t.in.EventKey, "qrscene_")
		if key != "" && shian.ValidLicence(strings.ToUpper(key)) {
			if shop, err := t.e.shops.ShopByLicence(t.ctx, strings.ToUpper(key)); err == nil {
				if t.in.Event == EventSubscribe {
					t.say("welcome")
				}
				t.showShop(shop, shop.Grade)
				return
			}
		}
		t.say("welcome")
	}
}

// stickerShop resolves a pasted sticker link; ok is false when it told the
// user why not.
func (t *turn) stickerShop(token string) (*shian.Shop, bool) {
	if t.e.stickers == nil {
		t.say("sticker.bad")
		return nil, false
	}
	id, _, err := t.e.stickers.Verify(token)
	if err != nil {
		t.say("sticker.bad")
		return nil, false
	}
	shop, err := t.e.shops.ShopByID(t.ctx, id)
	if err != nil {
		if shian.ErrorCode(err) == shian.ENOTFOUND {
			t.say("sticker.bad")
		} else {
			t.fail("shop by id", err)
		}
		return nil, false
	}
	return shop, true
}

// search runs one query, reporting failures to the user.
func (t *turn) search(q shian.ShopQuery) ([]shian.ShopHit, bool) {
	res, _, err := t.e.search.Search(t.ctx, q)
	if err != nil {
		t.fail("search", err)
		return nil, false
	}
	return res.Hits, true
}

// findShops looks a shop up by name; fuzzy says the hits are guesses for a
// name that matched nothing.
func (t *turn) findShops(query string) (hits []shian.ShopHit, fuzzy, ok bool) {
	hits, ok = t.search(shian.ShopQuery{Text: query, Sort: "relevance", Limit: 5})
	if !ok || len(hits) > 0 {
		return hits, false, ok
	}
	return t.fuzzy(query), true, true
}

// fuzzy finds shops whose name is close to a query that matched nothing
// (a typo): it searches pieces of the query and ranks what they find by
// edit distance to the whole.
func (t *turn) fuzzy(query string) []shian.ShopHit {
	type scored struct {
		hit   shian.ShopHit
		score float64
	}
	seen := map[string]bool{}
	var cands []scored
	for _, sub := range subQueries(query) {
		res, _, err := t.e.search.Search(t.ctx, shian.ShopQuery{Text: sub, Sort: "relevance", Limit: 20})
		if err != nil {
			continue
		}
		for _, h := range res.Hits {
			if seen[h.Shop.Licence] {
				continue
			}
			seen[h.Shop.Licence] = true
			if s := similarity(query, h.Shop); s >= 0.6 {
				cands = append(cands, scored{h, s})
			}
		}
	}
	sort.SliceStable(cands, func(i, j int) bool { return cands[i].score > cands[j].score })
	if len(cands) > 1 && cands[0].score >= 0.75 && cands[0].score-cands[1].score >= 0.15 {
		return []shian.ShopHit{cands[0].hit} // one clear winner
	}
	var out []shian.ShopHit
	for i := 0; i < len(cands) && i < 3; i++ {
		out = append(out, cands[i].hit)
	}
	return out
}

// subQueries splits a query into pieces that survive one typo: pairs of
// Chinese characters and the first three letters of each word.
func subQueries(q string) []string {
	var out []string
	seen := map[string]bool{}
	add := func(s string) {
		if !seen[s] && len(out) < 8 {
			seen[s] = true
			out = append(out, s)
		}
	}
	rs := []rune(strings.ToLower(q))
	for i := 0; i+1 < len(rs); i++ {
		if unicode.Is(unicode.Han, rs[i]) && unicode.Is(unicode.Han, rs[i+1]) {
			add(string(rs[i : i+2]))
		}
	}
	for _, w := range strings.Fields(strings.ToLower(q)) {
		wr := []rune(w)
		if len(wr) >= 3 && !unicode.Is(unicode.Han, wr[0]) {
			add(string(wr[:3]))
		}
	}
	return out
}

// similarity is 1 − edit distance / length between the query and the
// closest of the shop's names.
func similarity(q string, s *shian.Shop) float64 {
	q = strings.ToLower(q)
	best := 0.0
	for _, name := range append([]string{s.Name, s.NameEN, s.NameRU}, s.Aliases...) {
		if name == "" {
			continue
		}
		a, b := []rune(q), []rune(strings.ToLower(name))
		d := shian.EditDistance(a, b)
		sim := 1 - float64(d)/float64(max(len(a), len(b)))
		best = max(best, sim)
	}
	return best
}

func (t *turn) lookup(query string) {
	hits, fuzzy, ok := t.findShops(query)
	hits = rank(query, hits)
	switch {
	case !ok:
	case len(hits) == 0:
		t.say("lookup.none", query)
	case len(hits) == 1:
		if fuzzy {
			t.say("lookup.fuzzy", query)
		}
		t.showHit(hits[0])
	default:
		key := "lookup.many"
		if fuzzy {
			key = "lookup.maybe"
		}
		t.offer(key, hits, stepPickShop, query)
	}
}

// offer shows shops as numbered cards and waits for a number.
func (t *turn) offer(key string, hits []shian.ShopHit, step, query string) {
	t.list(key, hits)
	t.st.Step, t.st.Query = step, query
}

// list shows shops as numbered cards and remembers them as the context's
// list, so "the second one" can point at one later.
func (t *turn) list(key string, hits []shian.ShopHit) {
	r := Reply{Text: tr(t.lang(), key)}
	t.st.Picks = nil
	for i, h := range hits {
		c := t.card(h.Shop, h.Grade, h.DistanceM)
		c.N = i + 1
		c.Actions = append([]Action{{Label: tr(t.lang(), "card.pick"), Text: itoa(c.N)}}, c.Actions...)
		r.Cards = append(r.Cards, c)
		t.st.Picks = append(t.st.Picks, h.Shop.Licence)
	}
	t.out = append(t.out, r)
	t.st.Ctx.Picks = append([]string(nil), t.st.Picks...)
}

func (t *turn) pickShop(n int) {
	if n < 1 || n > len(t.st.Picks) {
		t.say("lookup.notnum")
		return
	}
	shop, err := t.e.shops.ShopByLicence(t.ctx, t.st.Picks[n-1])
	if err != nil {
		t.fail("shop by licence", err)
		return
	}
	t.reset()
	t.showShop(shop, shop.Grade)
}

func (t *turn) showHit(h shian.ShopHit) {
	t.out = append(t.out, Reply{Cards: []Card{t.card(h.Shop, h.Grade, h.DistanceM)}})
	t.say("lookup.more")
	t.st.Picks, t.st.Query = []string{h.Shop.Licence}, ""
	t.focus(h.Shop)
}

// focus makes a shop the one the conversation is about.
func (t *turn) focus(s *shian.Shop) {
	if t.st.Ctx.Shop != s.Licence {
		t.st.Ctx.Shop, t.st.Ctx.ShopName, t.st.Ctx.Page = s.Licence, s.Name, false
	}
}

func (t *turn) showShop(s *shian.Shop, g shian.Grade) {
	t.showHit(shian.ShopHit{Shop: s, Grade: g})
}

var gradeLabels = map[string]shian.Text{
	shian.ResultExcellent: {"优秀", "Excellent", "Отлично"},
	shian.ResultGood:      {"良好", "Good", "Хорошо"},
	shian.ResultFair:      {"一般", "Fair", "Удовлетворительно"},
	shian.ResultFail:      {"不合格（须整改）", "Failed (must rectify)", "Не соответствует"},
	shian.NotGraded:       {"待评级", "Not graded yet", "Ещё не оценено"},
	shian.StatusSuspended: {"已责令停业整顿", "SUSPENDED", "ДЕЯТЕЛЬНОСТЬ ПРИОСТАНОВЛЕНА"},
	shian.StatusClosed:    {"已歇业", "CLOSED", "ЗАКРЫТО"},
}

// card shows a shop: status above any grade, every grade with its date.
func (t *turn) card(s *shian.Shop, g shian.Grade, dist *float64) Card {
	lang := t.lang()
	name := s.Name
	switch {
	case lang == "en" && s.NameEN != "":
		name = s.Name + " " + s.NameEN
	case lang == "ru" && s.NameRU != "":
		name = s.Name + " " + s.NameRU
	}
	d, _ := shian.LookupCode(shian.Districts, s.District)
	c := Card{Licence: s.Licence, Name: name, District: d.Names.In(lang), Address: s.Address, Grade: g.Dynamic,
		GradeDate: g.DynamicDate, Status: s.Status, DistanceM: dist, URL: t.e.publicURL + "/shops/" + s.Licence + "?lang=" + lang}
	c.Actions = []Action{{Label: tr(lang, "card.complain"), Text: tr(lang, "card.complain.text", s.Licence)},
		{Label: tr(lang, "card.details"), URL: c.URL}}
	if s.Status != shian.StatusOpen && s.Status != "" {
		c.GradeLabel = gradeLabels[s.Status].In(lang)
		c.GradeDate = ""
	} else {
		c.GradeLabel = gradeLabels[g.Dynamic].In(lang)
		c.Face = shian.Face(g.Dynamic)
		if g.Annual != "" {
			c.Annual = map[string]string{"zh": "年度", "en": "annual ", "ru": "год "}[lang] + g.Annual
			if g.AnnualYear != 0 {
				c.Annual += map[string]string{"zh": "（", "en": " (", "ru": " ("}[lang] + itoa(g.AnnualYear) +
					map[string]string{"zh": "）", "en": ")", "ru": ")"}[lang]
			}
		}
	}
	return c
}

func itoa(n int) string {
	var b [20]byte
	i := len(b)
	neg := n < 0
	if neg {
		n = -n
	}
	for {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
		if n == 0 {
			break
		}
	}
	if neg {
		i--
		b[i] = '-'
	}
	return string(b[i:])
}

// location answers a shared location: shops near it, or the place of a
// complaint being filled.
func (t *turn) location(l Location) {
	if t.st.Draft != nil {
		if shian.InCity(l.Lat, l.Lng) {
			t.st.Draft.Lat, t.st.Draft.Lng, t.st.Draft.HasGeo = l.Lat, l.Lng, true
		}
		t.prompt()
		return
	}
	annual, cat := t.st.NearAnnual, t.st.NearCategory
	t.reset()
	if !shian.InCity(l.Lat, l.Lng) {
		t.say("near.outside")
		return
	}
	q := shian.ShopQuery{Lat: l.Lat, Lng: l.Lng, RadiusM: 2000, HasGeo: true, OpenOnly: true, Sort: "grade", Limit: 5,
		Grades: []string{shian.ResultExcellent, shian.ResultGood, shian.ResultFair}}
	if annual != "" {
		q.Grades = []string{annual}
	}
	if cat != "" && cat != "restaurant" {
		q.Categories = []string{cat}
	} else {
		q.Categories = foodServing
	}
	hits, ok := t.search(q)
	if !ok {
		return
	}
	if len(hits) == 0 {
		t.say("near.none")
		return
	}
	t.offer("near.found", hits, stepPickShop, "")
}

func looksLikeProof(s string) bool {
	s = strings.TrimSpace(norm(s))
	if len(s) == 4 && digits(s) == 4 {
		return true
	}
	_, ok := shian.ParseReceipt(s)
	return ok
}

func (t *turn) trackProof(text string) {
	tr, ok := t.trackWith(proofOf(text))
	if !ok {
		return
	}
	t.reset()
	lang := t.lang()
	status := shian.ComplaintStatusNames[tr.Status].In(lang)
	shop := tr.ShopName
	if shop == "" {
		shop = "—"
	}
	msg := tr2(lang, "track.status", tr.Ticket, status, shop, tr.FiledAt.In(shian.CST).Format("2006-01-02 15:04"))
	due := tr.AcceptDue
	if tr.Kind == shian.KindReport {
		due = tr.VerifyDue
	}
	if !tr.MediationDue.IsZero() {
		due = tr.MediationDue
	}
	if !due.IsZero() && !done(tr.Status) {
		msg += "\n" + tr2(lang, "track.due", due.In(shian.CST).Format(shian.DateLayout))
	}
	t.sayText(msg)
}

func tr2(lang, key string, args ...any) string { return tr(lang, key, args...) }

func done(status string) bool {
	switch status {
	case shian.ComplaintClosed, shian.ComplaintResolved, shian.ComplaintRejected, shian.ComplaintNotOpened,
		shian.ComplaintMediationFailed, shian.ComplaintCaseOpened:
		return true
	}
	return false
}
