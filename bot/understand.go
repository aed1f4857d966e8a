package bot

import (
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"

	"shian"
	"shian/reading"
)

// Intents the engine recognises in free text.
const (
	intentNone      = ""
	intentHelp      = "help"
	intentCancel    = "cancel"
	intentLang      = "lang"
	intentTrack     = "track"
	intentComplaint = "complaint"
	intentNear      = "near"
	intentSticker   = "sticker"
	intentLicence   = "licence"
	intentLookup    = "lookup"
	// intentRecommend asks for the best-graded places of a kind in a
	// district or near a place ("北戴河哪家海鲜店卫生好").
	intentRecommend = "recommend"
	// intentAbout asks about the shop in context ("when was it
	// inspected?", "有没有投诉?", "его адрес?").
	intentAbout = "about"
	// intentRate rates a closed case.
	intentRate = "rate"
)

// Aspects of a shop an about question may ask for.
const (
	aspectGrade      = "grade"
	aspectInspection = "inspection"
	aspectComplaints = "complaints"
	aspectAddress    = "address"
)

// Understanding is what the engine makes of one message's text, before
// the conversation's step is taken into account.
type Understanding struct {
	Intent string
	// Lang is the language the text is written in ("" when unsure) and
	// Strong says it is clearly that language (not just a shop name).
	Lang   string
	Strong bool
	// SwitchTo is the language asked for by intentLang.
	SwitchTo string
	Kind     string // complaint or report (intentComplaint)
	Ticket   string // intentTrack, when the text carries one
	Licence  string // intentLicence
	Token    string // intentSticker
	Query    string // intentLookup: the shop to look up; intentComplaint: a shop named in the text
	// Annual and Category filter "near me" (A, restaurant …).
	Annual   string
	Category string
	// Ref says the text points at the shop in context ("这家", "this
	// one", "его"); Ordinal is a position in the last list shown ("the
	// second one" = 2), 0 when none.
	Ref     bool
	Ordinal int
	// Aspect is what an about question asks (intentAbout).
	Aspect string
	// Mine says a track request is about "my complaint" without a number.
	Mine bool
	// Kind of food (海鲜, seafood …) and District / Place of a recommend.
	Food     string
	District string
	Place    string
	// Stars is a rating 1–5 given in the text (intentRate).
	Stars int
}

var (
	ticketRE  = regexp.MustCompile(`(?i)QHD[\s\-_]*[0-9A-Z]{4}[\s\-_]*[0-9A-Z]{4}`)
	stickerRE = regexp.MustCompile(`(?i)(?:https?://[^\s/]+)?/s/([A-Z2-7]{8,40})\b`)
	licenceRE = regexp.MustCompile(`\b[A-Z]{0,4}[0-9][A-Z0-9]{5,31}\b`)
	atShopRE  = regexp.MustCompile(`在(.{2,20}?)(?:吃|喝|买|点|用餐|就餐|消费|订)`)
)

// contains reports whether the normalised text holds any of the words;
// Latin and Cyrillic words must start at a word boundary.
func contains(t string, words ...string) bool {
	for _, w := range words {
		i := 0
		for {
			j := strings.Index(t[i:], w)
			if j < 0 {
				break
			}
			j += i
			if !isLetterWord(w) || j == 0 || !isWordRune(lastRune(t[:j])) {
				return true
			}
			i = j + len(w)
		}
	}
	return false
}

func isLetterWord(w string) bool {
	for _, r := range w {
		return r < 0x2E80 && unicode.IsLetter(r)
	}
	return false
}

func lastRune(s string) rune {
	r := []rune(s)
	if len(r) == 0 {
		return -1
	}
	return r[len(r)-1]
}

func isWordRune(r rune) bool {
	return r >= 0 && r < 0x2E80 && (unicode.IsLetter(r) || unicode.IsDigit(r))
}

