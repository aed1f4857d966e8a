package bot

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"shian"
)

var (
	atShopEN = regexp.MustCompile(`(?i)\b(?:at|in|from|about|against) ((?:the )?[A-Z][\w'&\- ]{2,40}?)(?:\s+(?:yesterday|today|tonight|last|this|on|and)\b|[,.!?;]|$)`)
	quotedRE = regexp.MustCompile(`[«"“「](.{2,40}?)[»"”」]`)
	afterRE  = regexp.MustCompile(`(?:投诉|举报)([^，,。！!？?\s]{2,20})(?:[，,。！!？?\s]|$)`)
	// leadRE is a shop named first: "长城饺子馆的饺子里吃出了塑料".
	leadRE = regexp.MustCompile(`^([^，,。！!？?\s的]{2,20}?(?:馆|店|楼|家|坊|档|厅|城|园|居|轩|阁|铺|屋|府|排档|酒家|餐厅|食堂|烧烤|火锅|海鲜|渔家乐))(?:的|里|吃|买|，|,|\s)`)
)

// complaintShopName finds a shop named in a complaint message.
func complaintShopName(text string, u Understanding) string {
	if m := quotedRE.FindStringSubmatch(text); m != nil {
		return strings.TrimSpace(m[1])
	}
	if u.Query != "" {
		return u.Query
	}
	if m := afterRE.FindStringSubmatch(text); m != nil {
		name := m[1]
		if !strings.HasPrefix(name, "一家") && !strings.HasPrefix(name, "这家") && !strings.HasPrefix(name, "那家") &&
			!strings.HasPrefix(name, "的") && !strings.HasPrefix(name, "了") {
			return name
		}
	}
	if m := atShopEN.FindStringSubmatch(text); m != nil {
		return strings.TrimSpace(strings.TrimPrefix(m[1], "the "))
	}
	if m := leadRE.FindStringSubmatch(strings.TrimSpace(text)); m != nil && !strings.HasPrefix(m[1], "我") {
		return m[1]
	}
	return ""
}

func newConv() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func (t *turn) startComplaint(u Understanding) {
	d := &Draft{Kind: u.Kind}
	t.st.Draft, t.st.Conv, t.st.Seq = d, newConv(), 0
	t.say("c.start", tr(t.lang(), "c.kind."+d.Kind))
	text := t.in.Text
	name := complaintShopName(text, u)
	if onlyPointer(name) {
		name = ""
	}
	if hasDetail(stripAll(norm(text), refWords), name) && utf8.RuneCountInString(text) >= shian.DescriptionMin {
		d.Description = text
		d.Category = inferCategory(text)
		if when, ok, _ := parseWhen(text, t.now); ok {
			d.Occurred = when
		}
	}
	if lic := licenceIn(text); lic != "" {
		if shop, err := t.e.shops.ShopByLicence(t.ctx, lic); err == nil {
			t.setShop(shop)
			t.prompt()
			return
		}
	}
	if u.Ref || u.Ordinal > 0 || name == "" && (t.in.Shop != "" || t.st.Ctx.Page) {
		if shop := t.contextShop(u); shop != nil {
			t.setShop(shop)
			t.prompt()
			return
		}
	}
	if name != "" {
		t.complaintShop(name)
		return
	}
	t.prompt()
}

// setShop makes a known shop the complaint's, and the context's.
func (t *turn) setShop(shop *shian.Shop) {
	t.st.Draft.Licence, t.st.Draft.ShopName = shop.Licence, shop.Name
	t.focus(shop)
	t.say("c.shop.ok", shop.Name)
}

// photosOn says whether the channel can send photos.
func (t *turn) photosOn() bool { return t.in.Channel == ChannelWeChat }

