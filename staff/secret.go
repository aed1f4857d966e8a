package staff

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Argon2id parameters (RFC 9106's second recommended option, lighter on
// memory for a 2-core replica): 64 MiB, 3 passes, 2 lanes. A login then
// costs about 100 ms of CPU, which is the point.
const (
	argonTime    = 3
	argonMemory  = 64 * 1024
	argonThreads = 2
	argonKeyLen  = 32
)

// HashPassword returns the argon2id PHC string of password with a fresh salt.
func HashPassword(password string) (string, error) {
	return hashPassword(password, argonTime, argonMemory, argonThreads)
}

func hashPassword(password string, t, m uint32, p uint8) (string, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	key := argon2.IDKey([]byte(password), salt, t, m, p, argonKeyLen)
	enc := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, m, t, p, enc.EncodeToString(salt), enc.EncodeToString(key)), nil
}

var errBadHash = errors.New("staff: malformed password hash")

// CheckPassword reports whether password matches the PHC string, in
// constant time. A malformed hash is an error, not a mismatch.
func CheckPassword(hash, password string) (bool, error) {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" || parts[2] != fmt.Sprintf("v=%d", argon2.Version) {
		return false, errBadHash
	}
	var m, t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil || m == 0 || t == 0 || p == 0 || m > 1<<21 || t > 20 {
		return false, errBadHash
	}
	enc := base64.RawStdEncoding
	salt, err1 := enc.DecodeString(parts[4])
	want, err2 := enc.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(salt) < 8 || len(want) < 16 || len(want) > 64 {
		return false, errBadHash
	}
	got := argon2.IDKey([]byte(password), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// NewSecret returns a random URL-safe secret of n bytes of entropy with a
// prefix naming its kind (sessions "s_", API tokens "shian_").
func NewSecret(prefix string, n int) (string, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("new secret: %w", err)
	}
	return prefix + base64.RawURLEncoding.EncodeToString(b), nil
}

// HashSecret is what the store keeps of a session id or API token: its
// SHA-256. The secrets carry 256 bits of entropy, so a fast hash is enough
// (a slow one is for passwords); a stolen table gives no usable token.
func HashSecret(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

// NewPassword returns a one-time password for `shian user add`: 20
// characters without look-alikes, easy to read out once.
func NewPassword() (string, error) {
	const alphabet = "abcdefghjkmnpqrstuvwxyzACDEFGHJKLMNPQRTUVWXY346789"
	out := make([]byte, 0, 20)
	var b [32]byte
	for len(out) < 20 {
		if _, err := rand.Read(b[:]); err != nil {
			return "", fmt.Errorf("new password: %w", err)
		}
		for _, x := range b {
			if int(x) < 256-256%len(alphabet) && len(out) < 20 { // no modulo bias
				out = append(out, alphabet[int(x)%len(alphabet)])
			}
		}
	}
	return string(out), nil
}
