package qrcodes

import (
	"math"
	"strings"
	"testing"

	"shian"
)

// testMaster stands in for SHIAN_SECRET.
var testMaster = []byte("test master secret, 32 bytes ok!")

func mustSigner(tb testing.TB, master []byte, spec string) *Signer {
	tb.Helper()
	keys, err := DeriveKeys(master, spec)
	if err != nil {
		tb.Fatal(err)
	}
	s, err := NewSigner(keys)
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

const base32Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"

func TestSignVerifyRoundTrip(t *testing.T) {
	s := mustSigner(t, testMaster, "7")
	tests := []struct {
		name    string
		shop    int64
		version int
	}{
		{"zero", 0, 0},
		{"first shop", 1, 1},
		{"one-byte varint edge", 127, 127},
		{"two-byte varint", 128, 128},
		{"typical city", 48213, 3},
		{"two million shops", 2_000_000, 2},
		{"huge", 1 << 40, 1000},
		{"max", math.MaxInt64, math.MaxInt},
		{"negative still round-trips", -5, -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok := s.Sign(tt.shop, tt.version)
			for _, r := range tok {
				if !strings.ContainsRune(base32Alphabet, r) {
					t.Fatalf("token %q has %q outside A-Z2-7", tok, r)
				}
			}
			want := Claims{ShopID: tt.shop, Version: tt.version, KeyID: 7}
			for _, in := range []string{tok, strings.ToLower(tok), mixCase(tok)} {
				got, err := s.Verify(in)
				if err != nil {
					t.Fatalf("Verify(%q): %v", in, err)
				}
				if got != want {
					t.Fatalf("Verify(%q) = %+v, want %+v", in, got, want)
				}
			}
		})
	}
}

func mixCase(s string) string {
	b := []byte(s)
	for i := range b {
		if i%2 == 0 && b[i] >= 'A' && b[i] <= 'Z' {
			b[i] += 'a' - 'A'
		}
	}
	return string(b)
}

func TestTokenLength(t *testing.T) {
	s := mustSigner(t, testMaster, "")
	// The version-4 bound (render_test.go) budgets 21 characters for a
	// token: shop ids below 2,097,152 and sticker versions below 128.
	for _, tc := range []struct {
		shop    int64
		version int
		want    int
	}{
		{1, 1, 18},
		{16383, 1, 20},
		{2_097_151, 127, 21},
	} {
		if got := len(s.Sign(tc.shop, tc.version)); got != tc.want {
			t.Errorf("len(Sign(%d, %d)) = %d, want %d", tc.shop, tc.version, got, tc.want)
		}
	}
}

func TestVerifyRejects(t *testing.T) {
	s := mustSigner(t, testMaster, "1")
	good := s.Sign(48213, 3)
	other := mustSigner(t, []byte("another city's secret, 32 bytes!"), "1").Sign(48213, 3)
	// A token whose unused low bits in the last character are set decodes
	// to the same bytes with a lenient decoder; it must not verify.
	last := strings.IndexByte(base32Alphabet, good[len(good)-1])
	stray := good[:len(good)-1] + string(base32Alphabet[last|1])
	if stray == good {
		stray = good[:len(good)-1] + string(base32Alphabet[last&^1])
	}
	tests := []struct {
		name  string
		token string
		code  string
	}{
		{"empty", "", shian.EINVALID},
		{"too short", good[:10], shian.EINVALID},
		{"too long", strings.Repeat("A", 48), shian.EINVALID},
		{"truncated by one", good[:len(good)-1], shian.EINVALID},
		{"digit outside base32", "0" + good[1:], shian.EINVALID},
		{"padding", good[:len(good)-1] + "=", shian.EINVALID},
		{"space", " " + good[1:], shian.EINVALID},
		{"unicode long s, upper-cases to S", "ſ" + good[1:], shian.EINVALID},
		{"path prefix", "/S/" + good, shian.EINVALID},
		{"other city's key", other, shian.ENOTFOUND},
		{"stray low bits", stray, shian.ENOTFOUND},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.token == good {
				t.Fatal("test token equals the good one")
			}
			_, err := s.Verify(tt.token)
			if got := shian.ErrorCode(err); got != tt.code {
				t.Fatalf("Verify(%q) error %v (code %q), want code %q", tt.token, err, got, tt.code)
			}
		})
	}
	if _, err := s.Verify(good); err != nil {
		t.Fatalf("the good token fails: %v", err)
	}
}

