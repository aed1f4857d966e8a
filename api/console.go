package api

// The supervisor console: server-rendered pages under /admin that work
// without JavaScript (forms post, the server redirects), Chinese first.
// Authorization is the route table's (admin.go); these handlers only shape
// what the staff service returns into pages.

import (
	"crypto/subtle"
	"html/template"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"shian"
	"shian/edge"
	"shian/staff"
	"shian/web"
)

type opt struct {
	Value, Label string
	Selected     bool
	Count        int
	URL          string
}

type consoleBase struct {
	Lang, Path string
	User       string
	Role       string
	CSRF       string
	Q          string // "?lang=xx" for links and form actions
	Error      string
	Notice     string
	IsAdmin    bool
	CanAct     bool
	CanRead    bool
}

func (s *Server) base(c *fiber.Ctx) consoleBase {
	lang := edge.Lang(c)
	b := consoleBase{Lang: lang, Path: strings.Clone(c.Path()), Q: "?lang=" + lang}
	if p := principal(c); p != nil {
		b.User, b.Role, b.CSRF = p.Name, p.Role, p.CSRF
		b.IsAdmin, b.CanAct, b.CanRead = p.Role == staff.RoleAdmin, staff.Allowed(p, staff.ActOnCases), staff.Allowed(p, staff.ReadCases)
	}
	return b
}

func fmtTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(shian.CST).Format("2006-01-02 15:04")
}

func statusLabel(st, lang string) string {
	if n, ok := shian.ComplaintStatusNames[st]; ok {
		return n.In(lang)
	}
	if st == staff.Reopen {
		return web.T(lang, "admin.reopen")
	}
	return st
}

func categoryLabel(code, lang string) string {
	if c, ok := shian.LookupComplaintCategory(code); ok {
		return c.Names.In(lang)
	}
	return code
}

// --- login and logout ---

type loginView struct {
	consoleBase
	Next      string
	Name      string
	LoginCSRF string
}

// safeNext keeps a post-login redirect on the console.
func safeNext(n string) string {
	if strings.HasPrefix(n, "/admin") && !strings.HasPrefix(n, "//") && !strings.Contains(n, "\\") && !strings.HasPrefix(n, "/admin/login") {
		return n
	}
	return "/admin"
}

func (s *Server) consoleLoginPage(c *fiber.Ctx) error {
	if p := principal(c); p != nil && p.Via == staff.ViaSession {
		return c.Redirect(safeNext(c.Query("next")), fiber.StatusSeeOther)
	}
	return s.renderLogin(c, fiber.StatusOK, "", "")
}

// renderLogin shows the form with a fresh login CSRF token (double submit:
// a cookie and the same value in the form), since there is no session yet.
func (s *Server) renderLogin(c *fiber.Ctx, status int, name, errMsg string) error {
	tok, err := staff.NewSecret("", 18)
	if err != nil {
		return err
	}
	c.Cookie(&fiber.Cookie{Name: loginCSRFCookie, Value: tok, Path: "/admin/login", HTTPOnly: true, Secure: s.edge.HTTPS(),
		SameSite: fiber.CookieSameSiteStrictMode})
	v := loginView{consoleBase: s.base(c), Next: safeNext(c.Query("next", c.FormValue("next"))), Name: name, LoginCSRF: tok}
	v.Error = errMsg
	return s.renderPage(c, status, "admin_login", v)
}

