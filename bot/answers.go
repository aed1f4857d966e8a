package bot

import (
	"encoding/json"
	"slices"
	"sort"
	"strings"
	"time"

	"shian"
)

// withShop puts the shop of a licence in context (a chat opened from its
// page) and shows it; false when the licence is unknown.
func (t *turn) withShop(licence string) bool {
	licence = strings.ToUpper(strings.TrimSpace(licence))
	if !shian.ValidLicence(licence) {
		return false
	}
	shop, err := t.e.shops.ShopByLicence(t.ctx, licence)
	if err != nil {
		if shian.ErrorCode(err) != shian.ENOTFOUND {
			t.e.log.Warn("bot: shop of the page", "err", err)
		}
		return false
	}
	t.st.Ctx.Shop, t.st.Ctx.ShopName, t.st.Ctx.Page = shop.Licence, shop.Name, true
	if t.in.Text == "" && t.in.Event == "" && t.in.Location == nil && t.in.Photo == nil {
		t.out = append(t.out, Reply{Cards: []Card{t.card(shop, shop.Grade, nil)}})
		t.say("ctx.start")
	}
	return true
}

// contextShop is the shop a pointer refers to: the nth of the last list
// for "the second one", else the shop in context. Nil when there is none
// (the user is not told: the caller decides what to ask).
func (t *turn) contextShop(u Understanding) *shian.Shop {
	licence := ""
	switch {
	case u.Ordinal > 0 && u.Ordinal <= len(t.st.Ctx.Picks):
		licence = t.st.Ctx.Picks[u.Ordinal-1]
	case t.st.Ctx.Shop != "":
		licence = t.st.Ctx.Shop
	default:
		return nil
	}
	shop, err := t.e.shops.ShopByLicence(t.ctx, licence)
	if err != nil {
		t.e.log.Warn("bot: shop in context", "err", err)
		return nil
	}
	return shop
}

// about answers a question about a shop: the one named, else the one in
// context (or of the complaint being filled).
func (t *turn) about(u Understanding) {
	var shop *shian.Shop
	if q := aboutQuery(norm(t.in.Text)); q != "" && !u.Ref && u.Ordinal == 0 {
		hits, _, ok := t.findShops(q)
		if !ok {
			return
		}
		hits = rank(q, hits)
		if len(hits) == 1 || len(hits) > 1 && nameMatch(q, hits[0].Shop) == 2 {
			shop = hits[0].Shop
		} else if len(hits) > 1 {
			t.offer("lookup.many", hits, stepPickShop, q)
			return
		}
	}
	if shop == nil {
		if d := t.st.Draft; d != nil && d.Licence != "" && !u.Ref && u.Ordinal == 0 {
			shop, _ = t.e.shops.ShopByLicence(t.ctx, d.Licence)
		}
	}
	if shop == nil {
		shop = t.contextShop(u)
	}
	if shop == nil {
		t.say("about.which")
		return
	}
	t.focus(shop)
	lang := t.lang()
	switch u.Aspect {
	case aspectInspection:
		if len(shop.Inspections) == 0 {
			t.say("about.noinspection", shop.Name)
			return
		}
		in := shop.Inspections[0]
		msg := tr(lang, "about.inspection", shop.Name, in.Date.In(shian.CST).Format(shian.DateLayout), gradeLabels[in.Result].In(lang), len(shop.Inspections))
		if len(in.ItemsFailed) > 0 {
			msg += "\n" + tr(lang, "about.failed", strings.Join(in.ItemsFailed, "；"))
		}
		t.sayText(msg)
	case aspectComplaints:
		t.say("about.complaints", shop.Name, t.e.publicURL+"/shops/"+shop.Licence+"?lang="+lang)
	case aspectAddress:
		t.say("about.address", shop.Name, shop.Address)
	default:
		t.out = append(t.out, Reply{Cards: []Card{t.card(shop, shop.Grade, nil)}})
	}
}

