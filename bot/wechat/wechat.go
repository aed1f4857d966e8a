// Package wechat speaks the WeChat Official Account server protocol for
// the bot: URL verification, signed message pushes in plaintext or safe
// (AES) mode, and passive XML replies. It is transport-agnostic: the api
// package hands it the query and body of /bot/wechat and writes back what
// it returns.
//
// Protocol (公众号消息加解密): signature = SHA1 of the sorted concatenation
// of token, timestamp and nonce; in safe mode msg_signature also covers the
// Encrypt element. The AES key is the 43-character EncodingAESKey with "="
// appended, base64-decoded (32 bytes); messages are AES-256-CBC with the
// key's first 16 bytes as IV and PKCS#7 padding to 32 bytes, over
// random(16) ‖ length(4, big endian) ‖ message ‖ AppID.
package wechat

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha1"
	"crypto/subtle"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"shian"
	"shian/bot"
)

// MaxSkew is how far a request's timestamp may be from the clock.
const MaxSkew = 5 * time.Minute

// ReplyBudget is how long the bot may take before the passive reply is
// given up for this delivery (WeChat waits 5 s, then retries; the retry
// gets the answer once it is ready).
const ReplyBudget = 4 * time.Second

// MaxBody bounds a pushed message.
const MaxBody = 64 << 10

// Bot answers messages (bot.Engine).
type Bot interface {
	Handle(ctx context.Context, in bot.Input) ([]bot.Reply, error)
}

// Config holds the Official Account's server settings (SHIAN_WECHAT_*).
type Config struct {
	Token string
	// EncodingAESKey (43 characters) turns on safe mode; empty is plaintext mode.
	EncodingAESKey string
	AppID          string
	// FetchImage downloads a photo a user sent (PicUrl); nil uses HTTP
	// limited to ImageHosts.
	FetchImage func(ctx context.Context, url string) ([]byte, error)
	// ImageHosts are the host suffixes photos may come from (default .qpic.cn).
	ImageHosts []string
	// Nonces remembers (timestamp, nonce) pairs to refuse replays
	// (replay.go): RedisNonces when Redis is configured, so that replicas
	// share them; nil keeps them in process (MemoryNonces).
	Nonces Nonces
	Log    *slog.Logger
	Now    func() time.Time
}

// Handler is the /bot/wechat endpoint.
type Handler struct {
	token  string
	appID  string
	key    []byte // nil in plaintext mode
	bot    Bot
	fetch  func(ctx context.Context, url string) ([]byte, error)
	hosts  []string
	log    *slog.Logger
	now    func() time.Time
	client *http.Client
	nonces Nonces
}

// ErrSignature is answered to requests that WeChat did not sign, or signed
// too long ago.
var ErrSignature = &shian.Error{Code: shian.EUNAUTHORIZED, Message: "bad or stale WeChat signature"}

// New returns a handler. Errors: EINVALID for a malformed configuration.
func New(cfg Config, b Bot) (*Handler, error) {
	if cfg.Token == "" || b == nil {
		return nil, shian.FieldError("SHIAN_WECHAT_TOKEN", "is required for the WeChat endpoint")
	}
	h := &Handler{token: cfg.Token, appID: cfg.AppID, bot: b, fetch: cfg.FetchImage, hosts: cfg.ImageHosts, log: cfg.Log, now: cfg.Now,
		client: &http.Client{Timeout: 3 * time.Second}}
	if cfg.EncodingAESKey != "" {
		k, err := AESKey(cfg.EncodingAESKey)
		if err != nil {
			return nil, err
		}
		if cfg.AppID == "" {
			return nil, shian.FieldError("SHIAN_WECHAT_APPID", "is required in safe (AES) mode")
		}
		h.key = k
	}
	if h.log == nil {
		h.log = slog.Default()
	}
	if h.now == nil {
		h.now = time.Now
	}
	h.nonces = cfg.Nonces
	if h.nonces == nil {
		h.nonces = &MemoryNonces{Now: h.now}
	}
	if len(h.hosts) == 0 {
		h.hosts = []string{".qpic.cn"}
	}
	if h.fetch == nil {
		h.fetch = h.httpFetch
	}
	return h, nil
}