// TestTamperEveryCharacter replaces each character of tokens with every
// other character, valid or not, in both cases, and drops each character:
// none of the results may verify.
func TestTamperEveryCharacter(t *testing.T) {
	s := mustSigner(t, testMaster, "2,1")
	subs := base32Alphabet + strings.ToLower(base32Alphabet) + "0189=-_. /"
	for _, tc := range []struct {
		shop    int64
		version int
	}{{1, 1}, {48213, 3}, {2_000_000, 127}} {
		tok := s.Sign(tc.shop, tc.version)
		t.Run(tok, func(t *testing.T) {
			tried := 0
			for i := range len(tok) {
				for _, c := range []byte(subs) {
					if asciiUpper(string(c)) == tok[i:i+1] {
						continue // the same character, in either case
					}
					bad := tok[:i] + string(c) + tok[i+1:]
					tried++
					if got, err := s.Verify(bad); err == nil {
						t.Fatalf("tampered token %q (position %d) verifies as %v", bad, i, got)
					}
				}
				if got, err := s.Verify(tok[:i] + tok[i+1:]); err == nil {
					t.Fatalf("token without character %d verifies as %v", i, got)
				}
			}
			if min := len(tok) * (len(subs) - 2); tried < min {
				t.Fatalf("tried %d substitutions, want at least %d", tried, min)
			}
		})
	}
}

func TestKeyRotation(t *testing.T) {
	before := mustSigner(t, testMaster, "1")
	old := before.Sign(42, 1)

	rotated := mustSigner(t, testMaster, "2,1")
	if got := rotated.CurrentKeyID(); got != 2 {
		t.Fatalf("current key %d, want 2", got)
	}
	fresh := rotated.Sign(42, 1)
	if fresh == old {
		t.Fatal("a new key signs the same token as the old key")
	}

	tests := []struct {
		name    string
		spec    string
		token   string
		wantKey byte
		code    string
	}{
		{"old sticker after rotation", "2,1", old, 1, ""},
		{"new sticker after rotation", "2,1", fresh, 2, ""},
		{"old sticker, old key retired", "2,1:retired", old, 0, shian.ENOTFOUND},
		{"new sticker, old key retired", "2,1:retired", fresh, 2, ""},
		{"old sticker, old key dropped", "2", old, 0, shian.ENOTFOUND},
		{"new sticker before rotation", "1", fresh, 0, shian.ENOTFOUND},
		{"new sticker, current key retired", "3,2:retired,1", fresh, 0, shian.ENOTFOUND},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := mustSigner(t, testMaster, tt.spec).Verify(tt.token)
			if got := shian.ErrorCode(err); got != tt.code {
				t.Fatalf("Verify: %v (code %q), want code %q", err, got, tt.code)
			}
			if err == nil && (c.KeyID != tt.wantKey || c.ShopID != 42 || c.Version != 1) {
				t.Fatalf("claims %+v, want shop 42 version 1 key %d", c, tt.wantKey)
			}
			if err != nil && err.Error() != "this code was not issued by the city" {
				t.Fatalf("message %q", err.Error())
			}
		})
	}
}

// TestStickerVersions: re-issuing a sticker gives a new token; the old one
// still verifies and carries its version, so the caller can say "outdated".
func TestStickerVersions(t *testing.T) {
	s := mustSigner(t, testMaster, "1")
	v1, v2 := s.Sign(42, 1), s.Sign(42, 2)
	if v1 == v2 {
		t.Fatal("versions 1 and 2 give the same token")
	}
	for _, tc := range []struct {
		token string
		want  int
	}{{v1, 1}, {v2, 2}} {
		c, err := s.Verify(tc.token)
		if err != nil {
			t.Fatal(err)
		}
		if c.Version != tc.want || c.ShopID != 42 {
			t.Fatalf("Verify(%s) = %+v, want shop 42 version %d", tc.token, c, tc.want)
		}
	}
}

func TestNewSignerRejects(t *testing.T) {
	secret := []byte("0123456789abcdef")
	tests := []struct {
		name string
		keys []Key
	}{
		{"no keys", nil},
		{"all retired", []Key{{ID: 1, Secret: secret, Retired: true}}},
		{"duplicate id", []Key{{ID: 1, Secret: secret}, {ID: 1, Secret: secret, Retired: true}}},
		{"short secret", []Key{{ID: 1, Secret: secret[:15]}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewSigner(tt.keys)
			if got := shian.ErrorCode(err); got != shian.EINVALID {
				t.Fatalf("NewSigner: %v (code %q), want EINVALID", err, got)
			}
		})
	}
}