func (s *Server) consoleLogin(c *fiber.Ctx) error {
	lang := edge.Lang(c)
	name := strings.ToLower(strings.TrimSpace(strings.Clone(c.FormValue("name"))))
	password := strings.Clone(c.FormValue("password"))
	cookie, form := c.Cookies(loginCSRFCookie), c.FormValue(csrfField)
	if cookie == "" || subtle.ConstantTimeCompare([]byte(cookie), []byte(form)) != 1 {
		return s.renderLogin(c, fiber.StatusForbidden, name, edge.T(lang, "csrf"))
	}
	if len(name) > 64 {
		name = name[:64]
	}
	guard := staff.NewLoginGuard(s.edge.Limiter(), s.loginSlow)
	d, delay := guard.Check(c.UserContext(), name, s.edge.IPKey(c))
	if err := s.edge.Answer(c, d); err != nil {
		return s.renderLogin(c, fiber.StatusTooManyRequests, name, s.problemText(c, err))
	}
	time.Sleep(delay) // the name's recent failures slow every attempt on it
	id, p, err := s.accounts.Login(c.UserContext(), name, password, edge.ClientNet(s.edge.ClientIP(c)))
	if shian.ErrorCode(err) == shian.EUNAUTHORIZED {
		guard.Failed(c.UserContext(), name, s.edge.IPKey(c))
		time.Sleep(s.loginSlow)
		return s.renderLogin(c, fiber.StatusUnauthorized, name, edge.T(lang, "login_failed"))
	} else if err != nil {
		return err
	}
	s.setSession(c, id)
	next := safeNext(c.FormValue("next"))
	if next == "/admin" && p.Role == staff.RoleViewer {
		next = "/admin/dashboard"
	}
	return c.Redirect(next, fiber.StatusSeeOther)
}

// problemText is the translated message of an error, for a page (the
// one error path, edge.Fail).
func (s *Server) problemText(c *fiber.Ctx, err error) string { return s.edge.Fail(c, err).Detail }

func (s *Server) consoleLogout(c *fiber.Ctx) error {
	if err := s.accounts.Logout(c.UserContext(), principal(c)); err != nil {
		return err
	}
	s.clearSession(c)
	return c.Redirect("/admin/login?lang="+edge.Lang(c), fiber.StatusSeeOther)
}

func (s *Server) consoleHome(c *fiber.Ctx) error {
	if staff.Allowed(principal(c), staff.ReadCases) {
		return c.Redirect("/admin/queue?lang="+edge.Lang(c), fiber.StatusSeeOther)
	}
	return c.Redirect("/admin/dashboard?lang="+edge.Lang(c), fiber.StatusSeeOther)
}

// --- queue ---

type queueRow struct {
	Ticket, URL, Priority, PriorityLabel, Status, StatusLabel, Category, Shop, District, Grid string
	Due, DaysLeft, ClaimedBy, Filed                                                           string
	Overdue, Mine, Flagged, Unclaimed                                                         bool
}

type queueView struct {
	consoleBase
	F            staff.Filter
	StatusValue  string
	Statuses     []opt
	Districts    []opt
	Priorities   []opt
	Categories   []opt
	Kinds        []opt
	Targets      []opt
	Rows         []queueRow
	Total        int
	Page, Pages  int
	PrevURL      string
	NextURL      string
	CSVHint      string
	DueWithinStr string
	ClusterStr   string
}

