// Package reading reads what people write in a complaint, the same way for
// every channel (form, API, Open311, web chat, WeChat): which signals the
// text carries (suspected food poisoning, a school or children, spoiled
// food, a foreign object, poor hygiene, price or weight, no licence, a fake
// grade, an online order) with the words that raised them, which of them
// the writer denies ("没有拉肚子", "Nobody got sick", "не отравились"),
// and from these a suggested category and priority with their reasons. Its
// gazetteer finds the district named in free text, by district name or by a
// well-known place.
//
// It is pure: its word lists are data files embedded in the binary
// (data/lexicon.txt, data/places.json, data/t2s.txt), read once, and every
// answer is a function of its input. Signals only suggest: the category
// the person chose is kept beside the reading, and an officer decides.
package reading

import (
	_ "embed"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"shian"
)

// Signal kinds, as Signal.Kind and in Reason.Because.
const (
	Illness       = "illness"        // suspected food poisoning: category foodborne_illness, urgent
	Symptom       = "symptom"        // one mild symptom alone (头晕, dizzy, слабость): shown, decides nothing
	School        = "school"         // a school, kindergarten or pupils: category school_food, at least high
	Children      = "children"       // children are concerned: shown beside the priority
	Spoiled       = "spoiled_food"   // spoiled or expired food
	ForeignObject = "foreign_object" // something in the food that should not be there
	Hygiene       = "hygiene"        // dirt, pests, bare hands
	PriceWeight   = "price_weight"   // overcharging, short weight
	NoLicence     = "no_licence"     // operating without a licence
	FakeGrade     = "fake_grade"     // a grade or QR code missing or forged
	OnlineOrder   = "online_order"   // delivery, an ordering app
	OtherTopic    = "other"          // service, waiting, noise…: evidence the complaint is about something else
)

// Category codes the reading chooses besides those named by a signal kind.
const (
	catSchool = "school_food"
	catOther  = "other"
)

// categoryOrder is the precedence of the categories words can suggest when
// the person's choice is not among them: the more specific food-safety
// problem first, an online order last (it is where, not what).
var categoryOrder = []string{Spoiled, ForeignObject, Hygiene, NoLicence, FakeGrade, PriceWeight, OnlineOrder}

// Signal is one kind of signal found in a text with the words that raised
// it, as they appear in the normalized text (see Normalize).
type Signal struct {
	Kind  string   `json:"kind"`
	Words []string `json:"words"`
}

// Reason says why the reading chose a category or a priority.
type Reason struct {
	Field string `json:"field"` // "category" or "priority"
	Value string `json:"value"` // the category or priority chosen
	// Because is a signal kind, or "submitted" (the person's choice, no
	// words against it), "denied" (the writer denies the illness chosen),
	// "default" (the category's default priority).
	Because string   `json:"because"`
	Words   []string `json:"words,omitempty"`
}

// String reads like the staff view: "urgent because: рвота, температура".
func (r Reason) String() string {
	if len(r.Words) == 0 {
		return r.Value + " (" + r.Because + ")"
	}
	return r.Value + " because: " + strings.Join(r.Words, ", ")
}

// Reading is the service's reading of a complaint. It goes beside what the
// person submitted, never over it: Submitted is kept as given, and
// Differs says when the queue should show both.
type Reading struct {
	Submitted string   `json:"submitted"`
	Category  string   `json:"category"` // suggested; always a known category code
	Priority  string   `json:"priority"`
	Signals   []Signal `json:"signals,omitempty"` // found and not denied, in the order of the kinds above
	Denied    []Signal `json:"denied,omitempty"`  // found but denied by the writer ("没有拉肚子")
	Reasons   []Reason `json:"reasons"`           // the category's reason, then the priority's
}

// Differs reports whether the suggested category is not the submitted one.
func (r Reading) Differs() bool { return r.Category != r.Submitted }

// Words returns the words of the signal of the given kind, nil when the
// text has none (or denies it).
func (r Reading) Words(kind string) []string {
	for _, s := range r.Signals {
		if s.Kind == kind {
			return s.Words
		}
	}
	return nil
}

// Has reports whether the text carries a signal of the given kind.
func (r Reading) Has(kind string) bool { return r.Words(kind) != nil }

// Why returns the reason for the priority, as the staff view shows it.
func (r Reading) Why() string {
	for _, x := range r.Reasons {
		if x.Field == "priority" {
			return x.String()
		}
	}
	return ""
}