// AESKey decodes an EncodingAESKey. Errors: EINVALID.
func AESKey(encodingAESKey string) ([]byte, error) {
	if len(encodingAESKey) != 43 {
		return nil, shian.FieldError("SHIAN_WECHAT_AESKEY", "must be 43 characters")
	}
	k, err := base64.StdEncoding.DecodeString(encodingAESKey + "=")
	if err != nil || len(k) != 32 {
		return nil, shian.FieldError("SHIAN_WECHAT_AESKEY", "is not a valid EncodingAESKey")
	}
	return k, nil
}

// Signature is the SHA1 signature over the sorted parts.
func Signature(parts ...string) string {
	s := append([]string(nil), parts...)
	sort.Strings(s)
	sum := sha1.Sum([]byte(strings.Join(s, "")))
	return hex.EncodeToString(sum[:])
}

func equal(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }

// checkTime refuses timestamps further than MaxSkew from the clock.
func (h *Handler) checkTime(ts string) error {
	n, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return ErrSignature
	}
	d := h.now().Sub(time.Unix(n, 0))
	if d > MaxSkew || d < -MaxSkew {
		return ErrSignature
	}
	return nil
}

// Verify answers the URL verification GET: the echostr when the signature
// is right. Errors: ErrSignature.
func (h *Handler) Verify(q url.Values) (string, error) {
	ts, nonce := q.Get("timestamp"), q.Get("nonce")
	if err := h.checkTime(ts); err != nil {
		return "", err
	}
	if !equal(q.Get("signature"), Signature(h.token, ts, nonce)) {
		return "", ErrSignature
	}
	return q.Get("echostr"), nil
}

// Message is a pushed message (text, image, location, event …).
type Message struct {
	XMLName      xml.Name `xml:"xml"`
	ToUserName   string   `xml:"ToUserName"`
	FromUserName string   `xml:"FromUserName"`
	CreateTime   int64    `xml:"CreateTime"`
	MsgType      string   `xml:"MsgType"`
	Content      string   `xml:"Content"`
	MsgID        string   `xml:"MsgId"`
	PicURL       string   `xml:"PicUrl"`
	MediaID      string   `xml:"MediaId"`
	LocationX    float64  `xml:"Location_X"`
	LocationY    float64  `xml:"Location_Y"`
	Label        string   `xml:"Label"`
	Event        string   `xml:"Event"`
	EventKey     string   `xml:"EventKey"`
	Latitude     float64  `xml:"Latitude"`
	Longitude    float64  `xml:"Longitude"`
	Encrypt      string   `xml:"Encrypt"`
}

// ParseMessage decodes a message body strictly enough: one <xml> element,
// bounded size. Errors: EINVALID.
func ParseMessage(body []byte) (*Message, error) {
	if len(body) > MaxBody {
		return nil, shian.FieldError("body", "is too large")
	}
	var m Message
	dec := xml.NewDecoder(bytes.NewReader(body))
	dec.Strict = true
	dec.Entity = nil
	dec.CharsetReader = func(label string, r io.Reader) (io.Reader, error) {
		if strings.EqualFold(label, "utf-8") {
			return r, nil
		}
		return nil, fmt.Errorf("charset %s", label)
	}
	if err := dec.Decode(&m); err != nil {
		return nil, shian.FieldError("body", "is not a WeChat XML message")
	}
	return &m, nil
}