// prompt asks for the next missing part of the complaint, or shows the
// summary when nothing is missing.
func (t *turn) prompt() {
	d := t.st.Draft
	lang := t.lang()
	switch {
	case d.Licence == "" && d.ShopName == "":
		t.st.Step = stepCShop
		t.say("c.shop")
	case d.Description == "":
		t.st.Step = stepCWhat
		t.say("c.what")
	case !d.CategoryOK:
		t.st.Step = stepCCategory
		if d.Category == "" {
			d.Category = inferCategory(d.Description)
		}
		c, _ := shian.LookupComplaintCategory(d.Category)
		t.say("c.category", c.Names.In(lang))
	case d.Occurred.IsZero() && !d.WhenAsked:
		t.st.Step = stepCWhen
		t.say("c.when")
	case t.photosOn() && !d.PhotosDone:
		t.st.Step = stepCPhoto
		t.say("c.photo")
	case d.Kind == shian.KindComplaint && d.Name == "":
		t.st.Step = stepCName
		t.say("c.name")
	case d.Kind == shian.KindComplaint && d.Phone == "":
		t.st.Step = stepCPhone
		t.say("c.phone")
	default:
		t.st.Step = stepCConfirm
		t.summary()
	}
}

func (t *turn) summary() {
	d, lang := t.st.Draft, t.lang()
	c, _ := shian.LookupComplaintCategory(d.Category)
	when := tr(lang, "c.when.unknown")
	if !d.Occurred.IsZero() {
		when = d.Occurred.In(shian.CST).Format(shian.DateLayout)
	}
	extra := ""
	if d.Name != "" || d.Phone != "" {
		extra += tr(lang, "c.summary.contact", d.Name, shian.MaskPhone(d.Phone))
	}
	if len(d.Photos) > 0 {
		extra += tr(lang, "c.summary.photos", len(d.Photos))
	}
	desc := d.Description
	if r := []rune(desc); len(r) > 60 {
		desc = string(r[:60]) + "…"
	}
	t.say("c.summary", tr(lang, "c.kindname."+d.Kind), t.shopLabel(), c.Names.In(lang), when, desc, extra)
}

func (t *turn) shopLabel() string {
	d := t.st.Draft
	if d.ShopName != "" {
		return d.ShopName
	}
	return d.Licence
}

// complaintShop resolves the shop of a complaint from what the user typed.
func (t *turn) complaintShop(text string) {
	d := t.st.Draft
	u := Understand(text)
	var shop *shian.Shop
	switch u.Intent {
	case intentSticker:
		s, ok := t.stickerShop(u.Token)
		if !ok {
			t.prompt()
			return
		}
		shop = s
	case intentLicence:
		s, err := t.e.shops.ShopByLicence(t.ctx, u.Licence)
		if err == nil {
			shop = s
		}
	}
	if shop == nil {
		q := lookupQuery(norm(text))
		if q == "" {
			q = strings.TrimSpace(text)
		}
		if utf8.RuneCountInString(q) > 100 {
			q = string([]rune(q)[:100])
		}
		hits, fuzzy, ok := t.findShops(q)
		if !ok {
			return
		}
		hits = rank(q, hits)
		switch {
		case len(hits) == 1 && (!fuzzy || nameMatch(q, hits[0].Shop) == 2 || similarity(q, hits[0].Shop) >= 0.75):
			shop = hits[0].Shop
		case len(hits) > 0:
			t.list("c.shop.pick", hits)
			t.st.Step, t.st.Query = stepCPickShop, q
			return
		default:
			d.ShopName, d.Licence = q, ""
			t.say("c.shop.free", q)
			t.prompt()
			return
		}
	}
	t.setShop(shop)
	t.prompt()
}

var helpOnly = []string{"帮助", "help", "помощь", "?", "？", "菜单", "menu", "меню"}