func (s *Server) consoleQueue(c *fiber.Ctx) error {
	v := queueView{consoleBase: s.base(c)}
	lang := v.Lang
	f, err := staff.ParseFilter(queryValues(c))
	status := fiber.StatusOK
	if err != nil {
		v.Error, status = s.problemText(c, err), fiber.StatusBadRequest
		f = staff.Filter{Page: 1, PerPage: staff.DefaultPerPage}
	}
	if n := c.Query("done"); n != "" {
		v.Notice = web.T(lang, "admin.bulk.done", c.Query("done"), c.Query("failed", "0"))
	}
	p := principal(c)
	page, err := s.cases.Queue(c.UserContext(), p, f)
	if err != nil {
		return err
	}
	now := s.cases.Now()
	cal := s.cases.Triager().Calendar()
	v.F, v.StatusValue, v.Total, v.Page = f, strings.Join(f.Statuses, ","), page.Total, f.Page
	v.Pages = max((page.Total+f.PerPage-1)/f.PerPage, 1)
	if f.DueWithin > 0 {
		v.DueWithinStr = strconv.Itoa(f.DueWithin)
	}
	if f.Cluster > 0 {
		v.ClusterStr = strconv.FormatInt(f.Cluster, 10)
	}
	link := func(change func(q url.Values)) string {
		q := f.Values()
		q.Set("lang", lang)
		change(q)
		return "/admin/queue?" + q.Encode()
	}
	if f.Page > 1 {
		v.PrevURL = link(func(q url.Values) { q.Set("page", strconv.Itoa(f.Page-1)) })
	}
	if f.Page < v.Pages {
		v.NextURL = link(func(q url.Values) { q.Set("page", strconv.Itoa(f.Page+1)) })
	}
	v.Statuses = append(v.Statuses, opt{Value: "", Label: web.T(lang, "admin.status.open"), Selected: len(f.Statuses) == 0,
		URL: link(func(q url.Values) { q.Del("status"); q.Del("page") })})
	for _, st := range staff.AllStatuses {
		v.Statuses = append(v.Statuses, opt{Value: st, Label: statusLabel(st, lang), Count: page.Counts[st],
			Selected: len(f.Statuses) == 1 && f.Statuses[0] == st,
			URL:      link(func(q url.Values) { q.Set("status", st); q.Del("page") })})
	}
	v.Districts = []opt{{Value: "", Label: web.T(lang, "admin.any")}}
	for _, d := range shian.Districts {
		v.Districts = append(v.Districts, opt{Value: d.Code, Label: d.Names.In(lang), Selected: f.District == d.Code})
	}
	v.Districts = append(v.Districts, opt{Value: "none", Label: districtName("", lang), Selected: f.District == "none"})
	v.Priorities = []opt{{Value: "", Label: web.T(lang, "admin.any")}}
	for _, pr := range []string{shian.PriorityUrgent, shian.PriorityHigh, shian.PriorityNormal, shian.PriorityLow} {
		v.Priorities = append(v.Priorities, opt{Value: pr, Label: web.T(lang, "admin.priority."+pr), Selected: f.Priority == pr})
	}
	v.Categories = []opt{{Value: "", Label: web.T(lang, "admin.any")}}
	for _, cat := range shian.ComplaintCategories {
		v.Categories = append(v.Categories, opt{Value: cat.Code, Label: cat.Names.In(lang), Selected: f.Category == cat.Code})
	}
	v.Kinds = []opt{{Value: "", Label: web.T(lang, "admin.any")},
		{Value: shian.KindComplaint, Label: web.T(lang, "admin.kind.complaint"), Selected: f.Kind == shian.KindComplaint},
		{Value: shian.KindReport, Label: web.T(lang, "admin.kind.report"), Selected: f.Kind == shian.KindReport}}
	v.Targets = []opt{{Value: "claim", Label: web.T(lang, "admin.claim")}}
	for _, st := range []string{shian.ComplaintAccepted, shian.ComplaintMediating, shian.ComplaintVerifying, shian.ComplaintClosed} {
		v.Targets = append(v.Targets, opt{Value: "to:" + st, Label: "→ " + statusLabel(st, lang)})
	}
	for _, x := range page.Items {
		r := queueRow{Ticket: x.Ticket, URL: "/admin/cases/" + x.Ticket + "?lang=" + lang, Priority: x.Priority,
			PriorityLabel: web.T(lang, "admin.priority."+x.Priority), Status: x.Status, StatusLabel: statusLabel(x.Status, lang),
			Category: categoryLabel(x.Category, lang), Shop: x.ShopName, District: districtName(x.District, lang), Grid: x.Grid,
			ClaimedBy: x.ClaimedBy, Mine: x.ClaimedBy == p.Name, Unclaimed: x.ClaimedBy == "", Flagged: x.Flagged,
			Filed: fmtTime(x.CreatedAt)}
		if !x.DueAt.IsZero() && staff.IsOpen(x.Status) {
			r.Due = fmtTime(x.DueAt)
			r.Overdue = now.After(x.DueAt)
			r.DaysLeft = web.T(lang, "admin.days_left", cal.WorkingDaysBetween(now, x.DueAt))
		}
		v.Rows = append(v.Rows, r)
	}
	return s.renderPage(c, status, "admin_queue", v)
}

