package seed

import (
	"math/rand/v2"
	"strconv"
	"strings"
)

// This file makes licence numbers, unified social credit codes and phone
// numbers in the shapes a local sees on the certificates at a shop's door.

// licence returns a unique licence number of the shape used for the
// category: 食品经营许可证 JY + 14 digits (business type, county code,
// sequence, check digit); 食品生产许可证 SC + 14 digits (food category,
// county code, sequence, check digit); and the Hebei registration
// certificates of small workshops (ZF) and street vendors (TF). Numbers are
// unique because each (shape, county) keeps a counter that only grows.
func (g *gen) licence(d *district, cat, scCategory string) string {
	var head string
	width, shape := 6, 0
	switch cat {
	case "retail":
		head = "JY1" + d.admin
	case "canteen", "school_canteen":
		head = "JY3" + d.admin
	case "producer":
		head, width, shape = "SC"+scCategory+d.admin, 4, 1
	case "workshop":
		head, width, shape = "ZF"+d.admin, 5, 2
	case "street_vendor":
		head, width, shape = "TF"+d.admin, 5, 3
	default: // restaurant, online
		head = "JY2" + d.admin
	}
	// One counter per county and shape (not per JY business type or SC
	// food category), so that numbers differ in their sequence part too.
	n := &g.seq[d.idx][shape]
	if *n == 0 {
		*n = 1 + g.r.IntN(40)
	} else {
		*n += 1 + g.r.IntN(3)
	}
	s := head + pad(*n, width)
	return s + string(rune('0'+checkDigit(s)))
}

// pad writes n with at least width digits; a larger n simply gets longer,
// which keeps numbers unique and within the 32 characters of a licence.
func pad(n, width int) string {
	s := strconv.Itoa(n)
	if len(s) < width {
		s = strings.Repeat("0", width-len(s)) + s
	}
	return s
}

// checkDigit is a weighted mod-10 sum over the digits of s, standing in for
// the check digit of real licence numbers.
func checkDigit(s string) int {
	sum := 0
	w := 3
	for i := len(s) - 1; i >= 0; i-- {
		if c := s[i]; c >= '0' && c <= '9' {
			sum += int(c-'0') * w
			w = 4 - w // 3, 1, 3, 1 …
		}
	}
	return (10 - sum%10) % 10
}

// usccChars is the alphabet of unified social credit codes (GB 32100-2015):
// digits and upper-case letters without I, O, Z, S and V.
const usccChars = "0123456789ABCDEFGHJKLMNPQRTUWXY"

var usccWeights = [17]int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}

// creditCode returns an 18-character 统一社会信用代码 with a valid GB 32100
// check character: registration authority and entity type (91 company,
// 92 sole trader, 11 government body, 12 public institution), the county
// code, a 9-character organisation code and the check character.
func creditCode(r *rand.Rand, kind, admin string) string {
	var b strings.Builder
	b.Grow(18)
	b.WriteString(kind)
	b.WriteString(admin)
	if kind == "92" || (kind == "91" && r.IntN(2) == 0) {
		// Codes issued since 2015 to new businesses start with MA.
		b.WriteString("MA")
		for range 7 {
			b.WriteByte(usccChars[r.IntN(len(usccChars))])
		}
	} else {
		for range 8 {
			b.WriteByte(usccChars[r.IntN(10)])
		}
		b.WriteByte(usccChars[r.IntN(len(usccChars))])
	}
	s := b.String()
	sum := 0
	for i := range 17 {
		sum += strings.IndexByte(usccChars, s[i]) * usccWeights[i]
	}
	return s + string(usccChars[(31-sum%31)%31])
}

// phone returns a Qinhuangdao landline (0335-xxxxxxx) or a mobile number.
func phone(r *rand.Rand, mobileShare float64) string {
	if r.Float64() < mobileShare {
		prefixes := [...]string{"130", "131", "132", "135", "136", "138", "139", "150", "151", "155", "158", "180", "186", "187", "188", "199"}
		return prefixes[r.IntN(len(prefixes))] + pad(r.IntN(100000000), 8)
	}
	return "0335-" + strconv.Itoa(3+r.IntN(6)) + pad(r.IntN(1000000), 6)
}