func (t *turn) complaintStep(u Understanding) {
	d := t.st.Draft
	text := t.in.Text
	t.st.Seq++
	if exact(norm(text), helpOnly...) {
		t.say("c.help")
		t.prompt()
		return
	}
	if t.st.Step != stepCShop && t.st.Step != stepCPickShop && contains(norm(text), changeShopWords...) {
		d.Licence, d.ShopName = "", ""
		t.prompt()
		return
	}
	if t.aside(u) || t.correct(u) {
		return
	}
	switch t.st.Step {
	case stepCShop:
		if u.Ref || u.Ordinal > 0 {
			if shop := t.contextShop(u); shop != nil {
				t.setShop(shop)
				t.prompt()
				return
			}
			if onlyPointer(text) {
				// "就是刚才那家" with nothing in context is not a shop's name.
				t.say("c.shop.noref")
				return
			}
		}
		if n, ok := parseChoice(text); ok {
			// A number answers a list, never names a shop.
			if n >= 1 && n <= len(t.st.Ctx.Picks) {
				t.pickComplaintShop(t.st.Ctx.Picks[n-1])
				return
			}
			t.say("c.shop.name")
			return
		}
		t.complaintShop(text)
	case stepCPickShop:
		n, ok := parseChoice(text)
		if !ok && u.Ordinal > 0 {
			n, ok = u.Ordinal, true
		}
		switch {
		case !ok:
			t.complaintShop(text)
		case n == 0:
			d.ShopName, d.Licence = t.st.Query, ""
			t.say("c.shop.free", t.st.Query)
			t.prompt()
		case n <= len(t.st.Picks):
			t.pickComplaintShop(t.st.Picks[n-1])
		default:
			t.say("lookup.notnum")
		}
	case stepCWhat:
		if utf8.RuneCountInString(text) < shian.DescriptionMin {
			t.say("c.what.short")
			return
		}
		d.Description, d.Category, d.CategoryOK = text, inferCategory(text), false
		if d.Occurred.IsZero() {
			if when, ok, _ := parseWhen(text, t.now); ok {
				d.Occurred = when
			}
		}
		t.prompt()
	case stepCCategory:
		switch n, isNum := parseChoice(text); {
		case isYes(text):
			d.CategoryOK = true
			t.prompt()
		case isNum && n >= 1 && n <= len(shian.ComplaintCategories):
			d.Category, d.CategoryOK = shian.ComplaintCategories[n-1].Code, true
			t.prompt()
		case isNo(text):
			t.categoryList()
		default:
			if c := inferCategory(text); c != "other" {
				d.Category = c
			}
			t.prompt()
		}
	case stepCPickCat:
		if n, ok := parseChoice(text); ok && n >= 1 && n <= len(shian.ComplaintCategories) {
			d.Category, d.CategoryOK = shian.ComplaintCategories[n-1].Code, true
			t.prompt()
			return
		}
		if c := inferCategory(text); c != "other" {
			d.Category, d.CategoryOK = c, true
			t.prompt()
			return
		}
		t.categoryList()
	case stepCWhen:
		when, ok, skip := parseWhen(text, t.now)
		switch {
		case ok:
			d.Occurred, d.WhenAsked = when, true
			t.prompt()
		case skip:
			d.WhenAsked = true
			t.prompt()
		default:
			t.say("c.when.bad")
		}
	case stepCPhoto:
		if isSkip(text) || isYes(text) || isNo(text) {
			d.PhotosDone = true
			t.prompt()
			return
		}
		t.say("c.photo.nophoto")
	case stepCName:
		n := utf8.RuneCountInString(text)
		if n == 0 || n > 50 || isYes(text) || isNo(text) {
			t.say("c.name.bad")
			return
		}
		if p, ok := shian.NormalizePhone(text); ok && d.Phone == "" {
			// A phone number where the name was asked: keep it, ask the name.
			d.Phone = p
			t.say("c.name.bad")
			return
		}
		d.Name = text
		t.prompt()
	case stepCPhone:
		p, ok := shian.NormalizePhone(text)
		if !ok {
			t.say("c.phone.bad")
			return
		}
		d.Phone = p
		t.prompt()
	case stepCConfirm:
		switch {
		case isYes(text):
			t.file()
		case isNo(text) || contains(norm(text), "修改", "改", "change", "edit", "изменить", "исправить"):
			t.editList()
		default:
			if n, ok := parseChoice(text); ok {
				t.edit(n)
				return
			}
			if n := editField(norm(text)); n > 0 {
				t.edit(n)
				return
			}
			t.say("c.confirm.again")
		}
	case stepCEdit:
		if n, ok := parseChoice(text); ok {
			t.edit(n)
			return
		}
		if n := editField(norm(text)); n > 0 {
			t.edit(n)
			return
		}
		t.editList()
	default:
		t.prompt()
	}
}

