package strictjson

import (
	"encoding/json"
	"errors"
	"io"
	"testing"
)

type sample struct {
	Name  string `json:"name"`
	Count int    `json:"count"`
}

func TestDecode(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		check    func(error) bool
		unknown  string
	}{
		{"ok", `{"name":"x","count":2}`, func(err error) bool { return err == nil }, ""},
		{"ok with space after", "{\"name\":\"x\"}\n  ", func(err error) bool { return err == nil }, ""},
		{"empty", ``, func(err error) bool { return errors.Is(err, io.EOF) }, ""},
		{"trailing", `{"name":"x"} {}`, func(err error) bool { return errors.Is(err, ErrTrailing) }, ""},
		{"unknown field", `{"nmae":"x"}`, func(err error) bool { return err != nil }, "nmae"},
		{"wrong type", `{"count":"2"}`, func(err error) bool {
			var te *json.UnmarshalTypeError
			return errors.As(err, &te) && te.Field == "count"
		}, ""},
		{"syntax", `{"name":`, func(err error) bool { return errors.Is(err, io.ErrUnexpectedEOF) }, ""},
		{"bad syntax", `{"name" "x"}`, func(err error) bool {
			var se *json.SyntaxError
			return errors.As(err, &se)
		}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var v sample
			err := Decode([]byte(tc.in), &v)
			if !tc.check(err) {
				t.Fatalf("%q: %v", tc.in, err)
			}
			name, ok := UnknownField(err)
			if ok != (tc.unknown != "") || name != tc.unknown {
				t.Fatalf("UnknownField = %q, %v; want %q", name, ok, tc.unknown)
			}
		})
	}
	if v := (sample{}); Decode([]byte(`{"name":"食安","count":3}`), &v) != nil || v.Name != "食安" || v.Count != 3 {
		t.Fatalf("decoded %+v", v)
	}
}

func FuzzDecode(f *testing.F) {
	for _, s := range []string{`{"name":"x"}`, `{"x":1}`, `{} {}`, ``, `[`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var v sample
		err := Decode(data, &v)
		if err == nil && !json.Valid(data) {
			t.Fatalf("accepted invalid JSON %q", data)
		}
		if name, ok := UnknownField(err); ok && name == "" && err == nil {
			t.Fatal("unknown field without an error")
		}
	})
}