// norm lower-cases text, folds full-width ASCII and ё, and trims.
func norm(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == 0x3000:
			r = ' '
		case r >= 0xFF01 && r <= 0xFF5E:
			r -= 0xFEE0
		case r == 'ё' || r == 'Ё':
			r = 'е'
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return strings.TrimSpace(b.String())
}

var (
	cancelWords = []string{"取消", "算了", "不要了", "不投诉了", "重新开始", "重来", "退出", "cancel", "stop", "start over", "restart",
		"never mind", "nevermind", "quit", "отмена", "отменить", "отмени", "заново", "стоп", "хватит"}
	helpWords = []string{"你好", "您好", "嗨", "哈喽", "帮助", "菜单", "怎么用", "help", "hello", "hi", "hey", "menu", "start",
		"привет", "здравствуйте", "помощь", "помоги", "меню", "начать"}
	complaintWords = []string{"投诉", "我要告", "吃坏", "complain", "complaint", "жалоб", "пожаловаться", "пожалуюсь"}
	reportWords    = []string{"举报", "检举", "report", "сообщить о нарушении", "донести", "нарушени"}
	trackWords     = []string{"查询进度", "进度", "办理情况", "处理结果", "编号", "工单", "track", "status", "ticket", "статус",
		"номер обращения", "обращени"}
	nearWords = []string{"附近", "周边", "周围", "离我近", "我旁边", "近的", "near me", "nearby", "near here", "around me", "close to me",
		"рядом", "поблизости", "неподалеку", "недалеко", "около меня"}
	changeShopWords = []string{"换一家", "不是这家", "不是这个店", "换个店", "改商户", "另一家", "different shop", "another shop",
		"wrong shop", "change the shop", "другое заведение", "не то заведение", "не тот"}
	yesWords = []string{"是", "对", "好", "确认", "没错", "可以", "嗯", "提交", "yes", "yep", "yeah", "y", "ok", "okay", "correct",
		"sure", "confirm", "submit", "right", "да", "верно", "подтверждаю", "ок", "хорошо", "отправить", "правильно"}
	noWords   = []string{"不是", "不对", "否", "不", "错了", "no", "nope", "n", "wrong", "нет", "неверно", "не так"}
	skipWords = []string{"跳过", "没有", "无", "不用", "没", "不记得", "忘了", "好了", "完成", "skip", "none", "no", "done",
		"don't remember", "dont remember", "no photo", "нет", "пропустить", "не помню", "готово", "всё", "все"}
	zhFunction = []string{"我", "你", "的", "吗", "怎么", "查", "投诉", "附近", "有", "什么", "请", "是", "在", "了", "呢", "好", "帮", "想", "要"}
	enFunction = []string{"the", "is", "what", "how", "where", "my", "me", "i", "want", "near", "help", "hello", "hi", "please",
		"complain", "complaint", "report", "status", "restaurant", "food", "shop", "any", "good", "safe", "english", "about",
		"check", "find", "of", "yesterday", "today", "cancel", "yes", "no", "grade"}
)

// exact reports whether the normalised text, without punctuation, is one of words.
func exact(t string, words ...string) bool {
	t = strings.TrimFunc(t, func(r rune) bool { return unicode.IsPunct(r) || unicode.IsSpace(r) || unicode.IsSymbol(r) })
	for _, w := range words {
		if t == w {
			return true
		}
	}
	return false
}

// detectLang says which language a text is written in.
func detectLang(t string) (lang string, strong bool) {
	var han, cyr, lat int
	for _, r := range t {
		switch {
		case unicode.Is(unicode.Han, r):
			han++
		case unicode.Is(unicode.Cyrillic, r):
			cyr++
		case r < 0x250 && unicode.IsLetter(r):
			lat++
		}
	}
	switch {
	case cyr > 0 && cyr >= han:
		return "ru", true
	case han > 0:
		return "zh", contains(t, zhFunction...)
	case lat >= 2:
		for _, w := range strings.FieldsFunc(t, func(r rune) bool { return !unicode.IsLetter(r) && r != '\'' }) {
			for _, f := range enFunction {
				if w == f {
					return "en", true
				}
			}
		}
		return "en", false
	}
	return "", false
}

