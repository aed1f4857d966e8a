package bot

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"shian"
	"shian/reading"
)

// Words that point at the conversation's context. A clerk hears "这家",
// "this one" or "его" as the shop just talked about; so does the engine.
var (
	refWords = []string{"这家", "那家", "这个店", "那个店", "这店", "该店", "刚才那", "刚才的", "上面那", "它家", "它", "这里", "这个餐厅",
		"这个饭店", "这个馆子", "这饭店", "就是它", "this one", "that one", "this restaurant", "that restaurant", "this place",
		"that place", "this shop", "that shop", "the same", "same one", "same place", "it", "its", "there",
		"его", "него", "нему", "ним", "ее", "нее", "это заведение", "этот ресторан", "это кафе", "эту", "этого", "этом", "там", "туда", "тот", "то же"}
	ordinalWords = []struct {
		n     int
		words []string
	}{
		{1, []string{"第一", "第1", "the first", "first one", "number 1", "первый", "первое", "первую", "первом", "первая"}},
		{2, []string{"第二", "第2", "the second", "second one", "number 2", "второй", "второе", "вторую", "втором", "вторая"}},
		{3, []string{"第三", "第3", "the third", "third one", "number 3", "третий", "третье", "третью", "третьем", "третья"}},
	}
	mineWords = []string{"我的投诉", "我投诉的", "我的举报", "我举报的", "投诉进度", "举报进度", "进度怎么样", "处理得怎么样", "处理到哪",
		"有结果了吗", "处理结果", "我的工单", "my complaint", "my report", "my ticket", "my case", "status of my", "progress of my",
		"what happened to my", "update on my", "моя жалоба", "моей жалоб", "мою жалобу", "мое обращение", "моего обращения",
		"моему обращению", "мои жалобы", "статус жалобы", "что с жалобой", "что с моей", "мое сообщение"}
	rateWords = []string{"评价", "打分", "满意度", "rate my", "rate the", "rate ticket", "rate case", "rate complaint", "rate it",
		"rate how", "leave a rating", "give a rating", "оценить", "поставить оценку", "оценку обращ", "оценить работу"}
	fileWords = []string{"我要投诉", "我想投诉", "要投诉", "投诉一下", "我要举报", "我想举报", "want to complain", "like to complain",
		"want to report", "file a complaint", "make a complaint", "complain about", "хочу пожаловаться", "подать жалобу",
		"пожаловаться на", "жалоба на"}
	aspectWords = []struct {
		aspect string
		words  []string
	}{
		{aspectInspection, []string{"检查", "抽检", "检验", "查过", "inspect", "inspection", "провер", "инспекц"}},
		{aspectComplaints, []string{"有没有投诉", "有投诉吗", "投诉多", "被投诉", "投诉记录", "any complaints", "complaints about",
			"complaints against", "many complaints", "been complaints", "жалобы на", "есть жалобы", "были жалобы", "много жалоб", "жалоб нет"}},
		{aspectAddress, []string{"地址", "在哪", "怎么走", "address", "where is", "адрес", "где находится", "где это"}},
		{aspectGrade, []string{"等级", "评级", "几级", "怎么样", "干净吗", "卫生吗", "安全吗", "grade", "rating", "is it safe", "is it clean",
			"how is it", "оценка", "рейтинг", "безопасно", "чисто ли"}},
	}
	recommendWords = []string{"哪家", "哪个店", "哪里", "推荐", "最好", "which", "best", "recommend", "where can i eat", "where to eat",
		"good place", "какой", "какое", "какая", "посоветуй", "посоветуйте", "лучш", "где поесть", "где вкусно"}
	// foodKinds are kinds of food people ask for, with the Chinese word
	// searched (shop names are Chinese first).
	foodKinds = []struct {
		zh    string
		words []string
	}{
		{"海鲜", []string{"海鲜", "seafood", "fish", "морепродукт", "рыб"}},
		{"烧烤", []string{"烧烤", "bbq", "barbecue", "grill", "шашлык", "гриль"}},
		{"饺子", []string{"饺子", "dumpling", "пельмен"}},
		{"火锅", []string{"火锅", "hotpot", "hot pot", "хого"}},
		{"咖啡", []string{"咖啡", "coffee", "cafe", "café", "кофе"}},
		{"渔家乐", []string{"渔家乐", "fishing village", "рыбацк"}},
		{"面", []string{"面馆", "拉面", "noodle", "лапш"}},
	}
	placeWords = []string{"店", "馆", "餐厅", "饭店", "地方", "吃", "restaurant", "place", "eat", "food", "ресторан", "кафе", "заведени", "поесть"}
)

