package search

import (
	_ "embed"
	"strings"
)

// contractionsFile lists the contractions people type for institution
// names (一中 for 第一中学); see its header for the format.
//
//go:embed data/contractions.txt
var contractionsFile string

// numerals are what {N} stands for in the contractions file.
var numerals = []string{"一", "二", "三", "四", "五", "六", "七", "八", "九", "十",
	"十一", "十二", "十三", "十四", "十五", "十六", "十七", "十八", "十九", "二十"}

// cityPrefixes are dropped from the front of a contracted name: people say
// 一中, not 秦皇岛市一中.
var cityPrefixes = []string{"河北省秦皇岛市", "秦皇岛市", "秦皇岛", "河北省"}

type contraction struct{ full, short string }

// contractions holds the rules of contractionsFile with {N} expanded,
// longest full form first.
var contractions = parseContractions(contractionsFile)

func parseContractions(text string) []contraction {
	var out []contraction
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		full, short, ok := strings.Cut(line, "\t")
		if !ok {
			panic("search: contractions.txt: no tab in " + line)
		}
		full, short = strings.TrimSpace(full), strings.TrimSpace(short)
		if !strings.Contains(full, "{N}") {
			out = append(out, contraction{full, short})
			continue
		}
		for _, n := range numerals {
			out = append(out, contraction{strings.ReplaceAll(full, "{N}", n), strings.ReplaceAll(short, "{N}", n)})
		}
	}
	// Longest first, so that 市第一医院 wins over 第一医院 at the same place.
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && len([]rune(out[j].full)) > len([]rune(out[j-1].full)); j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

// ShortNames returns the forms of name people abbreviate it to: each
// contraction rule that applies, and the name without the city in front
// (with and without the contractions). None when no rule applies and no
// city prefix is there.
func ShortNames(name string) []string {
	seen := map[string]bool{name: true}
	var out []string
	add := func(s string) {
		if s != "" && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	forms := []string{name}
	contracted := name
	for _, c := range contractions {
		if strings.Contains(contracted, c.full) {
			contracted = strings.ReplaceAll(contracted, c.full, c.short)
		}
	}
	if contracted != name {
		forms = append(forms, contracted)
		add(contracted)
	}
	for _, f := range forms {
		for _, p := range cityPrefixes {
			// No break: 秦皇岛市一院 gives both 市一院 and 一院.
			if rest, ok := strings.CutPrefix(f, p); ok {
				add(rest)
				if p == "秦皇岛市" {
					add("秦皇岛" + rest) // 秦皇岛一中
				}
			}
		}
	}
	return out
}