// langSwitch returns the language a message asks for ("" when none).
func langSwitch(t string) string {
	switch {
	case exact(t, "english", "in english", "英文", "英语", "английский", "по-английски", "english please", "speak english"):
		return "en"
	case exact(t, "中文", "汉语", "chinese", "in chinese", "китайский", "по-китайски", "说中文", "请说中文"):
		return "zh"
	case exact(t, "русский", "по-русски", "на русском", "russian", "in russian", "俄语", "俄文"):
		return "ru"
	}
	return ""
}

// Understand reads the intent of a message's text. It is pure and total:
// any text gives an answer.
func Understand(text string) Understanding {
	t := norm(text)
	var u Understanding
	u.Lang, u.Strong = detectLang(t)
	if len(t) > 4*MaxText {
		t = t[:4*MaxText]
	}
	if l := langSwitch(t); l != "" {
		u.Intent, u.SwitchTo = intentLang, l
		return u
	}
	switch {
	case t == "":
		u.Intent = intentHelp
		return u
	case exact(t, cancelWords...) || (len([]rune(t)) <= 12 && contains(t, cancelWords...)):
		u.Intent = intentCancel
		return u
	case exact(t, helpWords...) || exact(t, "?", "？"):
		u.Intent = intentHelp
		return u
	}
	if m := ticketRE.FindString(strings.ToUpper(text)); m != "" {
		if tk, ok := shian.ParseTicket(m); ok {
			u.Intent, u.Ticket = intentTrack, tk
			if contains(t, rateWords...) {
				u.Intent, u.Stars = intentRate, stars(t)
			}
			return u
		}
	}
	u.Ref, u.Ordinal = reference(t)
	if contains(t, rateWords...) {
		u.Intent = intentRate
		u.Stars = stars(t)
		return u
	}
	if isMine(t) {
		u.Intent, u.Mine = intentTrack, true
		return u
	}
	if a := aspect(t); a != "" && !wantsToFile(t) && stickerRE.FindString(text) == "" && licenceIn(text) == "" &&
		(a != aspectGrade || (u.Ref || u.Ordinal > 0) && aboutQuery(t) == "") {
		u.Intent, u.Aspect = intentAbout, a
		return u
	}
	if recommend(t, &u) {
		return u
	}
	if contains(t, complaintWords...) || contains(t, reportWords...) || reading.Read("", text).Has(reading.Illness) {
		u.Intent, u.Kind = intentComplaint, shian.KindComplaint
		if contains(t, reportWords...) && !contains(t, complaintWords...) {
			u.Kind = shian.KindReport
		}
		if m := atShopRE.FindStringSubmatch(text); m != nil {
			u.Query = strings.TrimSpace(m[1])
		}
		return u
	}
	if contains(t, trackWords...) {
		u.Intent = intentTrack
		return u
	}
	if contains(t, nearWords...) {
		u.Intent = intentNear
		u.Annual = annualFilter(t)
		u.Category = categoryFilter(t)
		return u
	}
	if m := stickerRE.FindStringSubmatch(text); m != nil {
		u.Intent, u.Token = intentSticker, strings.ToUpper(m[1])
		return u
	}
	for _, m := range licenceRE.FindAllString(strings.ToUpper(text), 3) {
		if shian.ValidLicence(m) && digits(m) >= 6 {
			u.Intent, u.Licence = intentLicence, m
			return u
		}
	}
	u.Query = lookupQuery(t)
	if u.Query == "" {
		u.Intent = intentHelp
		return u
	}
	u.Intent = intentLookup
	return u
}

func digits(s string) int {
	n := 0
	for _, r := range s {
		if r >= '0' && r <= '9' {
			n++
		}
	}
	return n
}

