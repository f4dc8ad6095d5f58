package postgres_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"bulletin/internal/bulletin"
	"bulletin/internal/pgtest"
	"bulletin/internal/postgres"

	"github.com/jackc/pgx/v5"
)

func importCSV(t *testing.T, db *postgres.DB, list, data string) *bulletin.ImportResult {
	t.Helper()
	res, err := db.ImportSubscribers(context.Background(), list, strings.NewReader(data), bulletin.ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestImportBadLinesKeepsGoodOnes(t *testing.T) {
	db := pgtest.New(t)
	mustList(t, db, "weekly", true, true)
	data := "email,name,status\n" + // 1
		"ann@example.org,Ann,\n" + // 2
		"not-an-address,Bad,\n" + // 3
		"Bob <bob@example.org>,Bob,\n" + // 4
		"cy@Example.COM,\"Cy, Jr.\",active\n" + // 5
		"dee@example.net,Dee,sleeping\n" + // 6
		"eve@example.org,Eve\n" + // 7: too few fields
		"fay@example.org,\"F\xffay\",\n" + // 8: invalid UTF-8
		"gus@example.org,\"Gus \"quoted\" x\",\n" + // 9: bare quote
		"hal@example.org,Hal,unsubscribed\n" + // 10
		"\n" + // 11: blank lines are skipped
		"ann@example.org,Ann Again,\n" // 12: repeated address, last wins
	res := importCSV(t, db, "weekly", data)
	wantErrs := map[int]string{3: "not a valid", 4: "display name", 6: "status", 7: "fields", 8: "UTF-8", 9: "quote"}
	if res.Imported != 3 || res.Created != 3 || res.Skipped != 7 || len(res.Errors) != len(wantErrs) {
		t.Fatalf("result %+v", res)
	}
	for _, e := range res.Errors {
		if w, ok := wantErrs[e.Line]; !ok || !strings.Contains(e.Error, w) {
			t.Errorf("line %d: %q, want it to mention %q", e.Line, e.Error, w)
		}
	}
	if got := strings.Join(receivers(t, db, "weekly"), " "); got != "ann@example.org cy@example.com" {
		t.Fatalf("receivers = %q", got)
	}
	found, _ := db.FindSubscribers(context.Background(), "ann@example.org", 0, 1)
	if len(found) != 1 || found[0].Name != "Ann Again" {
		t.Fatalf("ann = %+v", found)
	}
}

func TestImportHeaderErrorsChangeNothing(t *testing.T) {
	db := pgtest.New(t)
	mustList(t, db, "weekly", true, true)
	for _, data := range []string{
		"",
		"ann@example.org,Ann\nbob@example.org,Bob\n",
		"email\nann@example.org\n",
		"email,name,phone\nann@example.org,Ann,123\n",
		"email,email\nann@example.org,x\n",
		"email,name\n" + strings.Repeat("x", 70<<10) + "\n",
	} {
		_, err := db.ImportSubscribers(context.Background(), "weekly", strings.NewReader(data), bulletin.ImportOptions{})
		wantCode(t, err, bulletin.EINVALID)
	}
	_, err := db.ImportSubscribers(context.Background(), "nope", strings.NewReader("email,name\n"), bulletin.ImportOptions{})
	wantCode(t, err, bulletin.ENOTFOUND)
	var n int
	db.Pool.QueryRow(context.Background(), `SELECT count(*) FROM subscribers`).Scan(&n)
	if n != 0 {
		t.Fatalf("%d subscribers after rejected imports", n)
	}
	// Header columns may come in any order, with a BOM and spaces.
	res := importCSV(t, db, "weekly", "\ufeffName , EMAIL\nAnn,ann@example.org\n")
	if res.Imported != 1 || len(res.Errors) != 0 {
		t.Fatalf("reordered header: %+v", res)
	}
}

// Re-importing changes nothing, and an import never re-subscribes someone
// who unsubscribed, bounced or was blocklisted.
func TestImportIdempotentAndNeverResurrects(t *testing.T) {
	ctx := context.Background()
	db := pgtest.New(t)
	mustList(t, db, "weekly", true, true)
	data := "email,name\nann@example.org,Ann\nbob@example.org,Bob\ncy@example.org,Cy\n"
	importCSV(t, db, "weekly", data)
	var before string
	db.Pool.QueryRow(ctx, `SELECT string_agg(email || token || updated_at::text, ',' ORDER BY id) FROM subscribers`).Scan(&before)
	res := importCSV(t, db, "weekly", data)
	var after string
	db.Pool.QueryRow(ctx, `SELECT string_agg(email || token || updated_at::text, ',' ORDER BY id) FROM subscribers`).Scan(&after)
	if res.Imported != 3 || res.Created != 0 || before != after {
		t.Fatalf("re-import: %+v\nbefore %s\nafter  %s", res, before, after)
	}
	bob, _ := db.FindSubscribers(ctx, "bob@example.org", 0, 1)
	db.Unsubscribe(ctx, bob[0].Token)
	db.Pool.Exec(ctx, `UPDATE subscribers SET status = 'blocklisted' WHERE email = 'cy@example.org'`)
	importCSV(t, db, "weekly", "email,name,status\nann@example.org,Ann,active\nbob@example.org,Bob,active\ncy@example.org,Cy,active\n")
	if got := strings.Join(receivers(t, db, "weekly"), " "); got != "ann@example.org" {
		t.Fatalf("receivers after re-import = %q", got)
	}
	// The status column can take people off, though.
	importCSV(t, db, "weekly", "email,name,status\nann@example.org,,bounced\n")
	if got := receivers(t, db, "weekly"); len(got) != 0 {
		t.Fatalf("bounced still receives: %v", got)
	}
	ann, _ := db.FindSubscribers(ctx, "ann@example.org", 0, 1)
	if ann[0].Name != "Ann" || ann[0].Status != "bounced" {
		t.Fatalf("an empty name overwrote, or status not applied: %+v", ann[0])
	}
}

func TestExportRoundTrip(t *testing.T) {
	ctx := context.Background()
	db := pgtest.New(t)
	mustList(t, db, "a", true, true)
	mustList(t, db, "b", true, true)
	data := "email,name,status\n" +
		"ann@example.org,\"Ann, \"\"the\"\" first\",active\n" +
		"bob@example.org,Bob,unsubscribed\n" +
		"cy@example.org,Cy,pending\n" +
		"zoë@bücher.example,Zoë,blocklisted\n"
	importCSV(t, db, "a", data)
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.Write([]string{"email", "name", "status"})
	err := db.ExportSubscribers(ctx, "a", func(e, n, s string) error { return w.Write([]string{e, n, s}) })
	w.Flush()
	if err != nil {
		t.Fatal(err)
	}
	want := strings.Replace(data, "bücher.example", "xn--bcher-kva.example", 1)
	if buf.String() != want {
		t.Fatalf("export:\n%s\nwant:\n%s", buf.String(), want)
	}
	// Importing the export into another list reproduces it.
	importCSV(t, db, "b", buf.String())
	var again bytes.Buffer
	w = csv.NewWriter(&again)
	w.Write([]string{"email", "name", "status"})
	db.ExportSubscribers(ctx, "b", func(e, n, s string) error { return w.Write([]string{e, n, s}) })
	w.Flush()
	if again.String() != buf.String() {
		t.Fatalf("round trip:\n%s\nwant:\n%s", again.String(), buf.String())
	}
	wantCode(t, db.ExportSubscribers(ctx, "nope", func(_, _, _ string) error { return nil }), bulletin.ENOTFOUND)
}

func TestImportErrorsCapped(t *testing.T) {
	db := pgtest.New(t)
	mustList(t, db, "weekly", true, true)
	var b strings.Builder
	b.WriteString("email,name\n")
	for i := 0; i < bulletin.MaxImportErrors+5; i++ {
		b.WriteString("bad,x\n")
	}
	b.WriteString("ok@example.org,OK\n")
	var progress []int
	res, err := db.ImportSubscribers(context.Background(), "weekly", strings.NewReader(b.String()),
		bulletin.ImportOptions{Progress: func(n int) { progress = append(progress, n) }})
	if err != nil {
		t.Fatal(err)
	}
	if res.Imported != 1 || len(res.Errors) != bulletin.MaxImportErrors || res.MoreErrors != 5 || res.Errors[0].Line != 2 {
		t.Fatalf("result: imported %d, errors %d, more %d", res.Imported, len(res.Errors), res.MoreErrors)
	}
	if len(progress) == 0 || progress[len(progress)-1] != bulletin.MaxImportErrors+6 {
		t.Fatalf("progress = %v", progress)
	}
}

// csvSource generates n rows of CSV on the fly, so the benchmark's input
// never sits in memory either.
type csvSource struct {
	n, i int
	buf  []byte
}

func (s *csvSource) Read(p []byte) (int, error) {
	for len(s.buf) < len(p) && s.i <= s.n {
		if s.i == 0 {
			s.buf = append(s.buf, "email,name,status\n"...)
		} else {
			s.buf = fmt.Appendf(s.buf, "reader%d@example.%s,Reader %d,active\n", s.i, [3]string{"org", "com", "net"}[s.i%3], s.i)
		}
		s.i++
	}
	if len(s.buf) == 0 {
		return 0, io.EOF
	}
	n := copy(p, s.buf)
	s.buf = s.buf[n:]
	return n, nil
}

// BenchmarkImport imports 100,000 rows; BULLETIN_BENCH_ROWS=1000000 for a
// million, BULLETIN_BENCH_ROUNDS=3 for three rounds and their median. Run
// with -benchtime=1x. Beside the import's wall time (split into staging,
// the streamed parse and COPY up to the last row read, and the merge after
// it), peak Go heap and peak RSS it measures two floors on the same server
// in the same round. The floor: a plain COPY of the same CSV into a plain
// table, then a unique index on email (before and after the import; the
// floor is their mean); the ratio import/floor is the target (at
// most 3). The rows floor: the rows the import wrote, finished (ids,
// tokens, memberships), COPY'd straight into empty copies of subscribers
// and subscriptions with their indexes and growth trigger, in one
// transaction rolled back: what writing the import's rows costs with
// nothing else. It reports both ratios (and the rows floor's CPU time
// against the floor's: what the two tables cost before any of the import's
// own work), the CPU time the PostgreSQL server
// and this process spent on each (the machine is shared, so wall times
// swing with the load; CPU time much less) and the load average.
func BenchmarkImport(b *testing.B) {
	rows, rounds := 100_000, 1
	if v := os.Getenv("BULLETIN_BENCH_ROWS"); v != "" {
		rows, _ = strconv.Atoi(v)
	}
	if v := os.Getenv("BULLETIN_BENCH_ROUNDS"); v != "" {
		rounds, _ = strconv.Atoi(v)
	}
	db := pgtest.New(b)
	mustList(b, db, "bench", false, false)
	for i := 0; i < b.N; i++ {
		var ratios, rowsRatios []float64
		for r := 0; r < max(rounds, 1); r++ {
			ratio, rowsRatio := importRound(b, db, rows)
			ratios = append(ratios, ratio)
			rowsRatios = append(rowsRatios, rowsRatio)
		}
		slices.Sort(ratios)
		slices.Sort(rowsRatios)
		b.ReportMetric(ratios[len(ratios)/2], "median-import/floor")
		b.ReportMetric(rowsRatios[len(rowsRatios)/2], "median-import/rows-floor")
		b.Logf("ratios import/floor over %d rounds: %.2f; median %.2f; import/rows floor %.2f; median %.2f",
			len(ratios), ratios, ratios[len(ratios)/2], rowsRatios, rowsRatios[len(rowsRatios)/2])
	}
}

// importRound times one import of rows into the empty list between two
// timings of its floor, then its rows floor, reports and logs the figures,
// and returns the wall-time ratios of the import to the floor's mean and
// to the rows floor.
func importRound(b *testing.B, db *postgres.DB, rows int) (float64, float64) {
	ctx := context.Background()
	db.Pool.Exec(ctx, `TRUNCATE subscribers, subscriptions CASCADE`)
	db.Pool.Exec(ctx, `CHECKPOINT`)
	before, beforeCPU := copyFloor(b, db, rows, false)
	runtime.GC()
	var peak uint64
	var ms runtime.MemStats
	var staged time.Time
	sample := func(n int) {
		runtime.ReadMemStats(&ms)
		peak = max(peak, ms.HeapInuse)
		if n == rows {
			staged = time.Now()
		}
	}
	load := loadAvg()
	cpu := cpuNow(b, db)
	start := time.Now()
	res, err := db.ImportSubscribers(ctx, "bench", &csvSource{n: rows}, bulletin.ImportOptions{Progress: sample})
	took := time.Since(start)
	importCPU := cpuNow(b, db).since(cpu)
	if err != nil || res.Imported != rows || res.Created != rows {
		b.Fatalf("import: %+v %v", res, err)
	}
	rss := peakRSS() // before the rows floor reads the finished rows back
	load += " → " + loadAvg()
	db.Pool.Exec(ctx, `CHECKPOINT`)
	after, afterCPU := copyFloor(b, db, rows, false)
	floor := (before + after) / 2
	floorCPU := cpuTimes{(beforeCPU.server + afterCPU.server) / 2, (beforeCPU.self + afterCPU.self) / 2, beforeCPU.local && afterCPU.local}
	indexFirst, _ := copyFloor(b, db, rows, true)
	rowsWall, rowsCPU := rowsFloor(b, db)
	ratio := took.Seconds() / floor.Seconds()
	rowsRatio := took.Seconds() / rowsWall.Seconds()
	stage := staged.Sub(start)
	b.ReportMetric(took.Seconds(), "s/import")
	b.ReportMetric(floor.Seconds(), "s/copy+index")
	b.ReportMetric(ratio, "import/floor")
	b.ReportMetric(rowsWall.Seconds(), "s/rows-floor")
	b.ReportMetric(rowsRatio, "import/rows-floor")
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
	b.ReportMetric(float64(rss)/1024, "peak-rss-MiB")
	b.ReportMetric(indexFirst.Seconds(), "s/copy-into-indexed")
	cpuLine := fmt.Sprintf("CPU import: this process %.2f s, floor %.2f s, rows floor %.2f s (the server is not on this machine)",
		importCPU.self.Seconds(), floorCPU.self.Seconds(), rowsCPU.self.Seconds())
	if importCPU.local && floorCPU.local && rowsCPU.local {
		cpuRatio := importCPU.total().Seconds() / floorCPU.total().Seconds()
		cpuRowsRatio := importCPU.total().Seconds() / rowsCPU.total().Seconds()
		rowsOverFloor := rowsCPU.total().Seconds() / floorCPU.total().Seconds()
		b.ReportMetric(cpuRatio, "cpu-import/floor")
		b.ReportMetric(cpuRowsRatio, "cpu-import/rows-floor")
		b.ReportMetric(rowsOverFloor, "cpu-rows-floor/floor")
		cpuLine = fmt.Sprintf("CPU import: server %.2f s + this process %.2f s, floor: server %.2f s + %.2f s, ratio %.2f; "+
			"rows floor: server %.2f s + %.2f s, ratio %.2f (the rows floor is %.2f× the floor)",
			importCPU.server.Seconds(), importCPU.self.Seconds(), floorCPU.server.Seconds(), floorCPU.self.Seconds(), cpuRatio,
			rowsCPU.server.Seconds(), rowsCPU.self.Seconds(), cpuRowsRatio, rowsOverFloor)
	}
	b.Logf("%d rows: import %.2f s (parse and COPY to staging %.2f s, merge %.2f s); "+
		"floor, COPY then unique index: %.2f s before, %.2f s after; ratio %.2f; "+
		"rows floor, the finished rows COPY'd into copies of the two tables: %.2f s, ratio %.2f; %s; "+
		"COPY into a table already indexed %.2f s; peak heap %.1f MiB, peak RSS %.1f MiB; load average %s → %s",
		rows, took.Seconds(), stage.Seconds(), (took - stage).Seconds(), before.Seconds(), after.Seconds(), ratio,
		rowsWall.Seconds(), rowsRatio, cpuLine,
		indexFirst.Seconds(), float64(peak)/(1<<20), float64(rss)/1024, load, loadAvg())
	return ratio, rowsRatio
}

// copyFloor times what an import cannot beat: COPY of the same CSV into a
// plain table, then a unique index on email (or, indexFirst, into a table
// that has the index already, which pays for it row by row as an import
// into a live table must).
func copyFloor(b *testing.B, db *postgres.DB, rows int, indexFirst bool) (time.Duration, cpuTimes) {
	b.Helper()
	ctx := context.Background()
	if _, err := db.Pool.Exec(ctx, `DROP TABLE IF EXISTS copy_floor; CREATE TABLE copy_floor (email text, name text, status text)`); err != nil {
		b.Fatal(err)
	}
	if indexFirst {
		if _, err := db.Pool.Exec(ctx, `CREATE UNIQUE INDEX copy_floor_email ON copy_floor (email)`); err != nil {
			b.Fatal(err)
		}
	}
	defer db.Pool.Exec(ctx, `DROP TABLE copy_floor`)
	return timedOn(b, db, func(conn *pgx.Conn) {
		if _, err := conn.PgConn().CopyFrom(ctx, &csvSource{n: rows}, `COPY copy_floor FROM STDIN WITH (FORMAT csv, HEADER true)`); err != nil {
			b.Fatal(err)
		}
		if !indexFirst {
			if _, err := conn.Exec(ctx, `CREATE UNIQUE INDEX copy_floor_email ON copy_floor (email)`); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// timedOn runs work on a connection of its own and returns its wall time
// and the CPU time it took (cpuNow: the server's and this process's).
func timedOn(b *testing.B, db *postgres.DB, work func(conn *pgx.Conn)) (time.Duration, cpuTimes) {
	b.Helper()
	conn, err := db.Pool.Acquire(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Release()
	cpu := cpuNow(b, db)
	start := time.Now()
	work(conn.Conn())
	return time.Since(start), cpuNow(b, db).since(cpu)
}

// rowsFloor times what writing the import's rows costs with nothing else:
// the subscribers and memberships the import just wrote, read back into
// files (in id order, as the import writes them), are COPY'd in binary
// format, finished (ids, tokens, statuses, times), into empty copies of
// the two tables made with LIKE … INCLUDING ALL (the same indexes: primary
// keys, the folded address, the partial token and confirmation indexes)
// and the same growth and counts trigger on the memberships (migrations
// 0115, 0152 and 0180; the import pays it too), in one transaction that is
// rolled back, as an import that fails would be. The copies are created
// and committed before, so their rows are written to the WAL as the live
// tables' are (a table created in the same transaction may skip it).
func rowsFloor(b *testing.B, db *postgres.DB) (time.Duration, cpuTimes) {
	b.Helper()
	ctx := context.Background()
	dir := b.TempDir()
	subsFile, membersFile := dir+"/subscribers.bin", dir+"/subscriptions.bin"
	dump := func(path, query string) {
		f, err := os.Create(path)
		if err != nil {
			b.Fatal(err)
		}
		defer f.Close()
		conn, err := db.Pool.Acquire(ctx)
		if err != nil {
			b.Fatal(err)
		}
		defer conn.Release()
		if _, err := conn.Conn().PgConn().CopyTo(ctx, f, `COPY (`+query+`) TO STDOUT WITH (FORMAT binary)`); err != nil {
			b.Fatal(err)
		}
	}
	dump(subsFile, `SELECT * FROM subscribers ORDER BY id`)
	dump(membersFile, `SELECT * FROM subscriptions ORDER BY subscriber_id, list_id`)
	if _, err := db.Pool.Exec(ctx, `DROP TABLE IF EXISTS rows_floor_subscribers, rows_floor_subscriptions;
		CREATE TABLE rows_floor_subscribers (LIKE subscribers INCLUDING ALL);
		CREATE TABLE rows_floor_subscriptions (LIKE subscriptions INCLUDING ALL);
		CREATE TRIGGER rows_floor_growth_insert AFTER INSERT ON rows_floor_subscriptions
			REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION subscriptions_growth()`); err != nil {
		b.Fatal(err)
	}
	defer db.Pool.Exec(ctx, `DROP TABLE IF EXISTS rows_floor_subscribers, rows_floor_subscriptions`)
	db.Pool.Exec(ctx, `CHECKPOINT`)
	load := func(conn *pgx.Conn, path, table string) {
		f, err := os.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		defer f.Close()
		if _, err := conn.PgConn().CopyFrom(ctx, f, `COPY `+table+` FROM STDIN WITH (FORMAT binary)`); err != nil {
			b.Fatal(err)
		}
	}
	return timedOn(b, db, func(conn *pgx.Conn) {
		tx, err := conn.Begin(ctx)
		if err != nil {
			b.Fatal(err)
		}
		load(tx.Conn(), subsFile, `rows_floor_subscribers`)
		load(tx.Conn(), membersFile, `rows_floor_subscriptions`)
		if err := tx.Rollback(ctx); err != nil {
			b.Fatal(err)
		}
	})
}

// cpuTimes is CPU time used by the PostgreSQL server (all its processes:
// backends, WAL writer, checkpointer), when it runs on this machine
// (local), and by this process.
type cpuTimes struct {
	server, self time.Duration
	local        bool
}

func (c cpuTimes) since(o cpuTimes) cpuTimes {
	return cpuTimes{c.server - o.server, c.self - o.self, c.local && o.local}
}

func (c cpuTimes) total() time.Duration { return c.server + c.self }

// cpuNow reads the CPU time of this process and of the PostgreSQL server
// it talks to, from /proc: the postmaster's own and its reaped children's,
// plus each live child's. The server's is known only when it runs on this
// machine (pgtest starts it here; DATABASE_URL may name another).
func cpuNow(b *testing.B, db *postgres.DB) cpuTimes {
	b.Helper()
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	self := time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	var backend int
	if err := db.Pool.QueryRow(context.Background(), `SELECT pg_backend_pid()`).Scan(&backend); err != nil {
		b.Fatal(err)
	}
	cmd, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", backend))
	st, ok := tryProcStat(backend)
	if !ok || !bytes.HasPrefix(cmd, []byte("postgres")) {
		return cpuTimes{self: self}
	}
	postmaster := st[1]
	pm, ok := tryProcStat(int(postmaster))
	if !ok {
		return cpuTimes{self: self}
	}
	server := pm[11] + pm[12] + pm[13] + pm[14] // utime stime cutime cstime
	procs, _ := os.ReadDir("/proc")
	for _, e := range procs {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if c, ok := tryProcStat(pid); ok && c[1] == postmaster {
			server += c[11] + c[12]
		}
	}
	return cpuTimes{server: time.Duration(server) * time.Second / 100, self: self, local: true} // USER_HZ is 100 on Linux
}

// tryProcStat returns /proc/PID/stat's fields after the command name, as
// numbers: [0] is the state (0), [1] the parent, [11] utime, [12] stime,
// [13] cutime, [14] cstime, in clock ticks.
func tryProcStat(pid int) ([]int64, bool) {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return nil, false
	}
	i := bytes.LastIndexByte(raw, ')')
	if i < 0 {
		return nil, false
	}
	var out []int64
	for _, f := range strings.Fields(string(raw[i+1:])) {
		n, _ := strconv.ParseInt(f, 10, 64)
		out = append(out, n)
	}
	return out, len(out) > 14
}

func loadAvg() string {
	b, _ := os.ReadFile("/proc/loadavg")
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}

// peakRSS returns this process's peak resident set in KiB (VmHWM), not
// counting the PostgreSQL server, which /usr/bin/time would include.
func peakRSS() int {
	b, _ := os.ReadFile("/proc/self/status")
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			n, _ := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")))
			return n
		}
	}
	return 0
}