// reference finds a pointer to the context in normalised text.
func reference(t string) (ref bool, ordinal int) {
	for _, o := range ordinalWords {
		if contains(t, o.words...) {
			ordinal = o.n
			break
		}
	}
	return containsWord(t, refWords...), ordinal
}

// containsWord is contains with Latin and Cyrillic words whole at both
// ends ("it" is not in "item").
func containsWord(t string, words ...string) bool {
	for _, w := range words {
		if !isLetterWord(w) {
			if strings.Contains(t, w) {
				return true
			}
			continue
		}
		for i := 0; i < len(t); {
			j := strings.Index(t[i:], w)
			if j < 0 {
				break
			}
			j += i
			end := j + len(w)
			r, _ := utf8.DecodeRuneInString(t[end:])
			if (j == 0 || !isWordRune(lastRune(t[:j]))) && (end == len(t) || !isWordRune(r)) {
				return true
			}
			i = j + 1
		}
	}
	return false
}

func isMine(t string) bool { return contains(t, mineWords...) }

// wantsToFile says the text asks to file, not asks about complaints.
func wantsToFile(t string) bool {
	if contains(t, fileWords...) {
		return true
	}
	for _, p := range []string{"投诉", "举报", "complain ", "report ", "пожаловаться", "жалоба"} {
		if strings.HasPrefix(t, p) {
			return true
		}
	}
	return false
}

// aspect says what an about question asks of a shop; grade only counts
// when nothing but the question and a pointer remains.
func aspect(t string) string {
	for _, a := range aspectWords {
		if contains(t, a.words...) {
			return a.aspect
		}
	}
	return ""
}

// aboutQuery is what remains of an about question once the aspect, the
// pointer and question words are gone: a shop's name, or "".
func aboutQuery(t string) string {
	for _, a := range aspectWords {
		t = stripAll(t, a.words)
	}
	t = stripAll(t, refWords)
	for _, w := range []string{"什么时候", "多久", "最近", "上次", "有没有", "是不是", "的", "了", "过", "被", "when", "was", "last",
		"time", "did", "they", "get", "were", "there", "have", "has", "any", "когда", "последний", "раз", "был", "была", "было", "ли",
		"какой", "какая", "у", "его"} {
		t = stripAll(t, []string{w})
	}
	return lookupQuery(t)
}

// stripAll removes the words; Latin and Cyrillic words only whole.
func stripAll(t string, words []string) string {
	for _, w := range words {
		if !isLetterWord(w) {
			t = strings.ReplaceAll(t, w, " ")
			continue
		}
		var b strings.Builder
		for _, f := range strings.FieldsFunc(t, func(r rune) bool { return unicode.IsSpace(r) || r == '?' || r == ',' || r == '.' }) {
			if f != w {
				b.WriteString(f + " ")
			}
		}
		if !strings.Contains(w, " ") {
			t = b.String()
		} else {
			t = strings.ReplaceAll(t, w, " ")
		}
	}
	return t
}

// recommend reads a request for the best places of a kind in a place.
func recommend(t string, u *Understanding) bool {
	if !contains(t, recommendWords...) || contains(t, nearWords...) || contains(t, complaintWords...) {
		return false
	}
	for _, k := range foodKinds {
		if contains(t, k.words...) {
			u.Food = k.zh
			break
		}
	}
	if p, ok := reading.Locate(t); ok {
		u.District, u.Place = p.District, p.Name
	}
	if u.Food == "" && u.District == "" && !contains(t, placeWords...) {
		return false
	}
	u.Intent = intentRecommend
	return true
}

var starsRE = regexp.MustCompile(`([1-5一二三四五])\s*(?:星|分|颗|stars?|звезд|балл)`)

// stars reads a 1–5 rating given in words.
func stars(t string) int {
	if m := starsRE.FindStringSubmatch(t); m != nil {
		if n, ok := parseChoice(m[1]); ok {
			return n
		}
	}
	return 0
}

// foodServing are the shop categories a visitor can eat at: a
// recommendation never offers a school or workplace canteen, a producer
// or a shop.
var foodServing = []string{"restaurant", "street_vendor"}