func annualFilter(t string) string {
	for _, g := range []string{"a", "b", "c"} {
		if contains(t, g+"级", "grade "+g, g+"-grade", g+" grade", "класса "+g, "категории "+g, "рейтингом "+g, "уровня "+g) {
			return strings.ToUpper(g)
		}
	}
	// Cyrillic А that people type for the Latin one.
	if contains(t, "класса а", "категории а", "рейтингом а") {
		return "A"
	}
	return ""
}

func categoryFilter(t string) string {
	switch {
	case contains(t, "饭店", "餐厅", "饭馆", "吃饭", "餐馆", "restaurant", "eat", "ресторан", "кафе", "поесть"):
		return "restaurant"
	case contains(t, "超市", "商店", "shop", "store", "магазин"):
		return "retail"
	}
	return ""
}

// fillers are the words around a shop name in a lookup question.
var fillers = []string{
	"怎么样", "怎样", "如何", "好不好", "好吗", "干净吗", "干不干净", "卫生吗", "卫生情况", "卫生", "安全吗", "安全", "靠谱吗", "靠谱", "能吃吗",
	"能去吗", "可以吗", "行不行", "的等级", "等级", "评级", "查一下", "查查", "查询", "帮我查", "帮我", "我想知道", "请问", "想问", "一下",
	"这家店", "这家", "的店", "吗", "呢", "啊", "呀", "吧",
}

var latinFillers = map[string]bool{
	"how": true, "is": true, "was": true, "what": true, "about": true, "any": true, "good": true, "safe": true, "clean": true,
	"the": true, "grade": true, "of": true, "check": true, "look": true, "up": true, "find": true, "please": true, "hows": true,
	"how's": true, "whats": true, "what's": true, "tell": true, "me": true, "rating": true, "for": true, "a": true,
	"как": true, "насчет": true, "безопасно": true, "ли": true, "есть": true, "рейтинг": true, "оценка": true, "проверь": true,
	"найди": true, "у": true, "что": true, "там": true, "с": true, "чисто": true, "в": true, "про": true,
	"to": true, "eat": true, "at": true, "there": true, "it": true, "i": true, "can": true, "should": true, "go": true,
	"ok": true, "okay": true, "are": true, "we": true, "dine": true, "this": true, "place": true, "hygiene": true,
	"можно": true, "поесть": true, "это": true,
}

func stripWords(t string, lists ...[]string) string {
	for _, l := range lists {
		for _, w := range l {
			t = strings.ReplaceAll(t, w, " ")
		}
	}
	return strings.TrimFunc(t, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsPunct(r) })
}

// lookupQuery strips question words and punctuation around a shop name.
func lookupQuery(t string) string {
	for _, f := range fillers {
		t = strings.ReplaceAll(t, f, " ")
	}
	var words []string
	for _, w := range strings.FieldsFunc(t, func(r rune) bool {
		return unicode.IsSpace(r) || (unicode.IsPunct(r) && r != '\'' && r != '&') || unicode.IsSymbol(r)
	}) {
		if !latinFillers[w] {
			words = append(words, w)
		}
	}
	q := strings.Join(words, " ")
	if r := []rune(q); len(r) > 50 {
		q = string(r[:50])
	}
	return q
}

