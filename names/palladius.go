package names

import "strings"

// The Palladius system (система Палладия) is the standard transcription of
// Mandarin into Russian, used by maps, atlases and the press: 北京
// Бэйцзин, 秦皇岛 Циньхуандао. It is defined on pinyin syllables: an
// initial and a final, each with a fixed Cyrillic spelling, with a few
// syllable-level exceptions (zi цзы, hui хуэй, the -uo finals).

var palladiusInitials = map[string]string{
	"b": "б", "p": "п", "m": "м", "f": "ф", "d": "д", "t": "т", "n": "н", "l": "л",
	"g": "г", "k": "к", "h": "х", "j": "цз", "q": "ц", "x": "с",
	"zh": "чж", "ch": "ч", "sh": "ш", "r": "ж", "z": "цз", "c": "ц", "s": "с",
}

// palladiusFinals spells a final after an initial.
var palladiusFinals = map[string]string{
	"a": "а", "o": "о", "e": "э", "ai": "ай", "ei": "эй", "ao": "ао", "ou": "оу",
	"an": "ань", "en": "энь", "ang": "ан", "eng": "эн", "ong": "ун", "er": "эр",
	"i": "и", "ia": "я", "ie": "е", "iao": "яо", "iu": "ю", "ian": "янь", "in": "инь",
	"iang": "ян", "ing": "ин", "iong": "юн",
	"u": "у", "ua": "уа", "uo": "о", "uai": "уай", "ui": "уй", "uan": "уань", "un": "унь",
	"uang": "уан",
	"v":    "юй", "ve": "юэ", "van": "юань", "vn": "юнь",
}

// palladiusBare spells the syllables without an initial (y-, w- and bare
// vowels).
var palladiusBare = map[string]string{
	"a": "а", "o": "о", "e": "э", "ai": "ай", "ei": "эй", "ao": "ао", "ou": "оу",
	"an": "ань", "en": "энь", "ang": "ан", "eng": "эн", "er": "эр",
	"yi": "и", "ya": "я", "ye": "е", "yao": "яо", "you": "ю", "yan": "янь", "yin": "инь",
	"yang": "ян", "ying": "ин", "yong": "юн", "yo": "йо",
	"wu": "у", "wa": "ва", "wo": "во", "wai": "вай", "wei": "вэй", "wan": "вань", "wen": "вэнь",
	"wang": "ван", "weng": "вэн",
	"yu": "юй", "yue": "юэ", "yuan": "юань", "yun": "юнь",
}

// palladiusSyllable spells one toneless pinyin syllable (ü written v or
// u after j, q, x, y) in lower-case Cyrillic; ok is false for a string
// that is not a Mandarin syllable.
func palladiusSyllable(py string) (string, bool) {
	py = strings.ToLower(strings.ReplaceAll(py, "ü", "v"))
	if c, ok := palladiusBare[py]; ok {
		return c, true
	}
	ini := ""
	for _, two := range []string{"zh", "ch", "sh"} {
		if strings.HasPrefix(py, two) {
			ini = two
		}
	}
	if ini == "" && len(py) > 1 {
		ini = py[:1]
	}
	cy, ok := palladiusInitials[ini]
	if !ok {
		return "", false
	}
	fin := py[len(ini):]
	switch ini {
	case "j", "q", "x":
		// ju, que, xuan, jun: the u is ü.
		if strings.HasPrefix(fin, "u") {
			fin = "v" + fin[1:]
		}
	case "z", "c", "s":
		if fin == "i" {
			return cy + "ы", true // zi цзы, ci цы, si сы
		}
	case "h":
		if fin == "ui" {
			return "хуэй", true // 回, 会, 惠
		}
	case "b", "p", "m", "f":
		if fin == "o" {
			return cy + "о", true
		}
	}
	if strings.HasPrefix(fin, "v") && ini != "n" && ini != "l" && ini != "j" && ini != "q" && ini != "x" {
		return "", false
	}
	f, ok := palladiusFinals[fin]
	if !ok {
		return "", false
	}
	if ini == "n" || ini == "l" {
		switch fin {
		case "v":
			f = "юй" // nü нюй, lü люй
		case "ve":
			f = "юэ" // nüe нюэ, lüe люэ
		}
	}
	return cy + f, true
}
