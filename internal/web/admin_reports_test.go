package web

import (
	"encoding/csv"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"bulletin/internal/bulletin"
	"bulletin/internal/fixture"
	"bulletin/internal/pgtest"
	"bulletin/internal/postgres"

	"github.com/alexedwards/scs/pgxstore"
)

// reportSent is when seedReport's issue 1 started sending.
var reportSent = time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)

// seedReport makes issue 1 of the default newsletter, sent to the list
// "readers", with two items (the first titled like a spreadsheet formula),
// three counted links and a week of members coming and going.
func seedReport(t *testing.T, db *postgres.DB) *bulletin.Issue {
	t.Helper()
	nl := fixture.Newsletter(t, db)
	fixture.List(t, db, &bulletin.List{Slug: "readers", Name: "Readers"})
	fixture.Readers(t, db, "readers", 4)
	a := fixture.Item(t, db, &bulletin.Item{NewsletterID: nl.ID, Title: "=HYPERLINK(\"http://evil\")", Status: bulletin.ItemApproved})
	b := fixture.Item(t, db, &bulletin.Item{NewsletterID: nl.ID, Title: "Repair café", Status: bulletin.ItemApproved})
	is := fixture.Issue(t, db, "")
	fixture.SentAt(t, db, is.ID, reportSent)
	fixture.DeliveryCounts(t, db, is.ID, 4, 3, 1)
	fixture.Inbound(t, db, is.ID, "bounce", "5.1.1", "r-b1")
	fixture.Inbound(t, db, is.ID, "complaint", "", "r-c1")
	fixture.LeftAt(t, db, "readers", fixture.Reader(1), bulletin.LeftByLink, reportSent.Add(2*time.Hour))
	fixture.Link(t, db, is.ID, 1, "https://example.org/a", a.ID)
	fixture.Link(t, db, is.ID, 2, "https://example.org/repair-cafe-with-a-rather-long-address-that-must-wrap-on-a-phone", b.ID)
	fixture.Link(t, db, is.ID, 3, "-2+3", 0) // a formula-looking address
	fixture.Clicks(t, db, is.ID, 1, reportSent, 4)
	fixture.Clicks(t, db, is.ID, 2, reportSent, 9)
	fixture.Clicks(t, db, is.ID, 2, reportSent.Add(24*time.Hour), 3)
	fixture.Clicks(t, db, is.ID, 3, reportSent.Add(3*24*time.Hour), 1)
	return is
}

func reportServer(t *testing.T) (*postgres.DB, string) {
	t.Helper()
	db := pgtest.New(t)
	s := wired(db)
	s.Sessions, s.Compiler = pgxstore.NewWithCleanupInterval(db.Pool, 0), noCompiler{}
	return db, serveAs(t, s, asRole(bulletin.RoleEditor)).URL
}

func getBody(t *testing.T, u string) (int, string, http.Header) {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	buf := new(strings.Builder)
	if _, err := io.Copy(buf, resp.Body); err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, buf.String(), resp.Header
}

