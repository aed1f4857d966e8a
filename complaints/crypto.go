package complaints

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
)

// sealPrefix names the key version of sealed values, so that a later key
// rotation can tell old values from new ones.
const sealPrefix = "v1:"

// Sealer encrypts contact data at rest (AES-256-GCM) and computes keyed
// hashes (HMAC-SHA-256) of phones and tracking proofs, so that equal values
// can be found without storing them. Both keys are derived from the
// service secret with separate labels; it is safe for concurrent use.
type Sealer struct {
	aead    cipher.AEAD
	hashKey []byte
}

// NewSealer derives the keys from secret (SHIAN_SECRET, at least 32 bytes).
func NewSealer(secret []byte) (*Sealer, error) {
	if len(secret) < 32 {
		return nil, errors.New("complaints: the secret must be at least 32 bytes")
	}
	derive := func(label string) []byte {
		m := hmac.New(sha256.New, secret)
		m.Write([]byte("shian/complaints/" + label))
		return m.Sum(nil)
	}
	block, err := aes.NewCipher(derive("contact-aes-256-gcm/v1"))
	if err != nil {
		return nil, fmt.Errorf("complaints: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("complaints: %w", err)
	}
	return &Sealer{aead: aead, hashKey: derive("keyed-hash/v1")}, nil
}

// Seal encrypts plaintext with a random nonce; ad binds it to its place
// (the ticket), so a sealed value copied to another row does not open.
func (s *Sealer) Seal(plaintext []byte, ad string) (string, error) {
	nonce := make([]byte, s.aead.NonceSize(), s.aead.NonceSize()+len(plaintext)+s.aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		return "", fmt.Errorf("seal: %w", err)
	}
	out := s.aead.Seal(nonce, nonce, plaintext, []byte(ad))
	return sealPrefix + base64.RawStdEncoding.EncodeToString(out), nil
}

// Open decrypts a value sealed with the same ad.
func (s *Sealer) Open(sealed, ad string) ([]byte, error) {
	rest, ok := strings.CutPrefix(sealed, sealPrefix)
	if !ok {
		return nil, errors.New("open: unknown key version")
	}
	b, err := base64.RawStdEncoding.DecodeString(rest)
	if err != nil || len(b) < s.aead.NonceSize() {
		return nil, errors.New("open: malformed sealed value")
	}
	out, err := s.aead.Open(nil, b[:s.aead.NonceSize()], b[s.aead.NonceSize():], []byte(ad))
	if err != nil {
		return nil, fmt.Errorf("open: %w", err)
	}
	return out, nil
}

// Hash is the keyed hash of value for one purpose (phone, last4, receipt,
// apikey): hex, 64 characters. Different purposes never collide.
func (s *Sealer) Hash(purpose, value string) string {
	m := hmac.New(sha256.New, s.hashKey)
	m.Write([]byte(purpose))
	m.Write([]byte{0})
	m.Write([]byte(value))
	return hex.EncodeToString(m.Sum(nil))
}

// equalHash compares two hashes in constant time; an empty stored hash
// never matches.
func equalHash(stored, got string) bool {
	return stored != "" && hmac.Equal([]byte(stored), []byte(got))
}
