package portal

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/switchboard-rtm/switchboard/console"
	"github.com/switchboard-rtm/switchboard/engine"
	"github.com/switchboard-rtm/switchboard/forum"
	"github.com/switchboard-rtm/switchboard/usage"
	"github.com/switchboard-rtm/switchboard/webhooks"
)

type consoleTest struct {
	s   *Server
	use *usage.Service
	st  *forum.Store
	eng *engine.Engine
	con *console.Service
	wh  *webhooks.Service
}

// forumUsers is main's adapter (console_users.go), repeated for the
// portal's tests: the console finds accounts in the real forum store.
type forumUsers struct{ st *forum.Store }

func (u forumUsers) UserIDByUsername(ctx context.Context, name string) (int64, bool, error) {
	usr, err := u.st.FindUserByUsername(ctx, name)
	if err != nil {
		return 0, false, nil
	}
	return usr.ID, true, nil
}

// newConsoleServer is the portal with a real forum, engine, console and
// webhook service on one SQLite file.
func newConsoleServer(t *testing.T, opts ...func(*Config)) *consoleTest {
	t.Helper()
	ct := &consoleTest{}
	ct.s, ct.st = newForumServer(t, append([]func(*Config){func(cfg *Config) {
		ctx := context.Background()
		var err error
		if ct.eng, err = engine.New(ctx, engine.Config{DB: cfg.DB}); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { ct.eng.Shutdown(context.Background()) })
		if ct.wh, err = webhooks.New(ctx, webhooks.Config{DB: cfg.DB}); err != nil {
			t.Fatal(err)
		}
		cfg.Engine, cfg.Webhooks, cfg.EngineLimits = ct.eng.Handler(), ct.wh, ct.eng.Limits()
	}}, opts...)...)
	var err error
	ct.con, err = console.New(context.Background(), console.Config{DB: ct.s.cfg.DB, Engine: ct.eng, Users: forumUsers{ct.st}})
	if err != nil {
		t.Fatal(err)
	}
	ct.s.cfg.Console = ct.con
	if ct.use, err = usage.New(context.Background(), usage.Config{DB: ct.s.cfg.DB, Source: ct.eng}); err != nil {
		t.Fatal(err)
	}
	ct.s.cfg.Usage = ct.use
	// Routes are registered in New: register the console's now that it exists.
	ct.s.registerConsoleRoutes()
	return ct
}

var secretRE = regexp.MustCompile(`data-secret="([a-z-]+)">([^<]+)<`)

// secrets returns the secrets a console page shows, by name.
func secrets(body string) map[string]string {
	out := map[string]string{}
	for _, m := range secretRE.FindAllStringSubmatch(body, -1) {
		out[m[1]] = m[2]
	}
	return out
}

var appLinkRE = regexp.MustCompile(`data-app="([0-9a-f]{32})"`)

