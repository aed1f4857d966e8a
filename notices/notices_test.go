package notices_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"shian"
	"shian/complaints"
	"shian/notices"
	"shian/staff"
	"shian/store/sqlite"
	"shian/store/sqlstore"
	"shian/store/storetest"
	"shian/triage"
)

// The example of Alibaba Cloud's SendSms signature documentation.
func TestAliyunSignDocumentedExample(t *testing.T) {
	params := map[string]string{
		"AccessKeyId": "testId", "Action": "SendSms", "Format": "XML", "OutId": "123", "PhoneNumbers": "15300000001",
		"RegionId": "cn-hangzhou", "SignName": "阿里云短信测试专用", "SignatureMethod": "HMAC-SHA1",
		"SignatureNonce": "45e25e9b-0a6f-4070-8c85-2956eda1b466", "SignatureVersion": "1.0", "TemplateCode": "SMS_71390007",
		"TemplateParam": `{"customer":"test"}`, "Timestamp": "2017-07-12T02:42:19Z", "Version": "2017-05-25",
	}
	if got := notices.AliyunSign("GET", "testSecret", params); got != "zJDF+Lrzhj/ThnlvIToysFRq6t4=" {
		t.Fatalf("signature %q", got)
	}
}

// fakeWeChat implements the documented token and custom-send endpoints:
// tokens expire on demand (42001), an OpenID outside its window gets 45015.
type fakeWeChat struct {
	mu       sync.Mutex
	tokens   int
	valid    string
	outside  map[string]bool
	sent     map[string][]string
	tokenHit int
}

func (f *fakeWeChat) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	switch r.URL.Path {
	case "/cgi-bin/token":
		f.tokenHit++
		if r.URL.Query().Get("grant_type") != "client_credential" || r.URL.Query().Get("appid") != "wxapp" || r.URL.Query().Get("secret") != "s3cret" {
			w.Write([]byte(`{"errcode":40013,"errmsg":"invalid appid"}`))
			return
		}
		f.tokens++
		f.valid = "TOKEN" + string(rune('0'+f.tokens))
		json.NewEncoder(w).Encode(map[string]any{"access_token": f.valid, "expires_in": 7200})
	case "/cgi-bin/message/custom/send":
		tok := r.URL.Query().Get("access_token")
		if r.Method != http.MethodPost || tok == "" {
			w.Write([]byte(`{"errcode":41001,"errmsg":"access_token missing"}`))
			return
		}
		if tok != f.valid {
			w.Write([]byte(`{"errcode":42001,"errmsg":"access_token expired"}`))
			return
		}
		var msg struct {
			ToUser  string `json:"touser"`
			MsgType string `json:"msgtype"`
			Text    struct{ Content string }
		}
		b, _ := io.ReadAll(r.Body)
		if json.Unmarshal(b, &msg) != nil || msg.MsgType != "text" || msg.Text.Content == "" {
			w.Write([]byte(`{"errcode":44002,"errmsg":"empty post data"}`))
			return
		}
		if f.outside[msg.ToUser] {
			w.Write([]byte(`{"errcode":45015,"errmsg":"response out of time limit or subscription is canceled"}`))
			return
		}
		f.sent[msg.ToUser] = append(f.sent[msg.ToUser], msg.Text.Content)
		w.Write([]byte(`{"errcode":0,"errmsg":"ok"}`))
	default:
		http.NotFound(w, r)
	}
}

func TestWeChatTokenExpiryAndWindow(t *testing.T) {
	fake := &fakeWeChat{outside: map[string]bool{"o-away": true}, sent: map[string][]string{}}
	srv := httptest.NewServer(fake)
	defer srv.Close()
	wx := &notices.WeChat{BaseURL: srv.URL, AppID: "wxapp", Secret: "s3cret"}
	ctx := context.Background()
	if err := wx.SendText(ctx, "o-1", "你好"); err != nil {
		t.Fatal(err)
	}
	if err := wx.SendText(ctx, "o-1", "again"); err != nil || fake.tokenHit != 1 {
		t.Fatalf("cached token: %v, %d fetches", err, fake.tokenHit)
	}
	fake.mu.Lock()
	fake.valid = "rotated elsewhere" // another process fetched a new token: ours is now invalid
	fake.mu.Unlock()
	if err := wx.SendText(ctx, "o-1", "after expiry"); err != nil || fake.tokenHit != 2 {
		t.Fatalf("after expiry: %v, %d fetches", err, fake.tokenHit)
	}
	if err := wx.SendText(ctx, "o-away", "x"); err != notices.ErrOutsideWindow {
		t.Fatalf("outside the window: %v", err)
	}
	if got := fake.sent["o-1"]; len(got) != 3 || got[2] != "after expiry" {
		t.Fatalf("sent %v", got)
	}
	bad := &notices.WeChat{BaseURL: srv.URL, AppID: "other", Secret: "s3cret"}
	if err := bad.SendText(ctx, "o-1", "x"); err == nil || !strings.Contains(err.Error(), "40013") {
		t.Fatalf("bad appid: %v", err)
	}
}

