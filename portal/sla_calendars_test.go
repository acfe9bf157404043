package portal

import (
	"bytes"
	"context"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-rtm/switchboard/content"
	"github.com/switchboard-rtm/switchboard/forum"
)

// newCalendarServer is a portal whose forum clock is fixed at now and
// whose SLA service installs calendars into dir.
func newCalendarServer(t *testing.T, now time.Time, dir string) (*Server, *forum.Store, *forum.SLA) {
	t.Helper()
	var st *forum.Store
	var x *forum.SLA
	s, _ := newForumServer(t, func(cfg *Config) {
		var err error
		st, err = forum.Open(context.Background(), cfg.DB, forum.Config{Renderer: content.NewPostRenderer(nil), Logger: cfg.Logger,
			Password: forum.PasswordParams{MemoryKiB: 64, Time: 1, Threads: 1}, Now: func() time.Time { return now },
			Limits: forum.Limits{TopicInterval: time.Nanosecond, ReplyInterval: time.Nanosecond, NewUserTopicsPerDay: 1000, NewUserRepliesPerDay: 1000}})
		if err != nil {
			t.Fatal(err)
		}
		cfg.Forum = st
		if x, err = forum.NewSLA(context.Background(), st, forum.SLAConfig{CalendarsDir: dir}); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(x.Close)
		cfg.SLA = x
	})
	return s, st, x
}

// upload posts a calendar file as the admin page's form does.
func (b *browser) upload(target, name string, data []byte, csrf bool) *httptest.ResponseRecorder {
	b.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	if csrf {
		mw.WriteField("_csrf", b.cookies[csrfCookie].Value)
	}
	fw, _ := mw.CreateFormFile("file", name)
	fw.Write(data)
	mw.Close()
	r := httptest.NewRequest(http.MethodPost, target, &body)
	r.Header.Set("Content-Type", mw.FormDataContentType())
	return b.do(r)
}

func TestCalendarsAPIBannerAndUpload(t *testing.T) {
	loc, _ := time.LoadLocation("Asia/Shanghai")
	dir := t.TempDir()
	s, st, x := newCalendarServer(t, time.Date(2027, 11, 20, 10, 0, 0, 0, loc), dir)
	admin := userWithRole(t, s, st, "admin@example.com", "Admin", forum.RoleAdmin)
	member := newBrowser(t, s)
	member.signup("member@example.com", "Member")

	var got forum.CalendarStatus
	w := newBrowser(t, s).get("/api/sla/calendars")
	if err := json.Unmarshal(w.Body.Bytes(), &got); w.Code != http.StatusOK || err != nil {
		t.Fatalf("GET /api/sla/calendars: %d %v", w.Code, err)
	}
	if len(got.Calendars) != 1 || got.Calendars[0].ID != "cn" || len(got.Calendars[0].Years) != 3 || got.Calendars[0].Source == "" ||
		len(got.MissingYears) != 1 || got.MissingYears[0] != 2028 {
		t.Fatalf("calendars = %+v, want cn 2025–2027 and 2028 missing (40 days before it starts)", got)
	}
	for _, path := range []string{"/en/community/response-times", "/zh/community/response-times"} {
		body := newBrowser(t, s).get(path).Body.String()
		if !strings.Contains(body, `data-calendar-missing="2028"`) || !strings.Contains(body, "2025, 2026, 2027") {
			t.Errorf("%s: no banner for the missing 2028 calendar, or the covered years", path)
		}
	}
	if w := admin.get("/en/admin/sla"); !strings.Contains(w.Body.String(), `data-calendar-missing="2028"`) {
		t.Errorf("admin SLA page: no missing-year banner")
	}
	if w := member.get("/en/admin/sla/calendars"); w.Code != http.StatusForbidden {
		t.Errorf("member GET calendars: status %d, want 403", w.Code)
	}
	page := admin.get("/en/admin/sla/calendars")
	if page.Code != http.StatusOK || !strings.Contains(page.Body.String(), `data-year="2027"`) || !strings.Contains(page.Body.String(), "lunar-go v1.4.7") {
		t.Fatalf("admin calendars page: %d\n%.2000s", page.Code, page.Body.String())
	}

	file := []byte(`{"region": "cn", "year": 2028, "source": "State Council notice for 2028", "holidays": [
  {"name": {"en": "New Year's Day", "zh": "元旦"}, "off": ["2028-01-01", "2028-01-02", "2028-01-03"]}]}`)
	if w := member.upload("/en/admin/sla/calendars", "2028.json", file, true); w.Code != http.StatusForbidden {
		t.Errorf("member upload: status %d, want 403", w.Code)
	}
	if w := admin.upload("/en/admin/sla/calendars", "2028.json", file, false); w.Code != http.StatusForbidden {
		t.Errorf("upload without the CSRF token: status %d, want 403", w.Code)
	}
	bad := map[string][]byte{
		"en": bytes.Replace(file, []byte(`"off"`), []byte(`"days_off"`), 1),
		"zh": []byte(`{"region": "cn", "year": 2028,`),
	}
	for lang, data := range bad {
		w := admin.upload("/"+lang+"/admin/sla/calendars", "2028.json", data, true)
		want := map[string]string{"en": "This calendar file was not installed", "zh": "未安装此日历文件"}[lang]
		if w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), want) {
			t.Errorf("%s bad file: status %d, body lacks %q", lang, w.Code, want)
		}
	}
	if w := admin.upload("/en/admin/sla/calendars", "2028.json", bytes.Repeat([]byte(" "), 100<<10), true); w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), "65536") {
		t.Errorf("a 100 KB file: status %d, want 400 naming the limit", w.Code)
	}
	if w := admin.upload("/en/admin/sla/calendars", "2028.json", bytes.Repeat([]byte(" "), 2<<20), true); w.Code != http.StatusRequestEntityTooLarge || !strings.Contains(w.Body.String(), "far larger") {
		t.Errorf("a 2 MB upload: status %d, want 413", w.Code)
	}
	if _, err := os.Stat(filepath.Join(dir, "cn", "2028.json")); err == nil {
		t.Fatal("a rejected file was written")
	}
	w = admin.upload("/en/admin/sla/calendars", "2028.json", file, true)
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/en/admin/sla/calendars?installed=cn-2028" {
		t.Fatalf("upload: status %d to %q", w.Code, w.Header().Get("Location"))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := x.WaitRecompute(ctx); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(newBrowser(t, s).get("/api/sla/calendars").Body.Bytes(), &got); err != nil || len(got.MissingYears) != 0 || len(got.Calendars[0].Years) != 4 {
		t.Errorf("after the upload: %+v, %v", got, err)
	}
	body := newBrowser(t, s).get("/en/community/response-times").Body.String()
	if strings.Contains(body, "data-calendar-missing") || !strings.Contains(body, "Stored results last recomputed") {
		t.Errorf("dashboard after the upload: banner still shown, or no last recompute")
	}
}