// gradeRank orders grades for recommendations: the dynamic grade first,
// then the annual one.
func gradeRank(g shian.Grade) int {
	r := map[string]int{shian.ResultExcellent: 40, shian.ResultGood: 30, shian.ResultFair: 20, shian.NotGraded: 10}[g.Dynamic]
	return r + map[string]int{"A": 3, "B": 2, "C": 1}[g.Annual]
}

// nameMatch scores how well a query names a shop: 2 exact (any of its
// names, case and spaces ignored), 1 the query holds the whole name or
// the name holds the whole query, 0 otherwise.
func nameMatch(query string, s *shian.Shop) int {
	q := squash(query)
	if q == "" {
		return 0
	}
	best := 0
	for _, n := range append([]string{s.Name, s.NameEN, s.NameRU}, s.Aliases...) {
		n = squash(n)
		if n == "" {
			continue
		}
		switch {
		case n == q:
			return 2
		case utf8.RuneCountInString(n) >= 2 && (strings.Contains(q, n) || strings.Contains(n, q) && utf8.RuneCountInString(q) >= 4):
			best = 1
		}
	}
	return best
}

// squash folds a name for comparison: lower case, letters and digits only.
func squash(s string) string {
	var b strings.Builder
	for _, r := range norm(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// editField maps a word of the edit menu to its number ("shop", "商户",
// "заведение" → 1), 0 when the text names no field.
func editField(t string) int {
	for i, words := range [][]string{
		{"商户", "店", "商家", "shop", "restaurant", "place", "заведение", "ресторан", "кафе"},
		{"经过", "描述", "内容", "发生了什么", "what happened", "description", "что случилось", "описание"},
		{"类别", "分类", "类型", "category", "категори"},
		{"时间", "日期", "什么时候", "when", "date", "time", "когда", "дата", "время"},
		{"联系", "电话", "姓名", "名字", "手机", "contact", "phone", "name", "контакт", "телефон", "имя"},
		{"投诉/举报", "改成举报", "改成投诉", "complaint or report", "kind", "тип"},
		{"不提交", "don't submit", "do not submit", "не отправлять"},
	} {
		if contains(t, words...) {
			return i + 1
		}
	}
	return 0
}

// correctionWords open a correction in words: "actually it was yesterday".
var correctionWords = []string{"其实", "不对", "应该是", "改成", "改为", "说错了", "更正", "actually", "sorry", "i meant", "correction",
	"it was", "на самом деле", "вообще-то", "точнее", "поправка", "ошибся", "ошиблась"}

func isCorrection(t string) bool { return contains(t, correctionWords...) }

// isQuestion says a text asks something rather than answers the form.
func isQuestion(text string) bool {
	t := norm(text)
	if strings.ContainsAny(t, "?？") || strings.HasSuffix(t, "吗") || strings.HasSuffix(t, "呢") {
		return true
	}
	for _, p := range []string{"什么时候", "有没有", "哪", "when ", "what ", "how ", "is ", "are ", "does ", "did ", "когда", "как ", "где", "есть ли", "какой"} {
		if strings.HasPrefix(t, p) {
			return true
		}
	}
	return contains(t, "哪家", "哪里", "什么时候", "有没有", "怎么样", "多少", "which", "when", "what's", "whats", "how's",
		"где", "когда", "какой", "какая", "есть ли", " ли ")
}

// licenceIn returns a licence number written in a text ("投诉 JY…").
func licenceIn(text string) string {
	for _, m := range licenceRE.FindAllString(strings.ToUpper(text), 3) {
		if shian.ValidLicence(m) && digits(m) >= 6 {
			return m
		}
	}
	return ""
}

// onlyPointer says a text is nothing but a pointer ("就是刚才那家", "this
// restaurant", "на него, то же самое"): never a shop's name.
func onlyPointer(text string) bool {
	t := stripAll(norm(text), refWords)
	t = stripAll(t, []string{"就是", "刚才", "刚刚", "上面", "的", "是", "就", "那个", "这个", "店", "家", "饭店", "餐厅", "the", "one", "just", "now", "same",
		"restaurant", "shop", "place", "about", "на", "самое", "то", "же", "это", "заведение", "ресторан", "кафе", "один", "и"})
	return strings.TrimFunc(t, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) == ""
}
