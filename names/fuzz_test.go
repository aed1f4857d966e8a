package names

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// Names and addresses come from registries: whatever they hold, the
// visitor's name is valid text and never empty for a name that is not blank.
func FuzzVisitor(f *testing.F) {
	for _, s := range []string{"老二位海鲜大排档", "肯德基（北戴河店）", "KTV量贩", "𠮷野家", "！！！", "(店)", "（）店", "店", "饺子馆店", "\xff\xfe", "A8咖啡", "海鲜海鲜海鲜"} {
		f.Add(s)
	}
	n := MustNew(f)
	f.Fuzz(func(t *testing.T, s string) {
		v := n.Visitor(s)
		a := n.Address(s)
		for _, out := range []string{v.EN, v.RU, a.EN, a.RU, a.ZH} {
			if !utf8.ValidString(out) {
				t.Fatalf("%q gave invalid UTF-8 %q", s, out)
			}
		}
		if strings.TrimSpace(strings.ToValidUTF8(s, "")) != "" {
			if v.EN == "" || v.RU == "" || a.EN == "" || a.RU == "" {
				t.Fatalf("%q gave an empty name or address: %+v %+v", s, v, a)
			}
		}
		n.Catalog().Match(s)
	})
}
