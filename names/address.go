package names

import (
	"fmt"
	"io/fs"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Address is a shop's address for visitors. ZH is the address as
// registered, for showing to a taxi driver; EN and RU are written smallest
// part first, the way an English or Russian address reads: "12 Bao'er Lu,
// Beidaihe District" and "ул. Баоэр 12, район Бэйдайхэ".
type Address struct {
	ZH, EN, RU string
}

const (
	addrPlace  = "place"
	addrStreet = "street"
	addrArea   = "area"
	addrNumber = "number"
)

type addrRule struct {
	zh, kind, en, ru string
}

type addressBook struct {
	places, suffixes, numbers map[string]*addrRule
	maxLen                    int
}

func parseAddressBook(fsys fs.FS, file string) (*addressBook, error) {
	b := &addressBook{places: map[string]*addrRule{}, suffixes: map[string]*addrRule{}, numbers: map[string]*addrRule{}}
	seen := map[string]int{}
	err := readTSV(fsys, file, 4, 4, func(line int, f []string) error {
		r := &addrRule{zh: f[0], kind: f[1], en: f[2], ru: f[3]}
		if r.zh == "" || r.en == "" || r.ru == "" {
			return fmt.Errorf("empty field")
		}
		for _, c := range r.zh {
			if !unicode.Is(unicode.Han, c) {
				return fmt.Errorf("%q has a character that is not Chinese (%q)", r.zh, c)
			}
		}
		var into map[string]*addrRule
		switch r.kind {
		case addrPlace:
			into = b.places
		case addrStreet, addrArea:
			into = b.suffixes
		case addrNumber:
			into = b.numbers
		default:
			return fmt.Errorf("unknown kind %q (place, street, area, number)", r.kind)
		}
		if r.kind != addrPlace && (strings.Count(r.en, "{}") != 1 || strings.Count(r.ru, "{}") != 1) {
			return fmt.Errorf("en and ru must each hold {} once")
		}
		if prev, ok := seen[r.zh]; ok {
			return fmt.Errorf("%s is already defined on line %d", r.zh, prev)
		}
		seen[r.zh] = line
		into[r.zh] = r
		b.maxLen = max(b.maxLen, utf8.RuneCountInString(r.zh))
		return nil
	})
	if err != nil {
		return nil, err
	}
	return b, nil
}

// longest returns the longest rule of m starting at rs[i].
func (b *addressBook) longest(m map[string]*addrRule, rs []rune, i int) *addrRule {
	for l := min(b.maxLen, len(rs)-i); l >= 1; l-- {
		if r, ok := m[string(rs[i:i+l])]; ok {
			return r
		}
	}
	return nil
}

type addrPart struct {
	en, ru string
	street bool
	house  string // a 号 number, to be joined to the street before it
}

// Address writes a registered address for visitors. The Chinese is kept as
// given (trimmed). Parts it cannot place are spelled as they are.
func (n *Namer) Address(zh string) Address {
	zh = strings.TrimSpace(strings.ToValidUTF8(zh, ""))
	out := Address{ZH: zh}
	if zh == "" {
		return out
	}
	var rs []rune
	for _, r := range zh {
		r = foldWidth(r)
		if !unicode.IsSpace(r) {
			rs = append(rs, r)
		}
	}
	b := n.addr
	var parts []addrPart
	textStart := 0
	flush := func(end int) {
		if textStart < end {
			ts := n.sp.spell(string(rs[textStart:end]))
			if len(ts) > 0 {
				parts = append(parts, addrPart{en: joinedLatin(ts), ru: joinedCyrillic(ts)})
			}
		}
	}
	for i := 0; i < len(rs); {
		if isDigit(rs[i]) {
			j := i
			for j < len(rs) && (isDigit(rs[j]) || rs[j] == '-' && j+1 < len(rs) && isDigit(rs[j+1])) {
				j++
			}
			if r := b.longest(b.numbers, rs, j); r != nil {
				flush(i)
				num := string(rs[i:j])
				if r.zh == "号" {
					parts = append(parts, addrPart{house: num})
				} else {
					parts = append(parts, addrPart{en: fill(r.en, num), ru: fill(r.ru, num)})
				}
				i = j + utf8.RuneCountInString(r.zh)
				textStart = i
				continue
			}
			i = j
			continue
		}
		if r := b.longest(b.places, rs, i); r != nil {
			flush(i)
			parts = append(parts, addrPart{en: r.en, ru: r.ru})
			i += utf8.RuneCountInString(r.zh)
			textStart = i
			continue
		}
		if r := b.longest(b.suffixes, rs, i); r != nil && textStart < i {
			ts := n.sp.spell(string(rs[textStart:i]))
			if len(ts) > 0 {
				parts = append(parts, addrPart{en: fill(r.en, joinedLatin(ts)), ru: fill(r.ru, joinedCyrillic(ts)), street: r.kind == addrStreet})
			}
			i += utf8.RuneCountInString(r.zh)
			textStart = i
			continue
		}
		i++
	}
	flush(len(rs))
	// Join house numbers to their street, then write smallest first.
	var joined []addrPart
	for _, p := range parts {
		if p.house == "" {
			joined = append(joined, p)
			continue
		}
		if k := len(joined) - 1; k >= 0 && joined[k].street {
			joined[k].en = p.house + " " + joined[k].en
			joined[k].ru = joined[k].ru + " " + p.house
			joined[k].street = false
			continue
		}
		joined = append(joined, addrPart{en: "No. " + p.house, ru: "д. " + p.house})
	}
	var en, ru []string
	for i := len(joined) - 1; i >= 0; i-- {
		if joined[i].en != "" {
			en = append(en, joined[i].en)
			ru = append(ru, joined[i].ru)
		}
	}
	out.EN, out.RU = strings.Join(en, ", "), strings.Join(ru, ", ")
	if out.EN == "" {
		out.EN = zh
	}
	if out.RU == "" {
		out.RU = zh
	}
	return out
}

func isDigit(r rune) bool { return r >= '0' && r <= '9' }

func fill(tmpl, v string) string { return strings.Replace(tmpl, "{}", v, 1) }
