package reading

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"shian"
)

// Place is where a text says something happened: a district named, or a
// well-known place or street of a district.
type Place struct {
	District string `json:"district"` // a district code of shian.Districts
	Name     string `json:"name"`     // the place's Chinese name (北戴河区, 鸽子窝, 保二路)
	Kind     string `json:"kind"`     // "district", "landmark" or "street"
	// Words are the words of the text that named this district, the first
	// one first ("鸽子窝", "beidaihe"), as Normalize leaves them.
	Words []string `json:"words"`
}

type gazetteerPlace struct {
	District string   `json:"district"`
	Kind     string   `json:"kind"`
	Name     string   `json:"name"`
	Names    []string `json:"names"`
}

var (
	//go:embed data/places.json
	placesData []byte

	places, placeMatcher = mustGazetteer(placesData)
)

func mustGazetteer(data []byte) ([]gazetteerPlace, *matcher) {
	ps, m, err := parseGazetteer(data)
	if err != nil {
		panic("reading: " + err.Error()) // the embedded file is tested
	}
	return ps, m
}

// parseGazetteer reads data/places.json: every place names a known
// district, every name is normalized, and no name belongs to two places.
func parseGazetteer(data []byte) ([]gazetteerPlace, *matcher, error) {
	var f struct {
		Note   string           `json:"note"`
		Places []gazetteerPlace `json:"places"`
	}
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return nil, nil, fmt.Errorf("places: %w", err)
	}
	var entries []*entry
	seen := map[string]string{}
	for i, p := range f.Places {
		if _, ok := shian.LookupCode(shian.Districts, p.District); !ok {
			return nil, nil, fmt.Errorf("places: %s: unknown district %q", p.Name, p.District)
		}
		if p.Kind != "district" && p.Kind != "landmark" && p.Kind != "street" {
			return nil, nil, fmt.Errorf("places: %s: unknown kind %q", p.Name, p.Kind)
		}
		if len(p.Names) == 0 {
			return nil, nil, fmt.Errorf("places: %s has no names", p.Name)
		}
		for _, n := range p.Names {
			e, err := newEntry(n, kPlace)
			if err != nil {
				return nil, nil, fmt.Errorf("places: %s: %w", p.Name, err)
			}
			if other, dup := seen[e.text]; dup && other != p.Name {
				return nil, nil, fmt.Errorf("places: %q names both %s and %s", e.text, other, p.Name)
			}
			seen[e.text] = p.Name
			e.place = i
			entries = append(entries, e)
		}
	}
	return f.Places, newMatcher(entries), nil
}

// Locate finds the district a text names, by district name or by a place
// in it. The earliest mention wins, and at one position the longest name
// (北戴河新区 is not 北戴河, 秦皇岛站 is a place); ok is false when none is
// named. Text in any of zh (simplified or traditional), en, ru.
func Locate(text string) (p Place, ok bool) {
	t := Normalize(text)
	toks := placeMatcher.scan(t, nil)
	if len(toks) == 0 {
		return Place{}, false
	}
	first := places[toks[0].e.place]
	p = Place{District: first.District, Name: first.Name, Kind: first.Kind}
	for _, tk := range toks {
		if places[tk.e.place].District != p.District {
			continue
		}
		w := t[tk.start:tk.end]
		if !slices.Contains(p.Words, w) {
			p.Words = append(p.Words, w)
		}
	}
	return p, true
}