// fakeAliyun checks the RPC signature of each SendSms request with the
// secret, and answers like the API.
type fakeAliyun struct {
	mu   sync.Mutex
	sent []url_
	fail string // a Code to answer instead of OK
}

type url_ struct{ phone, param string }

func (f *fakeAliyun) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	q := r.URL.Query()
	params := map[string]string{}
	for k := range q {
		if k != "Signature" {
			params[k] = q.Get(k)
		}
	}
	if notices.AliyunSign("GET", "alisecret", params) != q.Get("Signature") {
		json.NewEncoder(w).Encode(map[string]string{"Code": "SignatureDoesNotMatch", "Message": "Specified signature is not matched with our calculation."})
		return
	}
	if q.Get("Action") != "SendSms" || q.Get("Version") != "2017-05-25" || q.Get("TemplateCode") != "SMS_1" {
		json.NewEncoder(w).Encode(map[string]string{"Code": "isv.INVALID_PARAMETERS", "Message": "bad"})
		return
	}
	if f.fail != "" {
		json.NewEncoder(w).Encode(map[string]string{"Code": f.fail, "Message": "number " + q.Get("PhoneNumbers") + " refused"})
		return
	}
	f.sent = append(f.sent, url_{q.Get("PhoneNumbers"), q.Get("TemplateParam")})
	json.NewEncoder(w).Encode(map[string]string{"Code": "OK", "Message": "OK", "BizId": "900619746936498440^0", "RequestId": "F655A8D5"})
}

type world struct {
	db      *sqlstore.DB
	files   *complaints.Service
	cases   *staff.Service
	wechat  *fakeWeChat
	aliyun  *fakeAliyun
	worker  *notices.Worker
	advance func(time.Duration)
}

func newWorld(t *testing.T) *world {
	t.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "shian.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	now := storetest.Now
	db.Now = func() time.Time { return now }
	storetest.MustMigrate(t, db)
	if _, err := db.UpsertShops(context.Background(), []*shian.Shop{storetest.Shop("JY1130302000001", "老二位海鲜", "beidaihe")}); err != nil {
		t.Fatal(err)
	}
	tr, _ := triage.New(triage.Config{})
	files, err := complaints.New(complaints.Config{Store: db, Triager: tr, Secret: []byte(strings.Repeat("k", 32)), PhotoDir: t.TempDir(), Now: db.Now})
	if err != nil {
		t.Fatal(err)
	}
	w := &world{db: db, files: files, cases: storetest.StaffService(t, db), advance: func(d time.Duration) { now = now.Add(d) },
		wechat: &fakeWeChat{outside: map[string]bool{}, sent: map[string][]string{}}, aliyun: &fakeAliyun{}}
	wxSrv, aliSrv := httptest.NewServer(w.wechat), httptest.NewServer(w.aliyun)
	t.Cleanup(wxSrv.Close)
	t.Cleanup(aliSrv.Close)
	w.worker = &notices.Worker{Store: db, Contacts: files, OpenIDs: files.Sealer(), Now: db.Now,
		WeChat: &notices.WeChat{BaseURL: wxSrv.URL, AppID: "wxapp", Secret: "s3cret"},
		SMS:    &notices.AliyunSMS{Endpoint: aliSrv.URL, AccessKeyID: "ali", AccessKeySecret: "alisecret", SignName: "食安秦皇岛", TemplateCode: "SMS_1", Now: db.Now},
		Log:    slog.New(slog.NewTextHandler(io.Discard, nil))}
	return w
}

func (w *world) file(t *testing.T, phone, lang, openID string) *shian.Complaint {
	t.Helper()
	ctx := context.Background()
	kind := shian.KindComplaint
	if phone == "" {
		kind = shian.KindReport // only a report may be anonymous
	}
	f, err := w.files.File(ctx, shian.ComplaintSubmission{Input: shian.ComplaintInput{Kind: kind, Category: "hygiene",
		Licence: "JY1130302000001", Description: "厨房很脏，地上有老鼠跑来跑去", ContactName: "李四", ContactPhone: phone, Lang: lang}})
	if err != nil {
		t.Fatal(err)
	}
	c, err := w.db.Case(ctx, f.Ticket)
	if err != nil {
		t.Fatal(err)
	}
	if openID != "" {
		sealed, _ := w.files.Sealer().Seal([]byte(openID), notices.OpenIDAD(f.Ticket))
		if err := w.db.SetNoticeRecipient(ctx, c.ID, sealed, w.db.Now()); err != nil {
			t.Fatal(err)
		}
	}
	return c.Complaint
}

