package qrcodes

import (
	"net/url"
	"strings"

	"shian"
)

// StickerPath is the path segment that precedes a token in sticker URLs. The
// landing route must match it case-insensitively (/s/ and /S/).
const StickerPath = "/S/"

// MaxCompactPublicURLLen is the longest public URL (without a trailing
// slash) whose sticker URLs fit a version-4 code at level H, for shop ids
// below 2,097,152 and sticker versions below 128 (tokens of at most 21
// characters; a version-4 code at level H holds 50 alphanumeric characters).
// Longer public URLs still work, with denser codes.
const MaxCompactPublicURLLen = 50 - len(StickerPath) - 21

// URL returns the URL printed in a shop's code: publicURL with its scheme
// and host upper-cased (both are case-insensitive in URLs), any trailing
// slash removed, then "/S/" and the token. For a public URL accepted by
// CheckPublicURL the result is entirely in the QR alphanumeric set
// (A–Z 0–9 space $ % * + - . / :), which is what keeps the code small.
//
// The path of publicURL is kept as it is, because paths are case-sensitive
// on most servers; a path with lower-case letters would still work but would
// make a bigger code, which is why CheckPublicURL rejects it at start-up.
func URL(publicURL, token string) string {
	base := strings.TrimRight(publicURL, "/")
	head, path := base, ""
	if i := strings.Index(base, "://"); i >= 0 {
		if j := strings.IndexByte(base[i+3:], '/'); j >= 0 {
			head, path = base[:i+3+j], base[i+3+j:]
		}
	}
	return strings.ToUpper(head) + path + StickerPath + strings.ToUpper(token)
}

// CheckPublicURL reports, as an EINVALID error meant for start-up config
// validation, whether publicURL can prefix sticker URLs written entirely in
// the QR alphanumeric set: an http or https URL with a host of letters,
// digits, dots and hyphens (an IPv4 address is fine; IPv6 brackets and
// non-ASCII host names are not — use punycode), an optional port, and a path,
// if any, of upper-case letters, digits and $%*+-./: only. It must not carry
// user info, a query or a fragment.
func CheckPublicURL(publicURL string) error {
	bad := func(why string) error {
		return &shian.Error{Code: shian.EINVALID, Field: "SHIAN_PUBLIC_URL",
			Message: "cannot be printed compactly in QR codes: " + why + ", got " + publicURL}
	}
	for i := 0; i < len(publicURL); i++ {
		if c := publicURL[i]; c <= ' ' || c >= 0x7f {
			return bad("spaces, control and non-ASCII characters are not allowed")
		}
	}
	u, err := url.Parse(publicURL)
	if err != nil {
		return bad("not a URL")
	}
	if s := strings.ToLower(u.Scheme); s != "http" && s != "https" {
		return bad("the scheme must be http or https")
	}
	if u.User != nil || u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || u.Opaque != "" {
		return bad("user info, a query or a fragment are not allowed")
	}
	if u.Host == "" {
		return bad("the host is missing")
	}
	for _, r := range u.Host {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '-' || r == ':') {
			return bad("the host may hold only letters, digits, '.', '-' and a :port")
		}
	}
	path := u.EscapedPath()
	for _, r := range path {
		if !(r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("$%*+-./:", r)) {
			return bad("the path may hold only upper-case letters, digits and $%*+-./:")
		}
	}
	return nil
}