// recommend shows the best-graded places that serve food, of a kind, in
// a district: ranked by grade, then distance, at most 3. Search ranks by
// relevance; the order here is the bot's, so a school canteen whose name
// says 海鲜 never comes first (it is not offered at all). pick says the
// user may answer with a number (false in the middle of a complaint).
func (t *turn) recommend(u Understanding, pick bool) {
	q := shian.ShopQuery{Text: u.Food, Categories: foodServing, OpenOnly: true, Sort: "grade", Limit: 50}
	if u.District != "" {
		q.Districts = []string{u.District}
	}
	hits, ok := t.search(q)
	if !ok {
		return
	}
	var good []shian.ShopHit
	for _, h := range hits {
		if slices.Contains(foodServing, h.Shop.Category) && h.Grade.Dynamic != shian.ResultFail &&
			(h.Shop.Status == "" || h.Shop.Status == shian.StatusOpen) {
			good = append(good, h)
		}
	}
	sort.SliceStable(good, func(i, j int) bool {
		a, b := gradeRank(good[i].Grade), gradeRank(good[j].Grade)
		if a != b {
			return a > b
		}
		if good[i].DistanceM != nil && good[j].DistanceM != nil {
			return *good[i].DistanceM < *good[j].DistanceM
		}
		return false
	})
	if len(good) > 3 {
		good = good[:3]
	}
	if len(good) == 0 {
		t.say("rec.none")
		return
	}
	if pick {
		t.offer("rec.found", good, stepPickShop, "")
		return
	}
	picks := t.st.Picks
	t.list("rec.found", good)
	t.st.Picks = picks
}

// rank puts the shop the user most likely meant first and keeps at most
// three: an exact name (in any language) alone answers; names the query
// holds or is held by come before the rest.
func rank(query string, hits []shian.ShopHit) []shian.ShopHit {
	if len(hits) < 2 {
		return hits
	}
	score := make(map[string]float64, len(hits))
	for _, h := range hits {
		score[h.Shop.Licence] = float64(nameMatch(query, h.Shop)) + similarity(query, h.Shop)
	}
	out := slices.Clone(hits)
	sort.SliceStable(out, func(i, j int) bool { return score[out[i].Shop.Licence] > score[out[j].Shop.Licence] })
	exact := 0
	for _, h := range out {
		if nameMatch(query, h.Shop) == 2 {
			exact++
		}
	}
	if exact == 1 {
		return out[:1]
	}
	// A near-exact name (one slip) far ahead of the next answers too.
	if a, b := similarity(query, out[0].Shop), similarity(query, out[1].Shop); exact == 0 && a >= 0.85 && a-b >= 0.2 {
		return out[:1]
	}
	if len(out) > 3 {
		out = out[:3]
	}
	return out
}

// mineKeep is how long a user's tickets are remembered for "my
// complaint" (a complaint's handling takes weeks).
const mineKeep = 180 * 24 * time.Hour

func (t *turn) mineKey() string {
	return "mine:" + t.in.Channel + ":" + userHash(t.in.Channel, t.in.User)
}

// tickets returns the user's recent tickets, newest first: those filed on
// this channel account (a WeChat OpenID, a web session) and the one in
// context.
func (t *turn) tickets() []string {
	var out []string
	if data, err := t.e.store.LoadBotState(t.ctx, t.mineKey()); err == nil {
		_ = json.Unmarshal(data, &out)
	}
	if tk := t.st.Ctx.Ticket; tk != "" && !slices.Contains(out, tk) {
		out = append([]string{tk}, out...)
	}
	if len(out) > 5 {
		out = out[:5]
	}
	return out
}

// remember keeps a ticket filed in this conversation for "my complaint".
func (t *turn) remember(ticket string) {
	t.st.Ctx.Ticket = ticket
	list := t.tickets()
	list = append([]string{ticket}, slices.DeleteFunc(list, func(s string) bool { return s == ticket })...)
	if len(list) > 5 {
		list = list[:5]
	}
	data, _ := json.Marshal(list)
	if err := t.e.store.SaveBotState(t.ctx, t.mineKey(), data, mineKeep); err != nil {
		t.e.log.Warn("bot: tickets not remembered", "err", err)
	}
}