func TestIssueReportAPIAndCSV(t *testing.T) {
	t.Parallel()
	db, base := reportServer(t)
	seedReport(t, db)

	code, body, _ := getBody(t, base+"/api/v1/newsletters/weekly/issues/1/report")
	if code != http.StatusOK {
		t.Fatalf("report: %d %s", code, body)
	}
	var rep struct {
		Recipients, Delivered, Failed, Bounced, Complaints, Unsubscribes, Clicks int64
		Links                                                                    []struct {
			URL    string
			Item   *int
			Clicks int64
		}
		Items []struct {
			Number int
			Title  string
			Clicks int64
		}
	}
	if err := json.Unmarshal([]byte(body), &rep); err != nil {
		t.Fatal(err)
	}
	if got := [...]int64{rep.Recipients, rep.Delivered, rep.Failed, rep.Bounced, rep.Complaints, rep.Unsubscribes, rep.Clicks}; got != [...]int64{4, 3, 1, 1, 1, 1, 17} {
		t.Errorf("figures %v", got)
	}
	if len(rep.Links) != 3 || rep.Links[0].Clicks != 12 || *rep.Links[0].Item != 2 || rep.Links[2].Item != nil {
		t.Errorf("links %+v", rep.Links)
	}
	if len(rep.Items) != 2 || rep.Items[0].Number != 2 || rep.Items[0].Title != "Repair café" || rep.Items[0].Clicks != 12 {
		t.Errorf("items %+v", rep.Items)
	}

	for path, want := range map[string]int{"/api/v1/newsletters/weekly/issues/x/report": 400,
		"/api/v1/newsletters/weekly/issues/9/report": 404, "/api/v1/newsletters/nope/issues/1/report": 404,
		"/admin/issues/weekly/9/report": 404, "/admin/issues/weekly/9/report.csv": 404,
		"/api/v1/lists/readers/growth?weeks=x": 400, "/api/v1/lists/readers/growth?weeks=9999": 400, "/admin/reports?weeks=-3": 400} {
		if code, body, _ := getBody(t, base+path); code != want {
			t.Errorf("%s: %d, want %d (%s)", path, code, want, body)
		}
	}

	code, body, h := getBody(t, base+"/admin/issues/weekly/1/report.csv")
	if code != 200 || !strings.HasPrefix(h.Get("Content-Type"), "text/csv") || !strings.Contains(h.Get("Content-Disposition"), "weekly-1-report.csv") {
		t.Fatalf("csv: %d %v", code, h)
	}
	rows, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	cells := map[string]bool{}
	for _, r := range rows {
		cells[strings.Join(r, "|")] = true
	}
	for _, want := range []string{"kind|name|item|url|value", "figure|unsubscribes|||1", "figure|clicks|||17",
		"day|2026-11-02|||13", "day|2026-11-03|||3", "item|'=HYPERLINK(\"http://evil\")|1||4", "link|3||'-2+3|1"} {
		if !cells[want] {
			t.Errorf("csv lacks %q:\n%s", want, body)
		}
	}
}

func TestReportPagesAndGrowthAPI(t *testing.T) {
	t.Parallel()
	db, base := reportServer(t)
	seedReport(t, db)

	code, body, _ := getBody(t, base+"/admin/issues/weekly/1/report")
	if code != 200 {
		t.Fatalf("report page %d", code)
	}
	for _, want := range []string{`<svg class="chart chart-bars" id="clicks-days-svg"`, `id="clicks-days-table"`,
		`<strong id="f-unsubscribes">1</strong>`, `=HYPERLINK(&#34;http://evil&#34;) · <strong>4</strong> clicks`, `href="/admin/issues/weekly/1/report.csv"`} {
		if !strings.Contains(body, want) {
			t.Errorf("report page lacks %s", want)
		}
	}
	if strings.Contains(body, " style=") {
		t.Error("report page has a style attribute the CSP refuses")
	}
	code, body, _ = getBody(t, base+"/admin/issues/weekly/1")
	if code != 200 || !strings.Contains(body, `href="/admin/issues/weekly/1/report"`) {
		t.Errorf("the issue page does not link its report (%d)", code)
	}
	for _, page := range []string{"/admin/reports", "/admin/"} {
		code, body, _ = getBody(t, base+page)
		if code != 200 || !strings.Contains(body, `-growth-readers-active-table`) && !strings.Contains(body, `id="growth-readers-active-table"`) ||
			!strings.Contains(body, "chart-line") {
			t.Errorf("%s: %d, no growth chart and table", page, code)
		}
	}

	code, body, _ = getBody(t, base+"/api/v1/lists/readers/growth?weeks=3")
	var g bulletin.ListGrowth
	if err := json.Unmarshal([]byte(body), &g); code != 200 || err != nil {
		t.Fatalf("growth: %d %v %s", code, err, body)
	}
	last := g.Weeks[len(g.Weeks)-1]
	if len(g.Weeks) != 3 || last.Active != 3 || g.List != "readers" {
		t.Errorf("growth %+v", g)
	}
}