var (
	//go:embed data/lexicon.txt
	lexiconData string

	lexicon = mustMatcher(parseLexicon(lexiconData))
)

func mustMatcher(entries []*entry, err error) *matcher {
	if err != nil {
		panic("reading: " + err.Error()) // the embedded file is tested
	}
	return newMatcher(entries)
}

// Read reads a complaint's text, given the category the person submitted
// ("" when none). Pass every free-text field that may hold the words
// (description, shop name as typed, address), separated by a full stop or
// a new line. It is pure and total: any text, however long or strange,
// gives a reading with a known category.
func Read(submitted, text string) Reading {
	t := Normalize(text)
	toks := lexicon.scan(t, make([]token, 0, 16))
	found, denied := interpret(t, toks)
	return decide(submitted, found, denied)
}

// negatable kinds are those a denial can cancel; the others (school,
// children, licence, grade, other topics) say what the complaint is about
// even when denied ("no business licence", "no air con" are complaints).
func negatable(k kind) bool {
	switch k {
	case kIllness, kIllnessWeak, kSpoiled, kForeignObject, kPest, kHygiene, kPriceWeight, kOnlineOrder:
		return true
	}
	return false
}

// How far a denial reaches forward, in units (a Chinese character, or a
// Latin or Cyrillic word) between it and what it denies: "没有出现任何拉肚子",
// "nobody in our group had any symptoms", "не было у нас никакой рвоты".
const (
	reachCJK   = 6
	reachLatin = 5
	reachCyr   = 4
	reachAfter = 2 // a denial after the word: "拉肚子倒没有", "рвоты не было"
)

// interpret applies denials to the tokens and groups the words by kind.
func interpret(t string, toks []token) (found, denied map[kind][]string) {
	clauses := clauseBounds(t)
	clauseOf := func(pos int) int {
		i, _ := slices.BinarySearchFunc(clauses, pos, func(c clause, p int) int {
			if c.end <= p {
				return -1
			}
			return 1
		})
		return i
	}
	cl := make([]int, len(toks)) // each token's clause
	for i, tk := range toks {
		cl[i] = clauseOf(tk.start)
	}
	neg := make([]bool, len(toks))
	anchor, reach := -1, 0
	for i, tk := range toks {
		if i == 0 || cl[i] != cl[i-1] {
			anchor = -1
		}
		switch k := tk.e.kind; {
		case k == kNegator:
			anchor, reach = tk.end, reachOf(tk.e.text)
		case k == kBreaker:
			anchor = -1
		case k == kConnector:
			if anchor >= 0 {
				anchor = tk.end
			}
		case negatable(k):
			if anchor >= 0 && units(t[anchor:tk.start]) <= reach {
				neg[i] = true
				anchor = tk.end // a denied list: "没有发烧、呕吐、腹泻"
			}
		}
	}
	// Denials after the word, also of a whole list ("拉肚子、发烧都没有",
	// "рвоты не было"): listEnd[i] is the first token after i, in its
	// clause, that is neither a signal nor a connector, or -1.
	listEnd := make([]int, len(toks))
	next := -1
	for i := len(toks) - 1; i >= 0; i-- {
		listEnd[i] = next
		if k := toks[i].e.kind; k != kConnector && !negatable(k) {
			next = i
		}
		if i > 0 && cl[i-1] != cl[i] {
			next = -1
		}
	}
	for i, tk := range toks {
		if neg[i] || !negatable(tk.e.kind) {
			continue
		}
		if j := listEnd[i]; j >= 0 && cl[j] == cl[i] {
			n := toks[j]
			if n.e.kind == kNegator && n.e.after && units(t[toks[j-1].end:n.start]) <= reachAfter &&
				(!cjk(n.e.text) || tailOK(t[n.end:clauses[cl[i]].end])) {
				neg[i] = true
			}
		}
	}
	// The answer to a question: "拉肚子？没有。", "Food poisoning?? No.".
	// Each clause is looked at once: seen marks the tokens already decided.
	seen := make([]bool, len(toks))
	for i, tk := range toks {
		c := cl[i]
		if seen[i] || neg[i] || !negatable(tk.e.kind) || !clauses[c].question || c+1 >= len(clauses) {
			continue
		}
		j := i + 1
		for j < len(toks) && cl[j] == c {
			j++
		}
		if j < len(toks) && cl[j] == c+1 && toks[j].e.kind == kNegator && units(t[clauses[c+1].start:clauses[c+1].end]) <= 2 {
			for k := i; k < j; k++ {
				if negatable(toks[k].e.kind) {
					neg[k] = true
				}
			}
		} else {
			for k := i; k < j; k++ { // the same answer for the whole clause
				seen[k] = true
			}
		}
	}
	// Pests in the food are foreign objects; elsewhere, poor hygiene.
	inFood := map[int]bool{}
	for i, tk := range toks {
		if tk.e.kind == kInFood {
			inFood[cl[i]] = true
		}
	}
	found, denied = map[kind][]string{}, map[kind][]string{}
	for i, tk := range toks {
		k := tk.e.kind
		switch {
		case k == kPest && inFood[cl[i]]:
			k = kForeignObject
		case k == kPest:
			k = kHygiene
		case k == kFine:
			k = kService
		}
		if k < kIllness || k > kService {
			continue
		}
		m := found
		if neg[i] {
			m = denied
		}
		if w := t[tk.start:tk.end]; !slices.Contains(m[k], w) {
			m[k] = append(m[k], w)
		}
	}
	return found, denied
}

