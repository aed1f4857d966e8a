package qrcodes

import (
	"crypto/hkdf"
	"crypto/sha256"
	"fmt"
	"strconv"
	"strings"

	"shian"
)

// DefaultKeySpec is the key list used when none is configured: key 1 signs
// and verifies.
const DefaultKeySpec = "1"

// DeriveKey derives the secret of sticker key id from the service's master
// secret (SHIAN_SECRET) with HKDF-SHA256. The key id is part of the HKDF
// info, so every id gives an unrelated 32-byte key and the master secret is
// never used for MACs directly.
//
// The same master and id always give the same key: that is what lets every
// replica verify without sharing more than SHIAN_SECRET, and also why a key id
// must never be "reused" to mean a fresh key — pick a new id instead.
func DeriveKey(master []byte, id byte) ([]byte, error) {
	if len(master) < MinSecretSize {
		return nil, shian.Errorf(shian.EINVALID, "the master secret must be at least %d bytes", MinSecretSize)
	}
	k, err := hkdf.Key(sha256.New, master, nil, "shian qr-sticker key "+strconv.Itoa(int(id)), 32)
	if err != nil {
		return nil, fmt.Errorf("derive qr key %d: %w", id, err)
	}
	return k, nil
}

// DeriveKeys turns a key spec into keys derived from master, ready for
// NewSigner. The spec is a comma-separated list of key ids 0–255, the current
// key first; an id followed by ":retired" no longer verifies. Spaces are
// ignored and an empty spec means DefaultKeySpec.
//
// Rotating keys, e.g. when a printing contractor's laptop was lost:
//
//	"1"            the start: key 1 signs and verifies
//	"2,1"          new stickers are signed with key 2; old key-1 stickers still verify
//	"2,1:retired"  once every door has a key-2 sticker: key-1 codes now fail
//
// Changing SHIAN_SECRET itself changes every derived key and invalidates every
// printed sticker at once.
func DeriveKeys(master []byte, spec string) ([]Key, error) {
	if strings.TrimSpace(spec) == "" {
		spec = DefaultKeySpec
	}
	var keys []Key
	for _, f := range strings.Split(spec, ",") {
		f = strings.TrimSpace(f)
		retired := false
		if id, ok := strings.CutSuffix(f, ":retired"); ok {
			f, retired = strings.TrimSpace(id), true
		}
		id, err := strconv.ParseUint(f, 10, 8)
		if err != nil {
			return nil, shian.Errorf(shian.EINVALID, "qr key list %q: %q is not a key id 0–255 (optionally followed by \":retired\")", spec, f)
		}
		secret, err := DeriveKey(master, byte(id))
		if err != nil {
			return nil, err
		}
		keys = append(keys, Key{ID: byte(id), Secret: secret, Retired: retired})
	}
	return keys, nil
}
