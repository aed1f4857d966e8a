package notices

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"shian"
)

// AliyunSMS sends SMS through Alibaba Cloud's SendSms API (dysmsapi,
// version 2017-05-25) with the RPC signature (HMAC-SHA1, version 1.0).
// The template (TemplateCode, approved with SignName) takes the
// parameters ticket and status.
type AliyunSMS struct {
	Endpoint        string // https://dysmsapi.aliyuncs.com
	AccessKeyID     string
	AccessKeySecret string
	SignName        string
	TemplateCode    string
	RegionID        string // cn-hangzhou when empty
	Client          *http.Client
	Now             func() time.Time
	// Nonce returns SignatureNonce; nil draws 16 random bytes.
	Nonce func() string
}

// aliyunEncode is the percent-encoding of the RPC signature: RFC 3986
// unreserved characters kept, everything else %XX (space as %20).
func aliyunEncode(s string) string {
	e := url.QueryEscape(s)
	return strings.NewReplacer("+", "%20", "*", "%2A", "%7E", "~").Replace(e)
}

// AliyunSign returns the Signature of a request with params (without
// Signature) by method: Base64(HMAC-SHA1(secret+"&", method&%2F&encode(canonical query))).
func AliyunSign(method, secret string, params map[string]string) string {
	keys := make([]string, 0, len(params))
	for k := range params {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	pairs := make([]string, len(keys))
	for i, k := range keys {
		pairs[i] = aliyunEncode(k) + "=" + aliyunEncode(params[k])
	}
	toSign := method + "&" + aliyunEncode("/") + "&" + aliyunEncode(strings.Join(pairs, "&"))
	m := hmac.New(sha1.New, []byte(secret+"&"))
	m.Write([]byte(toSign))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// SendSMS implements SMS.
func (a *AliyunSMS) SendSMS(ctx context.Context, phone string, n *shian.Notice, text string) error {
	now := time.Now
	if a.Now != nil {
		now = a.Now
	}
	nonce := a.Nonce
	if nonce == nil {
		nonce = func() string {
			var b [16]byte
			rand.Read(b[:])
			return hex.EncodeToString(b[:])
		}
	}
	region := a.RegionID
	if region == "" {
		region = "cn-hangzhou"
	}
	tp, _ := json.Marshal(map[string]string{"ticket": n.Ticket, "status": noticeStatusWord(n)})
	params := map[string]string{
		"AccessKeyId": a.AccessKeyID, "Action": "SendSms", "Format": "JSON", "PhoneNumbers": phone, "RegionId": region,
		"SignName": a.SignName, "SignatureMethod": "HMAC-SHA1", "SignatureNonce": nonce(), "SignatureVersion": "1.0",
		"TemplateCode": a.TemplateCode, "TemplateParam": string(tp), "Timestamp": now().UTC().Format("2006-01-02T15:04:05Z"),
		"Version": "2017-05-25", "OutId": fmt.Sprint(n.ID),
	}
	q := url.Values{"Signature": {AliyunSign(http.MethodGet, a.AccessKeySecret, params)}}
	for k, v := range params {
		q.Set(k, v)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimRight(a.Endpoint, "/")+"/?"+q.Encode(), nil)
	if err != nil {
		return err
	}
	client := a.Client
	if client == nil {
		client = &http.Client{Timeout: 10 * time.Second}
	}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("aliyun sms: %w", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<16))
	var ans struct{ Code, Message, BizId, RequestId string }
	if err := json.Unmarshal(body, &ans); err != nil {
		return fmt.Errorf("aliyun sms: HTTP %d, bad answer", resp.StatusCode)
	}
	if ans.Code != "OK" {
		// The phone never leaves in an error: providers echo it sometimes.
		return fmt.Errorf("aliyun sms: %s: %s", ans.Code, strings.ReplaceAll(ans.Message, phone, shian.MaskPhone(phone)))
	}
	return nil
}

// noticeStatusWord is the template's status parameter: the notice's text
// without its frame, in the complainant's language.
func noticeStatusWord(n *shian.Notice) string {
	if n.Kind == shian.EventVerified {
		return "checked_on_site"
	}
	return n.Status
}