func TestNewSignerCopiesSecrets(t *testing.T) {
	secret := []byte("0123456789abcdef")
	s, err := NewSigner([]Key{{ID: 1, Secret: secret}})
	if err != nil {
		t.Fatal(err)
	}
	tok := s.Sign(1, 1)
	secret[0] = 'X'
	if _, err := s.Verify(tok); err != nil {
		t.Fatalf("changing the caller's slice changed the signer: %v", err)
	}
}

func TestDeriveKeys(t *testing.T) {
	tests := []struct {
		spec string
		want []Key // secrets not compared here
		ok   bool
	}{
		{"", []Key{{ID: 1}}, true},
		{"1", []Key{{ID: 1}}, true},
		{" 3, 2 ,1:retired ", []Key{{ID: 3}, {ID: 2}, {ID: 1, Retired: true}}, true},
		{"0,255", []Key{{ID: 0}, {ID: 255}}, true},
		{"256", nil, false},
		{"-1", nil, false},
		{"a", nil, false},
		{"1,,2", nil, false},
		{"1:old", nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.spec, func(t *testing.T) {
			keys, err := DeriveKeys(testMaster, tt.spec)
			if !tt.ok {
				if got := shian.ErrorCode(err); got != shian.EINVALID {
					t.Fatalf("DeriveKeys(%q): %v (code %q), want EINVALID", tt.spec, err, got)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(keys) != len(tt.want) {
				t.Fatalf("got %d keys, want %d", len(keys), len(tt.want))
			}
			for i, k := range keys {
				if k.ID != tt.want[i].ID || k.Retired != tt.want[i].Retired || len(k.Secret) != 32 {
					t.Fatalf("key %d = {ID %d Retired %v, %d-byte secret}, want %+v with 32 bytes", i, k.ID, k.Retired, len(k.Secret), tt.want[i])
				}
			}
		})
	}

	a1, _ := DeriveKey(testMaster, 1)
	a1again, _ := DeriveKey(testMaster, 1)
	a2, _ := DeriveKey(testMaster, 2)
	b1, _ := DeriveKey([]byte("a different master secret......."), 1)
	if string(a1) != string(a1again) {
		t.Error("DeriveKey is not deterministic")
	}
	if string(a1) == string(a2) || string(a1) == string(b1) {
		t.Error("different ids or masters derive the same key")
	}
	if _, err := DeriveKey([]byte("short"), 1); shian.ErrorCode(err) != shian.EINVALID {
		t.Errorf("short master: %v, want EINVALID", err)
	}
}

// FuzzVerify: Verify never panics, and whatever verifies is, up to ASCII
// case, exactly the token the signer makes for its claims.
func FuzzVerify(f *testing.F) {
	s := mustSigner(f, testMaster, "2,1,3:retired")
	for _, tok := range []string{
		s.Sign(1, 1), s.Sign(48213, 3), strings.ToLower(s.Sign(2_000_000, 127)),
		mustSigner(f, testMaster, "1").Sign(7, 0),
		mustSigner(f, testMaster, "3").Sign(7, 0),
		"", "AAAAAAAAAAAAAAAAAA", "77777777777777777777777777777777777777777777777",
		"ſ", "=====", "/S/ABC",
	} {
		f.Add(tok)
	}
	f.Fuzz(func(t *testing.T, token string) {
		c, err := s.Verify(token)
		if err != nil {
			if code := shian.ErrorCode(err); code != shian.EINVALID && code != shian.ENOTFOUND {
				t.Fatalf("Verify(%q): code %q", token, code)
			}
			return
		}
		k, ok := s.keys[c.KeyID]
		if !ok || k.Retired {
			t.Fatalf("Verify(%q) accepted key %d", token, c.KeyID)
		}
		if want := sign(k, c.ShopID, c.Version); asciiUpper(token) != want {
			t.Fatalf("Verify(%q) = %+v, but that signs as %q", token, c, want)
		}
	})
}

func asciiUpper(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'a' && c <= 'z' {
			b[i] = c - ('a' - 'A')
		}
	}
	return string(b)
}