// Serve handles a pushed message and returns the response body: a passive
// XML reply (encrypted in safe mode) or "success" when there is nothing to
// say. Errors: ErrSignature (answer 401), EINVALID (400).
func (h *Handler) Serve(ctx context.Context, q url.Values, body []byte) ([]byte, error) {
	ts, nonce := q.Get("timestamp"), q.Get("nonce")
	if err := h.checkTime(ts); err != nil {
		return nil, err
	}
	if !equal(q.Get("signature"), Signature(h.token, ts, nonce)) {
		return nil, ErrSignature
	}
	if err := h.checkReplay(ctx, ts, nonce, body); err != nil {
		return nil, err
	}
	m, err := ParseMessage(body)
	if err != nil {
		return nil, err
	}
	safe := q.Get("encrypt_type") == "aes"
	if safe {
		if h.key == nil {
			return nil, shian.FieldError("encrypt_type", "safe mode is not configured")
		}
		if !equal(q.Get("msg_signature"), Signature(h.token, ts, nonce, m.Encrypt)) {
			return nil, ErrSignature
		}
		plain, err := Decrypt(h.key, h.appID, m.Encrypt)
		if err != nil {
			return nil, err
		}
		if m, err = ParseMessage(plain); err != nil {
			return nil, err
		}
	} else if h.key != nil && m.Encrypt != "" {
		return nil, shian.FieldError("encrypt_type", "is missing for an encrypted message")
	}
	text := h.answer(ctx, m)
	if text == "" {
		return []byte("success"), nil
	}
	reply, err := TextReply(m.FromUserName, m.ToUserName, h.now().Unix(), text)
	if err != nil {
		return nil, err
	}
	if !safe {
		return reply, nil
	}
	return EncryptedReply(h.key, h.appID, h.token, strconv.FormatInt(h.now().Unix(), 10), nonce, reply)
}

// answer runs the bot on a message within the reply budget. A slow turn
// finishes in the background; WeChat's retry of the same MsgId gets its
// answer from the engine's de-duplication.
func (h *Handler) answer(ctx context.Context, m *Message) string {
	if m.FromUserName == "" || !utf8.ValidString(m.FromUserName) || len(m.FromUserName) > 128 {
		return ""
	}
	in := bot.Input{Channel: bot.ChannelWeChat, User: m.FromUserName, MsgID: m.MsgID}
	if in.MsgID == "" {
		// Events carry no MsgId: WeChat de-duplicates them by user and time.
		in.MsgID = "t" + strconv.FormatInt(m.CreateTime, 10)
	}
	switch m.MsgType {
	case "text":
		in.Text = m.Content
	case "location":
		in.Location = &bot.Location{Lat: m.LocationX, Lng: m.LocationY}
	case "image":
		in.Photo = []byte{} // fetched below, within the budget
	case "event":
		switch strings.ToLower(m.Event) {
		case "subscribe":
			in.Event, in.EventKey = bot.EventSubscribe, m.EventKey
		case "scan":
			in.Event, in.EventKey = bot.EventScan, m.EventKey
		case "location":
			return "" // periodic position reports: nothing to answer
		default:
			return ""
		}
	default:
		in.Text = "" // voice, video, links …: the bot introduces itself
	}
	type result struct {
		replies []bot.Reply
		err     error
	}
	done := make(chan result, 1)
	go func() {
		c, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
		if in.Photo != nil {
			b, err := h.fetch(c, m.PicURL)
			if err != nil {
				h.log.Warn("wechat: photo not fetched", "err", err)
				b = []byte{} // the engine says it cannot use it
			}
			in.Photo = b
		}
		r, err := h.bot.Handle(c, in)
		done <- result{r, err}
	}()
	select {
	case r := <-done:
		if r.err != nil {
			h.log.Warn("wechat: bot turn failed", "err", r.err)
			return ""
		}
		return shian.ClipBytes(bot.Plain(r.replies), 2000) // under WeChat's 2048-byte text limit
	case <-time.After(ReplyBudget):
		return ""
	case <-ctx.Done():
		return ""
	}
}

type cdata struct {
	Value string `xml:",cdata"`
}

type textReply struct {
	XMLName      xml.Name `xml:"xml"`
	ToUserName   cdata    `xml:"ToUserName"`
	FromUserName cdata    `xml:"FromUserName"`
	CreateTime   int64    `xml:"CreateTime"`
	MsgType      cdata    `xml:"MsgType"`
	Content      cdata    `xml:"Content"`
}

// TextReply is a passive text reply to user from the account.
func TextReply(to, from string, at int64, content string) ([]byte, error) {
	b, err := xml.Marshal(textReply{ToUserName: cdata{to}, FromUserName: cdata{from}, CreateTime: at, MsgType: cdata{"text"}, Content: cdata{content}})
	if err != nil {
		return nil, fmt.Errorf("wechat: reply: %w", err)
	}
	return b, nil
}

