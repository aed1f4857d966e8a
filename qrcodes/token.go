// Package qrcodes makes the codes printed on shop door stickers: signed
// tokens that say "the city issued this sticker for this shop", the URLs that
// carry them, crisp PNG and SVG renderings, and printable A4 sticker sheets.
//
// A token is what stops a shop from printing a better shop's code or a code
// of its own invention: it binds a shop id and a sticker version with a
// truncated HMAC-SHA256 under a key the city holds. Tokens and URLs are
// written in the QR alphanumeric character set so that the printed code
// stays small (version 4 or less) at the highest error-correction level,
// which greasy kitchen doors need.
//
// Landing (landing.go) turns a scanned token into its shop: verification
// with a memory of valid tokens, a brief shop cache and in-memory scan
// counts flushed to the store. Its I/O goes through small interfaces the
// caller provides; otherwise the package reads only the CJK font file for
// sheets. The HTTP routes and the CLI are wired in api/ and cmd/.
package qrcodes

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base32"
	"encoding/binary"
	"fmt"

	"shian"
)

// MACSize is the number of HMAC-SHA256 bytes kept in a token. 64 bits make
// an online forgery (one guess per request, rate-limited) hopeless, while
// keeping the printed URL short enough for a version-4 code at level H.
const MACSize = 8

// MinSecretSize is the shortest key secret NewSigner accepts.
const MinSecretSize = 16

// Token lengths in characters: key id + 1-byte shop id + 1-byte version + MAC
// at least; key id + two 10-byte varints + MAC at most.
const (
	minTokenBytes = 1 + 1 + 1 + MACSize
	maxTokenBytes = 1 + binary.MaxVarintLen64 + binary.MaxVarintLen64 + MACSize
	minTokenLen   = (minTokenBytes*8 + 4) / 5
	maxTokenLen   = (maxTokenBytes*8 + 4) / 5
)

// macContext separates sticker MACs from any other use of the same key.
const macContext = "shian/qr-sticker/v1\x00"

// encoding is RFC 4648 base32 (A–Z, 2–7) without padding: every character
// is in the QR alphanumeric set.
var encoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// Key is one signing key. ID is written into every token so that old
// stickers keep verifying after a new key becomes current; a Retired key no
// longer verifies anything (use it when a key may have leaked).
type Key struct {
	ID      byte
	Secret  []byte
	Retired bool
}

// Claims is what a verified token says. Comparing Version with the shop's
// current sticker version (an old sticker is "outdated", not forged) is the
// caller's job.
type Claims struct {
	ShopID  int64
	Version int
	KeyID   byte
}

// Signer signs and verifies sticker tokens. It is safe for concurrent use.
type Signer struct {
	keys    map[byte]Key
	current Key
}

// NewSigner returns a Signer over keys. The first key that is not retired
// signs new tokens; every non-retired key verifies. It returns EINVALID when
// there is no usable key, a key id repeats or a secret is shorter than
// MinSecretSize.
func NewSigner(keys []Key) (*Signer, error) {
	s := &Signer{keys: make(map[byte]Key, len(keys))}
	found := false
	for _, k := range keys {
		if _, dup := s.keys[k.ID]; dup {
			return nil, shian.Errorf(shian.EINVALID, "qr signing key id %d is listed twice", k.ID)
		}
		if len(k.Secret) < MinSecretSize {
			return nil, shian.Errorf(shian.EINVALID, "qr signing key %d: secret must be at least %d bytes", k.ID, MinSecretSize)
		}
		k.Secret = append([]byte(nil), k.Secret...)
		s.keys[k.ID] = k
		if !found && !k.Retired {
			s.current, found = k, true
		}
	}
	if !found {
		return nil, shian.Errorf(shian.EINVALID, "no current (non-retired) qr signing key")
	}
	return s, nil
}

// CurrentKeyID returns the id of the key that signs new tokens.
func (s *Signer) CurrentKeyID() byte { return s.current.ID }