func (t *turn) categoryList() {
	lang := t.lang()
	r := Reply{Text: tr(lang, "c.category.pick")}
	for i, c := range shian.ComplaintCategories {
		r.Choices = append(r.Choices, Choice{N: i + 1, Label: c.Names.In(lang)})
	}
	t.out = append(t.out, r)
	t.st.Step = stepCPickCat
}

var editKeys = []string{"c.edit.shop", "c.edit.what", "c.edit.category", "c.edit.when", "c.edit.contact", "c.edit.kind", "c.edit.cancel"}

func (t *turn) editList() {
	lang := t.lang()
	r := Reply{Text: tr(lang, "c.edit")}
	for i, k := range editKeys {
		r.Choices = append(r.Choices, Choice{N: i + 1, Label: tr(lang, k)})
	}
	t.out = append(t.out, r)
	t.st.Step = stepCEdit
}

func (t *turn) edit(n int) {
	d := t.st.Draft
	switch n {
	case 1:
		d.Licence, d.ShopName = "", ""
	case 2:
		d.Description, d.CategoryOK = "", false
	case 3:
		t.categoryList()
		return
	case 4:
		d.Occurred, d.WhenAsked = shian.ComplaintInput{}.OccurredAt, false
	case 5:
		d.Name, d.Phone = "", ""
		if d.Kind == shian.KindReport {
			d.Kind = shian.KindComplaint // a report with a contact is filed as given
		}
	case 6:
		if d.Kind == shian.KindComplaint {
			d.Kind = shian.KindReport
		} else {
			d.Kind = shian.KindComplaint
		}
	case 7:
		t.reset()
		t.say("cancelled")
		return
	default:
		t.editList()
		return
	}
	t.prompt()
}

// photo adds a photo to the complaint being filled.
func (t *turn) photo(b []byte) {
	d := t.st.Draft
	if t.st.Step != stepCPhoto || len(d.Photos) >= shian.MaxPhotos {
		t.prompt()
		return
	}
	if len(b) > shian.MaxPhotoBytes || !(bytes.HasPrefix(b, []byte{0xFF, 0xD8, 0xFF}) || bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n"))) {
		t.say("c.photo.bad")
		return
	}
	d.Photos = append(d.Photos, b)
	if len(d.Photos) == shian.MaxPhotos {
		d.PhotosDone = true
		t.prompt()
		return
	}
	t.say("c.photo.got", len(d.Photos))
}

// file submits the complaint through the one intake. The idempotency key
// is the user, the conversation and the turn: a retried confirmation
// (same state) replays the first filing instead of filing twice.
func (t *turn) file() {
	d, lang := t.st.Draft, t.lang()
	in := shian.ComplaintInput{Kind: d.Kind, Category: d.Category, Licence: d.Licence, Description: d.Description,
		OccurredAt: d.Occurred, Lat: d.Lat, Lng: d.Lng, HasGeo: d.HasGeo, ContactName: d.Name, ContactPhone: d.Phone,
		Lang: lang, Channel: shian.ChannelBot}
	if d.Licence == "" {
		in.ShopName = d.ShopName
	}
	key := "bot-" + userHash(t.in.Channel, t.in.User) + "-" + t.st.Conv + "-" + itoa(t.st.Seq)
	sub := shian.ComplaintSubmission{Input: in, Photos: d.Photos, IdempotencyKey: key, ClientIP: t.in.ClientIP}
	if t.in.Channel == ChannelWeChat {
		sub.OpenID = t.in.User // the session of a web chat is the client's choice; an OpenID is not
	}
	f, err := t.e.complaints.File(t.ctx, sub)
	switch code := shian.ErrorCode(err); code {
	case "":
	case shian.ERATELIMITED:
		t.say("c.limited") // the draft stays: "yes" later files it
		return
	case shian.EINVALID:
		t.say("c.failed", shian.ErrorMessage(err))
		var se *shian.Error
		if asError(err, &se) && se.Field == "photos" {
			d.Photos = nil
		}
		t.editList()
		return
	default:
		t.fail("file complaint", err)
		return
	}
	msg := tr(lang, "c.filed", f.Ticket, f.Receipt, f.Names.In(lang))
	switch {
	case !f.AcceptDue.IsZero():
		msg += "\n" + tr(lang, "c.filed.accept", f.AcceptDue.In(shian.CST).Format(shian.DateLayout))
	case !f.VerifyDue.IsZero():
		msg += "\n" + tr(lang, "c.filed.verify", f.VerifyDue.In(shian.CST).Format(shian.DateLayout))
	}
	t.reset()
	t.st.Filed = msg
	t.remember(f.Ticket)
	t.sayText(msg)
}