// mine answers "my complaint" without a number: the user's recent
// tickets, each to be proven by the last 4 phone digits. It never starts
// a complaint. ask says the user may go on to prove one (false in the
// middle of a complaint, whose form is kept).
func (t *turn) mine(ask bool) {
	list := t.tickets()
	switch {
	case len(list) == 0:
		if !ask {
			t.say("track.later")
			return
		}
		t.st.Step = stepTrackTicket
		t.say("track.ask")
	case !ask:
		t.say("track.later.list", strings.Join(list, "、"))
	case len(list) == 1:
		t.st.Ticket, t.st.Step = list[0], stepTrackProof
		t.say("track.mine.one", list[0])
	default:
		t.choices("track.mine.many", list)
		t.st.Step = stepTrackPick
	}
}

// choices offers tickets as numbered choices.
func (t *turn) choices(key string, list []string) {
	r := Reply{Text: tr(t.lang(), key)}
	for i, tk := range list {
		r.Choices = append(r.Choices, Choice{N: i + 1, Label: tk})
	}
	t.out = append(t.out, r)
	t.st.Picks = list
}

// startRate begins rating a closed case: which ticket, the proof, the stars.
func (t *turn) startRate(u Understanding) {
	t.st.Stars = u.Stars
	if u.Ticket != "" {
		t.st.Ticket, t.st.Step = u.Ticket, stepRateProof
		t.say("track.proof")
		return
	}
	list := t.tickets()
	switch len(list) {
	case 0:
		t.st.Step = stepRateTicket
		t.say("rate.ticket")
	case 1:
		t.st.Ticket, t.st.Step = list[0], stepRateProof
		t.say("track.mine.one", list[0])
	default:
		t.choices("rate.which", list)
		t.st.Step = stepRateTicket
	}
}

func proofOf(text string) shian.TrackingProof {
	p := strings.TrimSpace(norm(text))
	if len(p) == 4 {
		return shian.TrackingProof{PhoneLast4: p}
	}
	return shian.TrackingProof{Receipt: p}
}

// trackWith looks up the ticket in the conversation with a proof; a wrong
// proof, the limit or a failure is told here and ok is false.
func (t *turn) trackWith(proof shian.TrackingProof) (tr *shian.ComplaintTracking, ok bool) {
	tr, err := t.e.complaints.Track(t.ctx, t.st.Ticket, proof)
	switch shian.ErrorCode(err) {
	case "":
		return tr, true
	case shian.ENOTFOUND:
		t.say("track.wrong")
	case shian.ERATELIMITED:
		t.reset()
		t.say("track.limited", 15)
	default:
		t.fail("track", err)
	}
	return nil, false
}

// rateProof checks the proof with Track (so a wrong proof is told at
// once) and asks for the stars unless given.
func (t *turn) rateProof(text string) {
	proof := proofOf(text)
	tk, ok := t.trackWith(proof)
	if !ok {
		return
	}
	if !tk.CanRate {
		t.reset()
		t.say("rate.notyet", tk.Ticket, shian.ComplaintStatusNames[tk.Status].In(t.lang()))
		return
	}
	t.st.Query = proof.PhoneLast4 + proof.Receipt
	if t.st.Stars > 0 {
		t.rateStars(t.st.Stars, "")
		return
	}
	t.st.Step = stepRateStars
	t.say("rate.stars")
}

func (t *turn) rateStars(n int, comment string) {
	if n < 1 || n > 5 {
		t.say("rate.stars")
		return
	}
	if _, isNum := parseChoice(comment); isNum {
		comment = ""
	}
	err := t.e.complaints.Rate(t.ctx, t.st.Ticket, proofOf(t.st.Query), n, comment)
	ticket := t.st.Ticket
	t.reset()
	switch shian.ErrorCode(err) {
	case "":
		t.say("rate.done", ticket, n)
	case shian.ECONFLICT:
		t.say("rate.conflict", ticket)
	default:
		t.fail("rate", err)
	}
}