// A clause is a stretch of text between punctuation; question says the
// punctuation that ends it holds a question mark.
type clause struct {
	start, end int
	question   bool
}

func clauseBounds(t string) []clause {
	out := make([]clause, 0, 16)
	start, inBreak, q := 0, false, false
	prev := rune(0)
	for i, r := range t {
		if isBreak(r) || (r == ' ' && prev >= 0x2E80 && i+1 < len(t) && cjk(t[i+1:])) {
			if !inBreak {
				out = append(out, clause{start: start, end: i})
				inBreak, q = true, false
			}
			if r == '?' || r == '？' {
				q = true
			}
			out[len(out)-1].question = q
			start = i + utf8.RuneLen(r)
			prev = r
			continue
		}
		inBreak, prev = false, r
	}
	return append(out, clause{start: start, end: len(t)})
}

// isBreak reports punctuation that ends a clause (so does a space between
// two Chinese characters: "吃了烤串 半夜胃疼" is written without commas). The enumeration comma 、
// joins a list; apostrophes, ampersands and slashes are inside words.
func isBreak(r rune) bool {
	switch r {
	case '、', '\'', '&', '/', '"', '«', '»', '“', '”', '#', '@', '%', '*', '№':
		return false
	}
	return unicode.IsPunct(r)
}

// units counts what separates two tokens: Chinese characters and Latin or
// Cyrillic words (numbers count as words).
func units(s string) int {
	n, inWord := 0, false
	for _, r := range s {
		switch {
		case r >= 0x2E80 && unicode.IsLetter(r):
			n++
			inWord = false
		case isWordRune(r):
			if !inWord {
				n++
			}
			inWord = true
		default:
			inWord = false
		}
	}
	return n
}

func cjk(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return r >= 0x2E80
}

// tailOK reports whether what follows a Chinese denial placed after its
// word, up to the end of the clause, is at most one particle: "拉肚子倒没有"
// and "发烧没有了" deny, "腹泻没有好转" (has not got better) does not.
func tailOK(s string) bool {
	s = strings.TrimSpace(s)
	return s == "" || s == "了" || s == "呢" || s == "啊" || s == "的" || s == "过"
}

func reachOf(negator string) int {
	r, _ := utf8.DecodeRuneInString(negator)
	switch {
	case r >= 0x2E80:
		return reachCJK
	case unicode.Is(unicode.Cyrillic, r):
		return reachCyr
	}
	return reachLatin
}

// kindNames maps the lexicon's signal kinds to Signal.Kind, in the order
// a Reading lists them.
var kindNames = []struct {
	k    kind
	name string
}{
	{kIllness, Illness}, {kIllnessWeak, Symptom}, {kSchool, School}, {kChildren, Children}, {kSpoiled, Spoiled},
	{kForeignObject, ForeignObject}, {kHygiene, Hygiene}, {kNoLicence, NoLicence}, {kFakeGrade, FakeGrade},
	{kPriceWeight, PriceWeight}, {kOnlineOrder, OnlineOrder}, {kService, OtherTopic},
}

func signals(m map[kind][]string) []Signal {
	var out []Signal
	for _, kn := range kindNames {
		if w := m[kn.k]; len(w) > 0 {
			out = append(out, Signal{Kind: kn.name, Words: w})
		}
	}
	return out
}