func (w *world) accept(t *testing.T, ticket string, note string, public bool) {
	t.Helper()
	w.move(t, ticket, shian.ComplaintAccepted, note, public)
}

func (w *world) move(t *testing.T, ticket, to string, note string, public bool) {
	t.Helper()
	admin := &staff.Principal{Name: "admin", Role: staff.RoleAdmin}
	if _, err := w.cases.Transition(context.Background(), admin, ticket, staff.TransitionInput{To: to, Note: note, Public: public}); err != nil {
		t.Fatal(err)
	}
}

func states(t *testing.T, db *sqlstore.DB, id int64) string {
	ns, err := db.Notices(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, n := range ns {
		out = append(out, n.State+"/"+n.Via)
	}
	return strings.Join(out, ",")
}

func TestWorkerChannels(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	wx := w.file(t, "13800000001", "en", "o-tourist")
	away := w.file(t, "13900000002", "zh", "o-away")
	w.wechat.outside["o-away"] = true
	web := w.file(t, "13700000003", "ru", "")
	for _, c := range []*shian.Complaint{wx, away, web} {
		w.accept(t, c.Ticket, "内部：商户老板是熟人", false) // an internal note: never in a notice
	}
	if n, err := w.worker.Drain(ctx); err != nil || n != 3 {
		t.Fatalf("drain: %d, %v", n, err)
	}
	if got := w.wechat.sent["o-tourist"]; len(got) != 1 || !strings.Contains(got[0], wx.Ticket) || !strings.Contains(got[0], "has been accepted") || strings.Contains(got[0], "熟人") {
		t.Errorf("wechat message %q", got)
	}
	if len(w.aliyun.sent) != 2 || w.aliyun.sent[0].phone != "13900000002" || !strings.Contains(w.aliyun.sent[0].param, away.Ticket) {
		t.Errorf("sms %+v", w.aliyun.sent)
	}
	for c, want := range map[*shian.Complaint]string{wx: "sent/wechat", away: "sent/sms", web: "sent/sms"} {
		if got := states(t, w.db, c.ID); got != want {
			t.Errorf("%s: %s, want %s", c.Ticket, got, want)
		}
	}
	if n, _ := w.worker.Drain(ctx); n != 0 || len(w.aliyun.sent) != 2 {
		t.Errorf("a second drain sent %d more", n)
	}
}

func TestWorkerRetriesAndUndeliverable(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	c := w.file(t, "13800000001", "zh", "")
	w.aliyun.fail = "isv.BUSINESS_LIMIT_CONTROL"
	w.accept(t, c.Ticket, "", false)
	if _, err := w.worker.Drain(ctx); err != nil {
		t.Fatal(err)
	}
	ns, _ := w.db.Notices(ctx, c.ID)
	if ns[0].State != shian.NoticePending || !strings.Contains(ns[0].LastError, "BUSINESS_LIMIT_CONTROL") || strings.Contains(ns[0].LastError, "13800000001") {
		t.Fatalf("after a refused SMS: %+v", ns[0])
	}
	if n, _ := w.worker.Drain(ctx); n != 0 {
		t.Fatal("retried before its backoff")
	}
	w.aliyun.fail = ""
	w.advance(time.Minute)
	if n, _ := w.worker.Drain(ctx); n != 1 || len(w.aliyun.sent) != 1 {
		t.Fatalf("retry: %d finished, %d sent", n, len(w.aliyun.sent))
	}
	// No phone and no WeChat: undeliverable, not retried.
	anon := w.file(t, "", "zh", "")
	w.move(t, anon.Ticket, shian.ComplaintVerifying, "", false)
	w.worker.Drain(ctx)
	if got := states(t, w.db, anon.ID); got != "undeliverable/" {
		t.Errorf("anonymous: %s", got)
	}
}

// A worker that dies while sending (its lease runs out) leaves the notice
// uncertain: never sent twice.
func TestCrashedSendIsNotRepeated(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	c := w.file(t, "13800000001", "zh", "")
	w.accept(t, c.Ticket, "", false)
	claimed, err := w.db.ClaimNotices(ctx, 10, time.Minute) // the worker that dies after this
	if err != nil || len(claimed) != 1 {
		t.Fatalf("claim: %v %v", claimed, err)
	}
	if n, _ := w.worker.Drain(ctx); n != 0 {
		t.Fatal("a leased notice was sent by another worker")
	}
	w.advance(2 * time.Minute)
	w.worker.Drain(ctx)
	if got := states(t, w.db, c.ID); got != "uncertain/" || len(w.aliyun.sent) != 0 {
		t.Fatalf("after the lease: %s, %d sent", got, len(w.aliyun.sent))
	}
	if err := w.db.FinishNotice(ctx, claimed[0].ID, shian.NoticeSent, "sms", "", time.Time{}); shian.ErrorCode(err) != shian.ECONFLICT {
		t.Fatalf("the dead worker's late finish: %v", err)
	}
}