func asError(err error, target **shian.Error) bool { return errors.As(err, target) }

// stopWords carry no detail about what happened.
var stopWords = []string{"我要", "我想", "一家", "这家", "那家", "商户", "店", "的", "了", "一下", "i want to", "i'd like to", "i would like to",
	"хочу", "на", "want", "would", "like", "about", "against", "the", "at", "in", "from", "a", "file", "make", "please", "restaurant", "shop", "this", "that", "one", "place",
	"это", "этот", "эту", "заведение", "ресторан", "кафе", "него", "подать", "它", "那个", "这个"}

// hasDetail says whether a complaint's first message already tells what
// happened, beyond "I want to complain about X".
func hasDetail(text, shop string) bool {
	t := norm(text)
	if shop != "" {
		t = strings.ReplaceAll(t, norm(shop), " ")
	}
	t = stripWords(t, complaintWords, reportWords)
	han, words := 0, 0
	for _, w := range strings.FieldsFunc(t, func(r rune) bool { return !unicode.IsLetter(r) }) {
		if slices.Contains(stopWords, w) {
			continue
		}
		for _, sw := range stopWords {
			w = strings.ReplaceAll(w, sw, "")
		}
		for _, r := range w {
			if unicode.Is(unicode.Han, r) {
				han++
			}
		}
		if len([]rune(w)) >= 3 {
			words++
		}
	}
	return han >= 4 || (han == 0 && words >= 2)
}

// pickComplaintShop makes the shop of a licence picked from a list the
// complaint's.
func (t *turn) pickComplaintShop(licence string) {
	shop, err := t.e.shops.ShopByLicence(t.ctx, licence)
	if err != nil {
		t.fail("shop by licence", err)
		return
	}
	t.setShop(shop)
	t.prompt()
}

// aside answers a question asked in the middle of the form and keeps the
// form: about a shop, a recommendation, "my complaint". The description
// step takes what is said as the description unless it is a short
// question.
func (t *turn) aside(u Understanding) bool {
	if !isQuestion(t.in.Text) || t.st.Step == stepCWhat && len([]rune(t.in.Text)) > 30 {
		return false
	}
	switch u.Intent {
	case intentAbout:
		t.about(u)
	case intentRecommend:
		t.recommend(u, false)
	case intentTrack:
		if !u.Mine && u.Ticket == "" {
			return false
		}
		t.mine(false)
	default:
		return false
	}
	t.say("c.back")
	t.prompt()
	return true
}

// correct changes a field the user corrects in words ("actually it was
// yesterday", "其实是前天", "на самом деле вчера") whatever the form asks.
func (t *turn) correct(u Understanding) bool {
	d := t.st.Draft
	t0 := norm(t.in.Text)
	if !isCorrection(t0) || t.st.Step == stepCWhat || t.st.Step == stepCWhen {
		return false
	}
	if when, ok, _ := parseWhen(t.in.Text, t.now); ok {
		d.Occurred, d.WhenAsked = when, true
		t.say("c.fixed.when", when.In(shian.CST).Format(shian.DateLayout))
		t.prompt()
		return true
	}
	if n := editField(t0); n >= 1 && n <= 6 {
		t.edit(n)
		return true
	}
	return false
}
