package api

// The staff side: /admin (console pages, console.go) and /admin/api/v1
// (JSON). Who may do what is decided in one place, staff.Allowed and
// staff.Sees; here every route names its staff.Action in adminRouteTable
// and one middleware (authorize) enforces it, checks the CSRF token of
// session-authenticated writes, and sends anonymous console visitors to the
// login page.

import (
	"crypto/subtle"
	"net/url"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"shian"
	"shian/edge"
	"shian/staff"
)

const (
	sessionCookie   = "shian_session"
	loginCSRFCookie = "shian_login_csrf"
	principalLocal  = "shian.principal"
	csrfField       = "_csrf"
	csrfHeader      = "X-CSRF-Token"
)

// AdminRoute is one staff route and the action it needs.
type AdminRoute struct {
	Method string
	Path   string
	Action staff.Action
}

type adminRoute struct {
	AdminRoute
	handler fiber.Handler
}

// adminRouteTable is the route table of the staff side. The QR routes are
// there without a staff service (AdminToken); the rest need one.
func (s *Server) adminRouteTable() []adminRoute {
	r := func(method, path string, a staff.Action, h fiber.Handler) adminRoute {
		return adminRoute{AdminRoute{method, path, a}, h}
	}
	api := "/admin/api/v1"
	routes := []adminRoute{
		r("GET", api+"/shops/:licence/qr.png", staff.PrintStickers, s.shopQRPNG),
		r("GET", api+"/shops/:licence/qr.svg", staff.PrintStickers, s.shopQRSVG),
		r("GET", api+"/shops/:licence/scans", staff.PrintStickers, s.shopScans),
		r("POST", api+"/qr/sheets", staff.PrintStickers, s.qrSheet),
	}
	if s.cases == nil {
		return routes
	}
	return append(routes,
		r("GET", api+"/me", staff.ReadSelf, s.adminMe),
		r("GET", api+"/complaints", staff.ReadCases, s.adminQueue),
		r("POST", api+"/complaints/bulk", staff.ActOnCases, s.adminBulk),
		r("GET", api+"/complaints/:ticket", staff.ReadCases, s.adminCase),
		r("POST", api+"/complaints/:ticket/claim", staff.ActOnCases, s.adminClaim),
		r("POST", api+"/complaints/:ticket/release", staff.ActOnCases, s.adminRelease),
		r("POST", api+"/complaints/:ticket/transition", staff.ActOnCases, s.adminTransition),
		r("POST", api+"/complaints/:ticket/notes", staff.ActOnCases, s.adminNote),
		r("POST", api+"/complaints/:ticket/reassign", staff.ActOnCases, s.adminReassign),
		r("POST", api+"/complaints/:ticket/merge", staff.ActOnCases, s.adminMerge),
		r("POST", api+"/complaints/:ticket/reveal-contact", staff.RevealContact, s.adminReveal),
		r("GET", api+"/dashboard", staff.ReadStats, s.adminDashboard),
		r("GET", api+"/dashboard/:figure.csv", staff.ReadStats, s.adminDashboardCSV),

		r("GET", "/admin", staff.ReadSelf, s.consoleHome),
		r("POST", "/admin/logout", staff.ReadSelf, s.consoleLogout),
		r("GET", "/admin/queue", staff.ReadCases, s.consoleQueue),
		r("POST", "/admin/queue/bulk", staff.ActOnCases, s.consoleBulk),
		r("GET", "/admin/cases/:ticket", staff.ReadCases, s.consoleCase),
		r("POST", "/admin/cases/:ticket/claim", staff.ActOnCases, s.consoleAction("claim")),
		r("POST", "/admin/cases/:ticket/release", staff.ActOnCases, s.consoleAction("release")),
		r("POST", "/admin/cases/:ticket/transition", staff.ActOnCases, s.consoleAction("transition")),
		r("POST", "/admin/cases/:ticket/notes", staff.ActOnCases, s.consoleAction("note")),
		r("POST", "/admin/cases/:ticket/reassign", staff.ActOnCases, s.consoleAction("reassign")),
		r("POST", "/admin/cases/:ticket/merge", staff.ActOnCases, s.consoleAction("merge")),
		r("POST", "/admin/cases/:ticket/reveal-contact", staff.RevealContact, s.consoleReveal),
		r("GET", "/admin/dashboard", staff.ReadStats, s.consoleDashboard),
		r("GET", "/admin/dashboard/:figure.csv", staff.ReadStats, s.adminDashboardCSV),
	)
}

