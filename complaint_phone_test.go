package shian

import (
	"strings"
	"testing"
)

func TestNormalizePhoneIn(t *testing.T) {
	for _, c := range []struct {
		in, lang, want string
		ok             bool
	}{
		{"8 916 123-45-67", "ru", "+79161234567", true},
		{"8 (916) 123 45 67", "ru", "+79161234567", true},
		{"7 916 123 45 67", "ru", "+79161234567", true},
		{"8 (495) 123-45-67", "ru", "+74951234567", true},
		{"8 916 123-45-67", "zh", "", false}, // without the form's language, not a number of China
		{"8 916 123-45-67", "en", "", false},
		{"+7 916 123-45-67", "zh", "+79161234567", true}, // the + says the country in every language
		{"07700 900123", "en", "+447700900123", true},
		{"07700 900123", "zh", "07700900123", true}, // a landline of a 07xx area code in Chinese
		{"+44 7700 900123", "ru", "+447700900123", true},
		{"138 1234 5678", "ru", "13812345678", true},
		{"138 1234 5678", "en", "13812345678", true},
		{"0335-1234567", "en", "03351234567", true},
		{"0335-1234567", "ru", "03351234567", true},
		{"8 016 123-45-67", "ru", "", false}, // no Russian code starts with 0
		{"0044 7700 900123", "en", "+447700900123", true},
	} {
		got, ok := NormalizePhoneIn(c.in, c.lang)
		if got != c.want || ok != c.ok {
			t.Errorf("NormalizePhoneIn(%q, %s) = %q %v, want %q %v", c.in, c.lang, got, ok, c.want, c.ok)
		}
	}
}

func TestPhoneHint(t *testing.T) {
	for lang, want := range map[string]string{"zh": "+7 916", "en": "07700 900123", "ru": "8 916 123-45-67"} {
		if h := PhoneHint(lang); !strings.Contains(h, want) {
			t.Errorf("hint in %s %q lacks %q", lang, h, want)
		}
	}
}

func FuzzNormalizePhoneIn(f *testing.F) {
	for _, s := range []string{"8 916 123-45-67", "07700 900123", "+44 7700 900123", "7 916", "88888888888"} {
		f.Add(s, "ru")
		f.Add(s, "en")
	}
	f.Fuzz(func(t *testing.T, s, lang string) {
		p, ok := NormalizePhoneIn(s, lang)
		if !ok {
			return
		}
		// Normalising again changes nothing; a number with its country
		// code (+) means the same in every language.
		langs := []string{lang}
		if strings.HasPrefix(p, "+") {
			langs = []string{"zh", "en", "ru"}
		}
		for _, l := range langs {
			if again, ok := NormalizePhoneIn(p, l); !ok || again != p {
				t.Fatalf("%q (%s) → %q, which in %s is %q %v", s, lang, p, l, again, ok)
			}
		}
	})
}