func (s *Server) consoleBulk(c *fiber.Ctx) error {
	lang := edge.Lang(c)
	var tickets []string
	for _, t := range c.Request().PostArgs().PeekMulti("ticket") {
		tickets = append(tickets, string(t))
	}
	in := staff.BulkInput{Tickets: tickets, Action: "claim"}
	if to, ok := strings.CutPrefix(c.FormValue("action"), "to:"); ok {
		in.Action, in.To = "transition", strings.Clone(to)
	}
	back := strings.Clone(c.FormValue("back"))
	if !strings.HasPrefix(back, "/admin/queue") {
		back = "/admin/queue?lang=" + lang
	}
	res, err := s.cases.Bulk(c.UserContext(), principal(c), in)
	if shian.ErrorCode(err) == shian.EINVALID {
		return c.Redirect(back, fiber.StatusSeeOther)
	} else if err != nil {
		return err
	}
	ok := 0
	for _, r := range res {
		if r.OK {
			ok++
		}
	}
	sep := "&"
	if !strings.Contains(back, "?") {
		sep = "?"
	}
	return c.Redirect(back+sep+"done="+strconv.Itoa(ok)+"&failed="+strconv.Itoa(len(res)-ok), fiber.StatusSeeOther)
}

// --- case page ---

type timelineRow struct {
	At, Type, Status, Actor, Note string
	Public                        bool
}

type briefRow struct {
	Ticket, URL, Status, Category, District, Filed string
}

type caseView struct {
	consoleBase
	D           caseDetail
	Title       string
	StatusLabel string
	Category    string
	Priority    string
	District    string
	Office      string
	Filed       string
	Occurred    string
	AcceptDue   string
	VerifyDue   string
	MedDue      string
	DueAt       string
	DaysLeft    string
	Overdue     bool
	Decided     string
	Outcome     string
	Timeline    []timelineRow
	Next        []opt
	Grounds     []opt
	Districts   []opt
	Offices     []opt
	Cluster     []briefRow
	DupOf       *briefRow
	Duplicates  []briefRow
	SameShop    []briefRow
	ShopGrade   string
	ShopURL     string
	Inspections []string
	Contact     *staff.Contact
	ClaimedByMe bool
	Action      string // the case's form action prefix
}

func briefRows(in []staff.Brief, lang string) []briefRow {
	var out []briefRow
	for _, b := range in {
		out = append(out, briefRow{Ticket: b.Ticket, URL: "/admin/cases/" + b.Ticket + "?lang=" + lang, Status: statusLabel(b.Status, lang),
			Category: categoryLabel(b.Category, lang), District: districtName(b.District, lang), Filed: fmtTime(b.CreatedAt)})
	}
	return out
}

