package render_test

import (
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// TestGolden pins the rendered fixture. After a deliberate template change,
// run: go test ./internal/render/ -run TestGolden -update
func TestGolden(t *testing.T) {
	out, err := mustRenderer(t).Render(fixture())
	if err != nil {
		t.Fatal(err)
	}
	for name, got := range map[string]string{"issue.html": out.HTML, "issue.txt": out.Text, "subject.txt": out.Subject + "\n"} {
		path := filepath.Join("testdata", name+".golden")
		if *update {
			if err := os.MkdirAll("testdata", 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run with -update to create it)", err)
		}
		if got != string(want) {
			t.Errorf("%s differs from %s; run with -update after checking the change:\n%s", name, path, firstDiff(string(want), got))
		}
	}
}

// firstDiff shows where two texts part, enough to see what changed.
func firstDiff(a, b string) string {
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	lo := max(0, i-80)
	return "want …" + a[lo:min(len(a), i+80)] + "…\n got …" + b[lo:min(len(b), i+80)] + "…"
}
