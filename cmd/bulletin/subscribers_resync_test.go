package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// An unclosed quote costs one line; the command's progress counts every
// row, logs each count once, and its totals add up to the file.
func TestSubscribersImportCLIResyncsAndCountsEveryRow(t *testing.T) {
	ctx := context.Background()
	dsn := weeklyListURL(t)
	var b strings.Builder
	b.WriteString("email,name\nx,\"Open quote\n")
	for i := 0; i < 50_003; i++ {
		fmt.Fprintf(&b, "r%d@example.org,R\n", i)
	}
	file := filepath.Join(t.TempDir(), "in.csv")
	if err := os.WriteFile(file, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	env, out, errb := testEnv(map[string]string{"DATABASE_URL": dsn})
	err := run(ctx, env, []string{"subscribers", "import", "--list", "weekly", file})
	if err == nil || !strings.Contains(err.Error(), "1 bad lines") {
		t.Fatalf("import err = %v", err)
	}
	if !strings.Contains(out.String(), "imported 50003 (50003 new), skipped 1") {
		t.Fatalf("stdout %q", out.String())
	}
	logs := errb.String()
	if !strings.Contains(logs, file+":2: a quoted field opened on line 2 is not closed within 100 lines") {
		t.Fatalf("stderr %q", logs)
	}
	for _, want := range []string{"rows_read=50000\n", "rows_read=50004\n"} {
		if n := strings.Count(logs, want); n != 1 {
			t.Errorf("%q logged %d times, want once:\n%s", want, n, logs)
		}
	}
}