// Sign returns the token for a shop's sticker of the given version, signed
// with the current key. Shop ids and versions are expected to be
// non-negative (a negative value still round-trips, in a longer token).
func (s *Signer) Sign(shopID int64, version int) string {
	if s.keys == nil {
		panic("qrcodes: Signer used without NewSigner")
	}
	return sign(s.current, shopID, version)
}

func sign(k Key, shopID int64, version int) string {
	buf := make([]byte, 0, maxTokenBytes)
	buf = append(buf, k.ID)
	buf = binary.AppendUvarint(buf, uint64(shopID))
	buf = binary.AppendUvarint(buf, uint64(version))
	buf = append(buf, mac(k.Secret, buf)...)
	return encoding.EncodeToString(buf)
}

func mac(secret, payload []byte) []byte {
	h := hmac.New(sha256.New, secret)
	h.Write([]byte(macContext))
	h.Write(payload)
	return h.Sum(nil)[:MACSize]
}

// Verify checks a token and returns its claims. Letters may be in either
// case (phones and people lower-case URLs). It returns EINVALID for a string
// that cannot be a token and ENOTFOUND, "this code was not issued by the
// city", for a well-formed token whose key is unknown or retired or whose
// MAC does not match.
//
// A token verifies only if it is exactly, up to ASCII case, the string Sign
// produces for its claims: non-canonical base32 (stray low bits in the last
// character) or non-minimal varints are rejected, so no two strings verify
// to the same sticker and any changed character fails.
func (s *Signer) Verify(token string) (Claims, error) {
	if len(token) < minTokenLen || len(token) > maxTokenLen {
		return Claims{}, malformed()
	}
	up := make([]byte, len(token))
	for i := 0; i < len(token); i++ {
		c := token[i]
		switch {
		case c >= 'a' && c <= 'z':
			c -= 'a' - 'A'
		case c >= 'A' && c <= 'Z', c >= '2' && c <= '7':
		default:
			return Claims{}, malformed()
		}
		up[i] = c
	}
	raw := make([]byte, encoding.DecodedLen(len(up)))
	n, err := encoding.Decode(raw, up)
	if err != nil {
		return Claims{}, malformed()
	}
	raw = raw[:n]
	c, ok := parsePayload(raw)
	if !ok {
		return Claims{}, malformed()
	}
	k, known := s.keys[c.KeyID]
	if !known || k.Retired {
		return Claims{}, notIssued()
	}
	want := sign(k, c.ShopID, c.Version)
	if !hmac.Equal([]byte(want), up) {
		return Claims{}, notIssued()
	}
	return c, nil
}

// parsePayload splits key id, shop id and version off raw and checks that
// exactly MACSize bytes remain.
func parsePayload(raw []byte) (Claims, bool) {
	if len(raw) < minTokenBytes {
		return Claims{}, false
	}
	c := Claims{KeyID: raw[0]}
	rest := raw[1:]
	shop, n := binary.Uvarint(rest)
	if n <= 0 {
		return Claims{}, false
	}
	rest = rest[n:]
	ver, n := binary.Uvarint(rest)
	if n <= 0 {
		return Claims{}, false
	}
	rest = rest[n:]
	if len(rest) != MACSize {
		return Claims{}, false
	}
	c.ShopID = int64(shop)
	c.Version = int(ver)
	if uint64(c.Version) != ver { // does not fit an int on this platform
		return Claims{}, false
	}
	return c, true
}

func malformed() error {
	return &shian.Error{Code: shian.EINVALID, Message: "this is not a valid sticker code"}
}

func notIssued() error {
	return &shian.Error{Code: shian.ENOTFOUND, Message: "this code was not issued by the city"}
}

// String describes the claims for logs; it contains nothing secret.
func (c Claims) String() string {
	return fmt.Sprintf("shop %d sticker v%d key %d", c.ShopID, c.Version, c.KeyID)
}