func (s *Server) renderCase(c *fiber.Ctx, status int, errMsg string, contact *staff.Contact) error {
	p := principal(c)
	cv, err := s.cases.Case(c.UserContext(), p, ticketParam(c))
	if err != nil {
		return s.consoleError(c, err)
	}
	lang := edge.Lang(c)
	d := detailOf(p, cv, s.cases.Now())
	v := caseView{consoleBase: s.base(c), D: d, StatusLabel: statusLabel(d.Status, lang), Category: categoryLabel(d.Category, lang),
		Priority: web.T(lang, "admin.priority."+d.Priority), District: districtName(d.District, lang), Office: d.OfficeNames.In(lang),
		Filed: fmtTime(d.FiledAt), Occurred: fmtTime(d.OccurredAt), AcceptDue: fmtTime(d.AcceptDue), VerifyDue: fmtTime(d.VerifyDue),
		MedDue: fmtTime(d.MediationDue), Decided: fmtTime(d.DecidedAt), Outcome: fmtTime(d.OutcomeAt), Contact: contact,
		ClaimedByMe: d.ClaimedBy == p.Name, Action: "/admin/cases/" + d.Ticket + "/"}
	v.Error = errMsg
	if d.WorkingDaysLeft != nil {
		v.DueAt, v.Overdue = fmtTime(d.DueAt), d.Overdue
		v.DaysLeft = web.T(lang, "admin.days_left", *d.WorkingDaysLeft)
	}
	for _, e := range d.Timeline {
		v.Timeline = append(v.Timeline, timelineRow{At: fmtTime(e.At), Type: web.T(lang, "admin.event."+e.Type), Status: statusLabel(e.Status, lang),
			Actor: e.Actor, Note: e.Note, Public: e.Public})
	}
	for _, n := range d.Next {
		v.Next = append(v.Next, opt{Value: n, Label: statusLabel(n, lang)})
	}
	for _, g := range staff.RejectionGrounds {
		v.Grounds = append(v.Grounds, opt{Value: g.Code, Label: g.Names.In(lang)})
	}
	for _, dd := range shian.Districts {
		v.Districts = append(v.Districts, opt{Value: dd.Code, Label: dd.Names.In(lang), Selected: dd.Code == d.District})
	}
	v.Offices = []opt{{Value: "", Label: web.T(lang, "admin.office.auto")}}
	for _, o := range s.cases.Triager().Routing().Offices() {
		v.Offices = append(v.Offices, opt{Value: o.Code, Label: o.Names.In(lang)})
	}
	v.Cluster, v.Duplicates, v.SameShop = briefRows(d.Cluster, lang), briefRows(d.Duplicates, lang), briefRows(d.SameShop, lang)
	if d.DuplicateOf != nil {
		b := briefRows([]staff.Brief{*d.DuplicateOf}, lang)
		v.DupOf = &b[0]
	}
	if d.Shop != nil {
		v.ShopURL = "/shops/" + d.Shop.Licence + "?lang=" + lang
		v.ShopGrade = d.Shop.Grade.Dynamic
		if d.Shop.Grade.Dynamic != "" {
			v.ShopGrade = web.T(lang, "admin.grade."+d.Shop.Grade.Dynamic) + " (" + d.Shop.Grade.DynamicDate + ")"
		}
		for _, in := range d.Shop.Inspections {
			line := in.Date.Format(shian.DateLayout) + " " + web.T(lang, "admin.grade."+in.Result)
			if in.Score != nil {
				line += " " + shian.FormatScore(*in.Score)
			}
			if len(in.ItemsFailed) > 0 {
				line += " — " + strings.Join(in.ItemsFailed, "；")
			}
			v.Inspections = append(v.Inspections, line)
		}
	}
	return s.renderPage(c, status, "admin_case", v)
}

// consoleError renders a page for an error a console page met: 404 and
// friends as a page, internal ones through the error handler.
func (s *Server) consoleError(c *fiber.Ctx, err error) error {
	code := shian.ErrorCode(err)
	if code == shian.EINTERNAL || code == shian.EUNAVAILABLE {
		return err
	}
	v := s.base(c)
	p := s.edge.Fail(c, err)
	v.Error = p.Detail
	return s.renderPage(c, p.Status, "admin_error", v)
}

func (s *Server) consoleCase(c *fiber.Ctx) error { return s.renderCase(c, fiber.StatusOK, "", nil) }

// consoleAction runs one of the case page's forms and goes back to the
// case page (303), or shows it again with the error.
func (s *Server) consoleAction(kind string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		p, t, ctx := principal(c), ticketParam(c), c.UserContext()
		form := func(k string) string { return strings.Clone(c.FormValue(k)) }
		var err error
		switch kind {
		case "claim":
			_, err = s.cases.Claim(ctx, p, t)
		case "release":
			_, err = s.cases.Release(ctx, p, t)
		case "transition":
			_, err = s.cases.Transition(ctx, p, t, staff.TransitionInput{To: form("to"), Note: form("note"), Reason: form("reason"),
				Public: form("public") != ""})
		case "note":
			_, err = s.cases.AddNote(ctx, p, t, form("note"), form("public") != "")
		case "reassign":
			_, err = s.cases.Reassign(ctx, p, t, staff.ReassignInput{District: form("district"), Grid: form("grid"), Office: form("office"),
				Reason: form("reason")})
		case "merge":
			_, err = s.cases.Merge(ctx, p, t, form("into"), form("reason"))
		}
		if err != nil {
			code := shian.ErrorCode(err)
			if code == shian.ENOTFOUND || code == shian.EINTERNAL || code == shian.EUNAVAILABLE {
				return s.consoleError(c, err)
			}
			p := s.edge.Fail(c, err)
			msg := p.Detail
			if len(p.Allowed) > 0 {
				msg += " (" + strings.Join(p.Allowed, ", ") + ")"
			}
			return s.renderCase(c, p.Status, msg, nil)
		}
		if kind == "claim" && c.FormValue("back") != "" && strings.HasPrefix(c.FormValue("back"), "/admin/queue") {
			return c.Redirect(strings.Clone(c.FormValue("back")), fiber.StatusSeeOther)
		}
		return c.Redirect("/admin/cases/"+t+"?lang="+edge.Lang(c), fiber.StatusSeeOther)
	}
}