func TestConsoleFlowAndIsolation(t *testing.T) {
	ct := newConsoleServer(t)
	anon := newBrowser(t, ct.s)
	if w := anon.get("/en/console"); w.Code != http.StatusSeeOther || !strings.HasPrefix(w.Header().Get("Location"), "/en/login") {
		t.Fatalf("anonymous console: %d %s, want a redirect to login", w.Code, w.Header().Get("Location"))
	}
	alice := newBrowser(t, ct.s)
	alice.signup("alice@example.com", "Alice")
	home := alice.get("/en/console")
	wantStatus(t, home, http.StatusOK)
	if home.Header().Get("Cache-Control") != "no-store" || !strings.Contains(home.Body.String(), "Alice") {
		t.Fatalf("console home: cache %q, body without the personal team", home.Header().Get("Cache-Control"))
	}
	team := regexp.MustCompile(`data-team="(\d+)"`).FindStringSubmatch(home.Body.String())
	if team == nil {
		t.Fatal("no personal team on the console home")
	}
	form := url.Values{"team": {team[1]}, "name": {"Chat"}, "env": {"production"}}
	if w := alice.post("/en/console/apps", form, false); w.Code != http.StatusForbidden {
		t.Fatalf("create app without CSRF token: %d, want 403", w.Code)
	}
	if w := alice.post("/en/console/apps", url.Values{"team": {team[1]}, "name": {" "}, "from": {"team"}}, true); w.Code != http.StatusBadRequest ||
		!strings.Contains(w.Body.String(), "data-form-error") || !strings.Contains(w.Body.String(), "data-invite-form") {
		t.Fatalf("blank app name from the team page: %d, want 400 on the team page with the form's error", w.Code)
	}
	created := alice.post("/en/console/apps", form, true)
	wantStatus(t, created, http.StatusCreated)
	sec := secrets(created.Body.String())
	if len(sec["certificate"]) != 64 || !strings.HasPrefix(sec["api-key"], engine.APIKeyPrefix) {
		t.Fatalf("the created page shows %v, want the certificate and the API key", sec)
	}
	id := regexp.MustCompile(`data-app-id>([0-9a-f]{32})<`).FindStringSubmatch(created.Body.String())[1]
	page := alice.get("/en/console/apps/" + id)
	wantStatus(t, page, http.StatusOK)
	if s := secrets(page.Body.String()); len(s) != 0 || strings.Contains(page.Body.String(), sec["certificate"]) {
		t.Fatalf("a GET of the app page shows secrets %v", s)
	}
	revealed := alice.post("/en/console/apps/"+id+"/certificate", url.Values{"action": {"reveal"}}, true)
	if got := secrets(revealed.Body.String())["certificate"]; got != sec["certificate"] {
		t.Fatalf("revealed certificate %q, want the app's", got)
	}

	// The token generator signs on the server with the certificate.
	tok := alice.post("/en/console/apps/"+id+"/token", url.Values{"user": {"u1"}, "ttl": {"3600"}, "subscribe": {"room.*"}}, true)
	wantStatus(t, tok, http.StatusOK)
	var claims jwt.MapClaims
	if _, err := jwt.ParseWithClaims(secrets(tok.Body.String())["token"], &claims, func(*jwt.Token) (any, error) { return []byte(sec["certificate"]), nil }); err != nil {
		t.Fatalf("generated token: %v", err)
	}
	if claims["sub"] != "u1" || claims["app"] != id {
		t.Fatalf("claims %v", claims)
	}
	if w := alice.post("/en/console/apps/"+id+"/token", url.Values{"user": {""}, "ttl": {"3600"}}, true); w.Code != http.StatusBadRequest ||
		!strings.Contains(w.Body.String(), "data-form-error") {
		t.Fatalf("token without a user ID: %d, want 400 with the form's error", w.Code)
	}

	// Rotation with overlap: a new key, both listed.
	rot := alice.post("/en/console/apps/"+id+"/apikey", url.Values{"overlap": {"3600"}}, true)
	if k := secrets(rot.Body.String())["api-key"]; !strings.HasPrefix(k, engine.APIKeyPrefix) || k == sec["api-key"] {
		t.Fatalf("rotated key %q", k)
	}
	if n := strings.Count(alice.get("/en/console/apps/"+id).Body.String(), "data-api-key="); n != 2 {
		t.Fatalf("%d keys listed after a rotation with overlap, want 2", n)
	}

	// Someone outside the team gets 404 for everything of the app.
	bob := newBrowser(t, ct.s)
	bob.ip = "192.0.2.9:1"
	bob.signup("bob@example.com", "Bob")
	for _, r := range []struct{ method, path string }{
		{"GET", "/en/console/apps/" + id}, {"POST", "/en/console/apps/" + id + "/certificate"},
		{"POST", "/en/console/apps/" + id + "/apikey"}, {"POST", "/en/console/apps/" + id + "/token"},
		{"POST", "/en/console/apps/" + id + "/delete"}, {"GET", "/en/console/apps/" + id + "/webhooks"},
		{"POST", "/en/console/apps/" + id + "/webhooks"}, {"GET", "/en/console/teams/" + team[1]},
		{"POST", "/en/console/teams/" + team[1] + "/invites"},
		{"GET", "/en/console/apps/0123456789abcdef0123456789abcdef"},
	} {
		var w *httptest.ResponseRecorder
		if r.method == "GET" {
			w = bob.get(r.path)
		} else {
			w = bob.post(r.path, url.Values{"action": {"reveal"}, "user": {"x"}, "ttl": {"60"}, "who": {"bob"}, "role": {"owner"}}, true)
		}
		if w.Code != http.StatusNotFound {
			t.Errorf("bob %s %s: %d, want 404", r.method, r.path, w.Code)
		}
	}
	if strings.Contains(bob.get("/en/console").Body.String(), id) {
		t.Fatal("bob's console lists alice's app")
	}

	// Invited as a viewer, bob sees the app but no secret.
	teamPage := alice.post("/en/console/teams/"+team[1]+"/invites", url.Values{"who": {"@bob"}, "role": {"viewer"}}, true)
	if teamPage.Code != http.StatusSeeOther {
		t.Fatalf("invite: %d\n%.600s", teamPage.Code, teamPage.Body.String())
	}
	inv := regexp.MustCompile(`data-invite="(\d+)"`).FindStringSubmatch(bob.get("/en/console").Body.String())
	if inv == nil {
		t.Fatal("bob does not see the invitation")
	}
	if w := bob.post("/en/console/invites/"+inv[1], url.Values{"accept": {"1"}}, true); w.Code != http.StatusSeeOther {
		t.Fatalf("accept: %d", w.Code)
	}
	view := bob.get("/en/console/apps/" + id)
	wantStatus(t, view, http.StatusOK)
	if strings.Contains(view.Body.String(), "data-reveal") || strings.Contains(view.Body.String(), "data-token-form") {
		t.Fatal("a viewer is offered the certificate or the token generator")
	}
	if w := bob.post("/en/console/apps/"+id+"/certificate", url.Values{"action": {"reveal"}}, true); w.Code != http.StatusForbidden {
		t.Fatalf("viewer revealing the certificate: %d, want 403", w.Code)
	}
	if w := bob.post("/en/console/apps/"+id+"/rename", url.Values{"name": {"mine"}}, true); w.Code != http.StatusForbidden {
		t.Fatalf("viewer renaming: %d, want 403", w.Code)
	}

	// Deleting needs the name typed; then the app shows its deletion date.
	if w := alice.post("/en/console/apps/"+id+"/delete", url.Values{"confirm": {"chat"}}, true); w.Code != http.StatusBadRequest {
		t.Fatalf("delete with a wrong name: %d, want 400", w.Code)
	}
	if w := alice.post("/en/console/apps/"+id+"/delete", url.Values{"confirm": {"Chat"}}, true); w.Code != http.StatusSeeOther {
		t.Fatalf("delete: %d", w.Code)
	}
	if !strings.Contains(alice.get("/en/console/apps/"+id).Body.String(), "data-deleting") {
		t.Fatal("the app page does not say the app is being deleted")
	}
	if w := alice.post("/en/console/apps/"+id+"/restore", nil, true); w.Code != http.StatusSeeOther {
		t.Fatalf("restore: %d", w.Code)
	}
	// The Chinese pages render with Chinese labels.
	if zh := alice.get("/zh/console/apps/" + id); zh.Code != http.StatusOK || !strings.Contains(zh.Body.String(), "令牌生成器") {
		t.Fatalf("zh app page: %d", zh.Code)
	}
}