// parseChoice reads a number the user picked: "2", "２", "第二个", "#2", "no. 2".
func parseChoice(text string) (int, bool) {
	t := norm(text)
	t = strings.TrimPrefix(t, "第")
	t = strings.TrimPrefix(t, "#")
	t = strings.TrimPrefix(t, "no.")
	t = strings.TrimPrefix(t, "номер")
	t = strings.TrimSpace(t)
	t = strings.TrimRight(t, "个号家项条.、)） ")
	if n, err := strconv.Atoi(t); err == nil && n >= 0 && n < 100 {
		return n, true
	}
	cn := map[string]int{"零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
	if n, ok := cn[t]; ok {
		return n, true
	}
	return 0, false
}

func isYes(text string) bool { return exact(norm(text), yesWords...) }
func isNo(text string) bool  { return exact(norm(text), noWords...) }
func isSkip(text string) bool {
	return exact(norm(text), skipWords...)
}

var (
	daysAgoZH = regexp.MustCompile(`(\d+|[一二两三四五六七八九十])\s*天前`)
	daysAgoEN = regexp.MustCompile(`(\d+)\s*days?\s+ago`)
	daysAgoRU = regexp.MustCompile(`(\d+)\s*(?:день|дня|дней)\s+назад`)
	isoDate   = regexp.MustCompile(`(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})`)
	cnDate    = regexp.MustCompile(`(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]`)
	ruDate    = regexp.MustCompile(`\b(\d{1,2})\.(\d{1,2})\b`)
)

// parseWhen reads when something happened, relative to now (China time).
// skip is true when the user does not know or does not want to say.
func parseWhen(text string, now time.Time) (when time.Time, ok, skip bool) {
	t := norm(text)
	local := now.In(shian.CST)
	day := func(back int) time.Time {
		y, m, d := local.Date()
		return time.Date(y, m, d-back, 12, 0, 0, 0, shian.CST)
	}
	clampNow := func(x time.Time) (time.Time, bool, bool) {
		if x.After(now) {
			x = now
		}
		return x, true, false
	}
	switch {
	case contains(t, "刚才", "刚刚", "just now", "right now", "только что", "сейчас"):
		return now, true, false
	case contains(t, "大前天"):
		return clampNow(day(3))
	case contains(t, "前天", "day before yesterday", "позавчера"):
		return clampNow(day(2))
	case contains(t, "昨", "yesterday", "last night", "вчера"):
		return clampNow(day(1))
	case contains(t, "今天", "今晚", "今早", "今日", "中午", "today", "this morning", "tonight", "this evening", "сегодня"):
		return clampNow(day(0))
	case contains(t, "上周", "上星期", "last week", "на прошлой неделе"):
		return clampNow(day(7))
	}
	for _, re := range []*regexp.Regexp{daysAgoZH, daysAgoEN, daysAgoRU} {
		if m := re.FindStringSubmatch(t); m != nil {
			n, ok := parseChoice(m[1])
			if ok && n <= 1000 {
				return clampNow(day(n))
			}
		}
	}
	if m := isoDate.FindStringSubmatch(t); m != nil {
		y, _ := strconv.Atoi(m[1])
		mo, _ := strconv.Atoi(m[2])
		d, _ := strconv.Atoi(m[3])
		if x, ok := validDate(y, mo, d); ok {
			return x, x.Before(now.Add(time.Minute)), false
		}
	}
	for _, re := range []*regexp.Regexp{cnDate, ruDate} {
		if m := re.FindStringSubmatch(t); m != nil {
			a, _ := strconv.Atoi(m[1])
			b, _ := strconv.Atoi(m[2])
			mo, d := a, b
			if re == ruDate {
				mo, d = b, a
			}
			x, ok := validDate(local.Year(), mo, d)
			if ok && x.After(now) {
				x, ok = validDate(local.Year()-1, mo, d)
			}
			if ok {
				return x, true, false
			}
		}
	}
	if isSkip(text) {
		return time.Time{}, false, true
	}
	return time.Time{}, false, false
}

func validDate(y, m, d int) (time.Time, bool) {
	if m < 1 || m > 12 || d < 1 || d > 31 || y < 2000 || y > 2100 {
		return time.Time{}, false
	}
	x := time.Date(y, time.Month(m), d, 12, 0, 0, 0, shian.CST)
	if x.Day() != d {
		return time.Time{}, false
	}
	return x, true
}

// inferCategory guesses the complaint category from what the user said,
// with the reader every channel shares.
func inferCategory(text string) string {
	return reading.Read("", text).Category
}
