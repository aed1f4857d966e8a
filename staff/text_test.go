package staff

import (
	"errors"
	"testing"

	"shian"
)

// TestCleanTextRefusesBidi (issue 19, item 8): staff notes and reasons go
// through shian.FreeText: an override is refused naming the field, and a
// note of zero-width characters is no note.
func TestCleanTextRefusesBidi(t *testing.T) {
	for _, in := range []string{"已核查\u202e属实", "note \u2066x\u2069"} {
		_, err := cleanText("note", in, 2000)
		var e *shian.Error
		if !errors.As(err, &e) || e.Field != "note" || e.Key != "text_bidi" {
			t.Errorf("cleanText(%q) = %v, want text_bidi on note", in, err)
		}
	}
	if got, err := cleanText("note", "\u200b\u200b\u200b", 2000); err != nil || got != "" {
		t.Errorf("zero-width note = %q, %v; want empty", got, err)
	}
	if got, err := cleanText("note", "已电话联系投诉人", 2000); err != nil || got != "已电话联系投诉人" {
		t.Errorf("plain note = %q, %v", got, err)
	}
}