func TestConsoleStaffReadOnly(t *testing.T) {
	ct := newConsoleServer(t)
	alice := newBrowser(t, ct.s)
	alice.signup("alice@example.com", "Alice")
	home := alice.get("/en/console").Body.String()
	team := regexp.MustCompile(`data-team="(\d+)"`).FindStringSubmatch(home)[1]
	created := alice.post("/en/console/apps", url.Values{"team": {team}, "name": {"Shop"}}, true)
	id := regexp.MustCompile(`data-app-id>([0-9a-f]{32})<`).FindStringSubmatch(created.Body.String())[1]
	if !strings.Contains(created.Body.String(), "data-support-notice") {
		t.Fatal("the owner is not told that support can see the app")
	}
	staff := userWithRole(t, ct.s, ct.st, "staff@example.com", "Sam Staff", forum.RoleStaff)
	page := staff.get("/en/console/apps/" + id)
	wantStatus(t, page, http.StatusOK)
	if !strings.Contains(page.Body.String(), "data-staff-view") || strings.Contains(page.Body.String(), "data-reveal") {
		t.Fatal("staff view: want the read-only notice and no reveal button")
	}
	if w := staff.post("/en/console/apps/"+id+"/certificate", url.Values{"action": {"reveal"}}, true); w.Code != http.StatusForbidden {
		t.Fatalf("staff revealing: %d, want 403", w.Code)
	}

	// Staff list every app with its health; members and outsiders get 404.
	bob := newBrowser(t, ct.s)
	bob.ip = "192.0.2.9:1"
	bob.signup("bob@example.com", "Bob")
	bobTeam := regexp.MustCompile(`data-team="(\d+)"`).FindStringSubmatch(bob.get("/en/console").Body.String())[1]
	bobApp := regexp.MustCompile(`data-app-id>([0-9a-f]{32})<`).FindStringSubmatch(
		bob.post("/en/console/apps", url.Values{"team": {bobTeam}, "name": {"Game"}}, true).Body.String())[1]
	if !strings.Contains(staff.get("/en/console").Body.String(), "data-staff-list") || strings.Contains(alice.get("/en/console").Body.String(), "data-staff-list") {
		t.Fatal("the link to every app: want it for staff only")
	}
	list := staff.get("/en/console/staff")
	wantStatus(t, list, http.StatusOK)
	for _, app := range []string{id, bobApp} {
		if !strings.Contains(list.Body.String(), `data-staff-app="`+app+`"`) || !strings.Contains(list.Body.String(), `href="/en/console/apps/`+app+`"`) {
			t.Errorf("the staff list lacks app %s or its link", app)
		}
	}
	if zh := staff.get("/zh/console/staff"); zh.Code != http.StatusOK || !strings.Contains(zh.Body.String(), "全部应用") {
		t.Fatalf("zh staff list: %d", zh.Code)
	}
	if w := staff.get("/en/console/apps/" + bobApp); w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "data-staff-view") {
		t.Fatalf("staff opening an app from the list: %d, want the read-only view", w.Code)
	}
	for _, b := range []*browser{alice, bob} {
		if w := b.get("/en/console/staff"); w.Code != http.StatusNotFound {
			t.Errorf("a non-staff member opening the staff list: %d, want 404", w.Code)
		}
	}
}