// decide turns the signals into a category and a priority.
//
// Category: illness words (one strong symptom, or two mild ones) give
// foodborne_illness; so does a submitted foodborne_illness that the words
// neither deny nor contradict (no other category's words, no other topic).
// Else school words (or a submitted school_food) give school_food. Else a
// submitted food-safety category (spoiled_food … price_weight) stands when
// the text has its words or another category's (a dirty stall may well be
// unlicensed too; the other words are shown as signals). Else the first
// category found, in categoryOrder, replaces a weak choice (other,
// online_order, an illness the words contradict). Else the submitted
// category when the text is about nothing else; else other.
//
// Priority: the category's default; urgent with illness; at least high
// with school words or spoiled food.
func decide(submitted string, found, denied map[kind][]string) Reading {
	// One mild symptom alone decides nothing; two are read as illness.
	if len(found[kIllnessWeak]) >= 2 || (len(found[kIllnessWeak]) > 0 && len(found[kIllness]) > 0) {
		found[kIllness] = append(found[kIllness], found[kIllnessWeak]...)
		delete(found, kIllnessWeak)
	}
	r := Reading{Submitted: submitted, Signals: signals(found), Denied: signals(denied)}
	_, known := shian.LookupComplaintCategory(submitted)
	cat := func(c, because string, words []string) {
		r.Category = c
		r.Reasons = append(r.Reasons, Reason{Field: "category", Value: c, Because: because, Words: words})
	}
	contrary := len(denied[kIllness]) > 0 || r.Has(OtherTopic)
	for _, c := range categoryOrder {
		contrary = contrary || r.Has(c)
	}
	switch {
	case r.Has(Illness):
		cat(shian.CategoryIllness, Illness, r.Words(Illness))
	case submitted == shian.CategoryIllness && !contrary:
		cat(shian.CategoryIllness, "submitted", nil)
	case submitted == catSchool || r.Has(School):
		if r.Has(School) {
			cat(catSchool, School, r.Words(School))
		} else {
			cat(catSchool, "submitted", nil)
		}
	default:
		specific := slices.Contains(categoryOrder, submitted) && submitted != OnlineOrder
		first := ""
		for _, c := range categoryOrder {
			if r.Has(c) {
				first = c
				break
			}
		}
		switch {
		case specific && r.Has(submitted):
			cat(submitted, submitted, r.Words(submitted))
		case specific && first != "":
			// A dirty stall may well be unlicensed too: the choice stands,
			// and the other words are shown as signals.
			cat(submitted, "submitted", nil)
		case first != "":
			cat(first, first, r.Words(first))
		case submitted == shian.CategoryIllness && len(denied[kIllness]) > 0:
			cat(catOther, "denied", denied[kIllness])
		case known && !r.Has(OtherTopic):
			cat(submitted, "submitted", nil)
		default:
			cat(catOther, OtherTopic, r.Words(OtherTopic))
		}
	}
	c, _ := shian.LookupComplaintCategory(r.Category)
	r.Priority = c.Priority
	why := Reason{Field: "priority", Value: r.Priority, Because: "default"}
	switch {
	case r.Has(Illness):
		r.Priority = shian.PriorityUrgent
		why = Reason{Field: "priority", Value: r.Priority, Because: Illness, Words: r.Words(Illness)}
	case r.Has(School) && shian.PriorityRank(r.Priority) < shian.PriorityRank(shian.PriorityHigh):
		r.Priority = shian.PriorityHigh
		why = Reason{Field: "priority", Value: r.Priority, Because: School, Words: r.Words(School)}
	case r.Has(School) && r.Category == catSchool:
		why = Reason{Field: "priority", Value: r.Priority, Because: School, Words: r.Words(School)}
	case r.Has(Spoiled):
		r.Priority = shian.PriorityHigh
		why = Reason{Field: "priority", Value: r.Priority, Because: Spoiled, Words: r.Words(Spoiled)}
	case r.Priority != shian.PriorityLow && r.Reasons[0].Because != "submitted":
		why.Because, why.Words = r.Reasons[0].Because, r.Reasons[0].Words
	}
	if r.Has(Children) && r.Priority != shian.PriorityLow {
		why.Words = append(slices.Clip(why.Words), r.Words(Children)...)
	}
	why.Value = r.Priority
	r.Reasons = append(r.Reasons, why)
	return r
}
