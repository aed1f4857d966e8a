package shian

import "time"

// NotifiesComplainant reports whether a timeline event sends the
// complainant a notice: a public status change or a public on-site
// finding. Internal events (notes, claims, clusters) never do
// (docs/notices.md).
func NotifiesComplainant(e ComplaintEvent) bool {
	return e.Public && (e.Type == "status" || e.Type == EventVerified)
}

// Notice states (docs/notices.md).
const (
	NoticePending       = "pending"
	NoticeSending       = "sending"       // leased by a worker
	NoticeSent          = "sent"          // the provider accepted it
	NoticeUndeliverable = "undeliverable" // no channel reaches the complainant
	NoticeFailed        = "failed"        // retries exhausted
	// NoticeUncertain is a notice whose worker died while sending: it may
	// or may not have gone out, and it is not sent again (no duplicates);
	// operators see it in the outbox.
	NoticeUncertain = "uncertain"
)

// Notice is one queued message to a complainant.
type Notice struct {
	ID          int64
	ComplaintID int64
	Ticket      string
	EventID     int64
	Lang        string
	Channel     string // the channel the complaint came by
	Status      string // the case's status after the event
	Kind        string // status or verified
	State       string
	Attempts    int
	NextAt      time.Time
	Via         string // wechat, sms, log
	LastError   string
	CreatedAt   time.Time
}

// noticeStatus says each status in a sentence the complainant reads.
var noticeStatus = map[string]Text{
	ComplaintReceived:        {"已收到，正在处理", "has been received and is being handled", "получена и рассматривается"},
	ComplaintAccepted:        {"已受理", "has been accepted", "принята к рассмотрению"},
	ComplaintRejected:        {"不予受理", "was not accepted", "не принята к рассмотрению"},
	ComplaintMediating:       {"正在调解", "is in mediation", "находится на стадии примирения"},
	ComplaintResolved:        {"调解成功，已办结", "was resolved by mediation", "урегулирована примирением"},
	ComplaintMediationFailed: {"调解未成功，已终止调解", "mediation ended without agreement", "примирение не достигнуто"},
	ComplaintVerifying:       {"正在核查", "is being verified", "проверяется"},
	ComplaintCaseOpened:      {"已立案调查", "led to a case being opened", "по ней возбуждено дело"},
	ComplaintNotOpened:       {"经核查不予立案", "was verified; no case was opened", "проверена; дело не возбуждено"},
	ComplaintClosed:          {"已办结", "is closed", "закрыта"},
}

var noticeFrame = Text{"【食安秦皇岛】您的投诉举报%s%s。详情请查询。", "[Shian Qinhuangdao] Your complaint %s %s. Check its status for details.",
	"[Shian Циньхуандао] Ваша жалоба %s %s. Подробности — в статусе жалобы."}

var noticeChecked = Text{"已完成现场核查", "was checked on site", "проверена на месте"}

// NoticeText is the short message for a notice in its language: the
// ticket and what happened, never a note.
func NoticeText(n *Notice) string {
	what := noticeStatus[n.Status]
	if n.Kind == EventVerified {
		what = noticeChecked
	}
	if what[0] == "" {
		what = Text{n.Status, n.Status, n.Status}
	}
	return noticeFrame.Format(n.Lang, n.Ticket, what.In(n.Lang))
}