func TestConsoleWebhooks(t *testing.T) {
	ct := newConsoleServer(t)
	if err := ct.wh.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(ct.wh.Close)
	got := make(chan string, 10)
	rc := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got <- r.Header.Get(webhooks.HeaderEvent) + " " + string(b)
	}))
	t.Cleanup(rc.Close)
	alice := newBrowser(t, ct.s)
	alice.signup("alice@example.com", "Alice")
	team := regexp.MustCompile(`data-team="(\d+)"`).FindStringSubmatch(alice.get("/en/console").Body.String())[1]
	created := alice.post("/en/console/apps", url.Values{"team": {team}, "name": {"Hooks"}}, true)
	id := regexp.MustCompile(`data-app-id>([0-9a-f]{32})<`).FindStringSubmatch(created.Body.String())[1]
	base := "/en/console/apps/" + id + "/webhooks"
	if w := alice.post(base, url.Values{"url": {"ftp://x"}, "events": {"connect"}}, true); w.Code != http.StatusBadRequest ||
		!strings.Contains(w.Body.String(), "data-form-error") {
		t.Fatalf("bad URL: %d", w.Code)
	}
	added := alice.post(base, url.Values{"url": {rc.URL}, "events": {"connect", "disconnect"}}, true)
	wantStatus(t, added, http.StatusCreated)
	if !strings.HasPrefix(secrets(added.Body.String())["webhook-secret"], "whsec_") {
		t.Fatal("the signing secret is not shown when the endpoint is added")
	}
	ep := regexp.MustCompile(`data-endpoint="(wh_[0-9a-f]+)"`).FindStringSubmatch(added.Body.String())[1]
	tested := alice.post(base+"/"+ep+"/test", nil, true)
	wantStatus(t, tested, http.StatusOK)
	select {
	case m := <-got:
		if !strings.HasPrefix(m, webhooks.TypeTest+" ") || !strings.Contains(m, id) {
			t.Fatalf("receiver got %q", m)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the test event did not arrive")
	}
	if !strings.Contains(tested.Body.String(), "data-tested") || !strings.Contains(tested.Body.String(), "data-deliveries") {
		t.Fatal("the test's answer and the delivery log are not shown")
	}
	if w := alice.post(base+"/"+ep+"/redeliver", url.Values{"event": {"evt_nope"}}, true); w.Code != http.StatusNotFound {
		t.Fatalf("redeliver an unknown event: %d, want 404", w.Code)
	}
	if w := alice.post(base+"/"+ep+"/remove", nil, true); w.Code != http.StatusSeeOther {
		t.Fatalf("remove: %d", w.Code)
	}
	if strings.Contains(alice.get(base).Body.String(), ep) {
		t.Fatal("the removed endpoint is still listed")
	}
}