func (s *Server) consoleReveal(c *fiber.Ctx) error {
	ct, err := s.cases.RevealContact(c.UserContext(), principal(c), ticketParam(c))
	if err != nil {
		if shian.ErrorCode(err) == shian.ENOTFOUND {
			return s.consoleError(c, err)
		}
		p := s.edge.Fail(c, err)
		return s.renderCase(c, p.Status, p.Detail, nil)
	}
	return s.renderCase(c, fiber.StatusOK, "", &ct)
}

// --- dashboard ---

type dashRow struct {
	District, Name                               string
	Open, Overdue, Filed                         int
	AcceptRate, ResolveRate, MedAccept, MedResol string
	Satisfaction                                 string
	City                                         bool
}

type dashView struct {
	consoleBase
	From, To     string
	Rows         []dashRow
	OpenChart    template.HTML
	RateChart    template.HTML
	TrendChart   template.HTML
	TrendLegend  []opt
	Clusters     []Cluster
	CSVDistricts string
	CSVTrend     string
	CSVClusters  string
}

// Cluster is an active cluster as the dashboard lists it.
type Cluster struct {
	Ticket, URL, Shop, District, First, Last string
	Members, Open                            int
}

func pct(x float64) string {
	if x < 0 {
		return "—"
	}
	return strconv.FormatFloat(x*100, 'f', 1, 64) + "%"
}

func num(x float64) string {
	if x < 0 {
		return "—"
	}
	return strconv.FormatFloat(x, 'f', 1, 64)
}

func (s *Server) consoleDashboard(c *fiber.Ctx) error {
	v := dashView{consoleBase: s.base(c)}
	lang := v.Lang
	from, to, err := dashboardPeriod(c)
	if err != nil {
		return s.consoleError(c, err)
	}
	d, err := s.cases.Dashboard(c.UserContext(), principal(c), from, to)
	if err != nil {
		return err
	}
	v.From, v.To = d.From.In(shian.CST).Format(shian.DateLayout), d.To.In(shian.CST).Format(shian.DateLayout)
	q := "?from=" + v.From + "&to=" + v.To + "&lang=" + lang
	v.CSVDistricts, v.CSVTrend, v.CSVClusters = "/admin/dashboard/districts.csv"+q, "/admin/dashboard/trend.csv"+q, "/admin/dashboard/clusters.csv"+q
	for _, r := range append(d.Districts, d.City) {
		sat := "—"
		if r.Rated > 0 {
			sat = strconv.FormatFloat(r.Satisfaction, 'f', 2, 64) + " (" + strconv.Itoa(r.Rated) + ")"
		}
		v.Rows = append(v.Rows, dashRow{District: r.District, Name: districtName(r.District, lang), Open: r.Open, Overdue: r.Overdue,
			Filed: r.Filed, AcceptRate: pct(r.AcceptOnTime), ResolveRate: pct(r.ResolveOnTime), MedAccept: num(r.MedianAcceptDays),
			MedResol: num(r.MedianResolveDays), Satisfaction: sat, City: r.District == "city"})
	}
	v.OpenChart = openChart(d.Districts, lang)
	v.RateChart = rateChart(d.Districts, lang)
	v.TrendChart, v.TrendLegend = trendChart(d, lang)
	for _, cl := range d.Clusters {
		v.Clusters = append(v.Clusters, Cluster{Ticket: cl.Ticket, URL: "/admin/queue?cluster=" + strconv.FormatInt(cl.ID, 10) + "&status=all&lang=" + lang,
			Shop: cl.ShopName, District: districtName(cl.District, lang), First: fmtTime(cl.First), Last: fmtTime(cl.Last),
			Members: cl.Members, Open: cl.Open})
	}
	return s.renderPage(c, fiber.StatusOK, "admin_dashboard", v)
}