// AdminRoutes lists the staff routes with the action each needs, for the
// authorization matrix test and the docs.
func (s *Server) AdminRoutes() []AdminRoute {
	var out []AdminRoute
	for _, r := range s.adminRouteTable() {
		out = append(out, r.AdminRoute)
	}
	return out
}

// authenticate finds who makes a request under /admin: a bearer token
// (API clients), else the session cookie (console). A request with neither
// is anonymous; a bad token is refused at once, a stale cookie is dropped.
func (s *Server) authenticate(c *fiber.Ctx) error {
	var p *staff.Principal
	if h := c.Get(fiber.HeaderAuthorization); h != "" {
		tok, ok := strings.CutPrefix(h, "Bearer ")
		switch {
		case !ok:
			return staff.ErrUnauthorized
		case s.adminTok != "" && subtle.ConstantTimeCompare([]byte(tok), []byte(s.adminTok)) == 1:
			// The operator's bootstrap token (SHIAN_ADMIN_TOKEN) acts as an admin.
			p = &staff.Principal{Name: "admin-token", Role: staff.RoleAdmin, Via: staff.ViaToken}
		case s.accounts == nil:
			return staff.ErrUnauthorized
		default:
			var err error
			if p, err = s.accounts.AuthenticateToken(c.UserContext(), tok); err != nil {
				return err
			}
		}
	} else if id := c.Cookies(sessionCookie); id != "" && s.accounts != nil {
		var err error
		p, err = s.accounts.Authenticate(c.UserContext(), id)
		switch shian.ErrorCode(err) {
		case "":
		case shian.EUNAUTHORIZED:
			s.clearSession(c)
		default:
			return err
		}
	}
	c.Locals(principalLocal, p)
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Next()
}

func principal(c *fiber.Ctx) *staff.Principal {
	p, _ := c.Locals(principalLocal).(*staff.Principal)
	return p
}

func isAPI(c *fiber.Ctx) bool { return strings.HasPrefix(strings.ToLower(c.Path()), "/admin/api/") }

// authorize enforces the route's action (staff.Require: 401 anonymous, 403
// a role without it), then the CSRF token on writes made with a session.
// Anonymous console visitors are sent to the login page instead of a 401.
func (s *Server) authorize(a staff.Action) fiber.Handler {
	return func(c *fiber.Ctx) error {
		p := principal(c)
		if err := staff.Require(p, a); err != nil {
			if p == nil && !isAPI(c) && c.Method() == fiber.MethodGet {
				return c.Redirect("/admin/login?lang="+edge.Lang(c)+"&next="+url.QueryEscape(string(c.Request().URI().RequestURI())), fiber.StatusSeeOther)
			}
			return err
		}
		if p.Via == staff.ViaSession && c.Method() != fiber.MethodGet && c.Method() != fiber.MethodHead {
			tok := c.Get(csrfHeader)
			if tok == "" {
				tok = c.FormValue(csrfField)
			}
			if p.CSRF == "" || subtle.ConstantTimeCompare([]byte(tok), []byte(p.CSRF)) != 1 {
				return errCSRF
			}
		}
		return c.Next()
	}
}

var errCSRF = &shian.Error{Code: shian.EFORBIDDEN, Key: "csrf", Message: "the form has expired or did not come from this site; reload the page and try again"}

func (s *Server) setSession(c *fiber.Ctx, id string) {
	c.Cookie(&fiber.Cookie{Name: sessionCookie, Value: id, Path: "/admin", HTTPOnly: true, Secure: s.edge.HTTPS(),
		SameSite: fiber.CookieSameSiteStrictMode})
}

func (s *Server) clearSession(c *fiber.Ctx) {
	c.Cookie(&fiber.Cookie{Name: sessionCookie, Value: "", Path: "/admin", HTTPOnly: true, Secure: s.edge.HTTPS(),
		SameSite: fiber.CookieSameSiteStrictMode, Expires: time.Unix(1, 0), MaxAge: -1})
}

// ticketParam is the :ticket path parameter, copied out of Fiber's buffer.
func ticketParam(c *fiber.Ctx) string { return strings.Clone(c.Params("ticket")) }