type encryptedReply struct {
	XMLName      xml.Name `xml:"xml"`
	Encrypt      cdata    `xml:"Encrypt"`
	MsgSignature cdata    `xml:"MsgSignature"`
	TimeStamp    string   `xml:"TimeStamp"`
	Nonce        cdata    `xml:"Nonce"`
}

// EncryptedReply wraps a reply for safe mode.
func EncryptedReply(key []byte, appID, token, timestamp, nonce string, reply []byte) ([]byte, error) {
	enc, err := Encrypt(key, appID, reply)
	if err != nil {
		return nil, err
	}
	b, err := xml.Marshal(encryptedReply{Encrypt: cdata{enc}, MsgSignature: cdata{Signature(token, timestamp, nonce, enc)},
		TimeStamp: timestamp, Nonce: cdata{nonce}})
	if err != nil {
		return nil, fmt.Errorf("wechat: encrypted reply: %w", err)
	}
	return b, nil
}

const blockSize = 32 // WeChat pads to 32 bytes, not AES's 16

var errCipher = shian.FieldError("Encrypt", "cannot be decrypted")

// Decrypt opens an Encrypt element and checks its AppID. Errors: EINVALID.
func Decrypt(key []byte, appID, b64 string) ([]byte, error) {
	ct, err := base64.StdEncoding.DecodeString(b64)
	if err != nil || len(ct) == 0 || len(ct)%aes.BlockSize != 0 || len(key) != 32 {
		return nil, errCipher
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, errCipher
	}
	plain := make([]byte, len(ct))
	cipher.NewCBCDecrypter(block, key[:16]).CryptBlocks(plain, ct)
	n := int(plain[len(plain)-1])
	if n < 1 || n > blockSize || n > len(plain) {
		return nil, errCipher
	}
	for _, p := range plain[len(plain)-n:] {
		if int(p) != n {
			return nil, errCipher
		}
	}
	plain = plain[:len(plain)-n]
	if len(plain) < 20 {
		return nil, errCipher
	}
	size := binary.BigEndian.Uint32(plain[16:20])
	if uint64(size) > uint64(len(plain)-20) {
		return nil, errCipher
	}
	msg, id := plain[20:20+size], plain[20+size:]
	if !equal(string(id), appID) {
		return nil, errCipher
	}
	return msg, nil
}

// Encrypt seals msg for appID.
func Encrypt(key []byte, appID string, msg []byte) (string, error) {
	if len(key) != 32 {
		return "", errors.New("wechat: key must be 32 bytes")
	}
	buf := make([]byte, 20, 20+len(msg)+len(appID)+blockSize)
	if _, err := rand.Read(buf[:16]); err != nil {
		return "", fmt.Errorf("wechat: random: %w", err)
	}
	binary.BigEndian.PutUint32(buf[16:20], uint32(len(msg)))
	buf = append(buf, msg...)
	buf = append(buf, appID...)
	pad := blockSize - len(buf)%blockSize
	buf = append(buf, bytes.Repeat([]byte{byte(pad)}, pad)...)
	block, err := aes.NewCipher(key)
	if err != nil {
		return "", fmt.Errorf("wechat: %w", err)
	}
	cipher.NewCBCEncrypter(block, key[:16]).CryptBlocks(buf, buf)
	return base64.StdEncoding.EncodeToString(buf), nil
}

// httpFetch downloads a photo from WeChat's image hosts only, at most
// shian.MaxPhotoBytes.
func (h *Handler) httpFetch(ctx context.Context, raw string) ([]byte, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return nil, fmt.Errorf("wechat: bad photo URL")
	}
	ok := false
	for _, suffix := range h.hosts {
		if strings.HasSuffix(strings.ToLower(u.Hostname()), suffix) {
			ok = true
		}
	}
	if !ok {
		return nil, fmt.Errorf("wechat: photo host %q is not allowed", u.Hostname())
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, fmt.Errorf("wechat: photo: %w", err)
	}
	resp, err := h.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("wechat: photo: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("wechat: photo: status %d", resp.StatusCode)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, shian.MaxPhotoBytes+1))
	if err != nil {
		return nil, fmt.Errorf("wechat: photo: %w", err)
	}
	return b, nil
}
