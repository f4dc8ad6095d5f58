package postgres

import (
	"errors"
	"fmt"
	"io"
	"runtime"
	"sync"

	"bulletin/internal/bulletin"
)

// parseBatchRows is how many records one batch carries from the reader to
// a validating worker: enough to make the hand-over cheap, few enough that
// the batches in flight stay a few hundred KiB.
const parseBatchRows = 1024

// parsedRow is one data record after validation: a row to stage, or the
// reason it is rejected (with its first line, and its last when it ran
// over several, else 0).
type parsedRow struct {
	first, last                      int
	fold, email, name, status, token string
	reason                           string
}

// parseBatch is a run of consecutive records: read in file order by the
// reader, validated by one worker (done is closed then), handed on in
// file order. err, when set, is why reading stopped after these records.
type parseBatch struct {
	recs [][]string // the fields of each record; nil for a malformed one
	out  []parsedRow
	err  error
	done chan struct{}
}

// parser reads the CSV on one goroutine and validates the records
// (address normalisation, names, statuses, a token for each row) on
// several, so that a large import is not held to one core's pace; the
// rows come out of next in file order, exactly as one goroutine would
// give them. close must be called once the rows are no longer wanted.
type parser struct {
	order chan *parseBatch
	stop  chan struct{}
	wg    sync.WaitGroup
	cur   *parseBatch
	i     int
}

func startParser(cr *csvReader, cols [3]int) *parser {
	workers := min(max(runtime.GOMAXPROCS(0), 1), 4)
	p := &parser{order: make(chan *parseBatch, 2*workers), stop: make(chan struct{})}
	work := make(chan *parseBatch, 2*workers)
	for range workers {
		p.wg.Go(func() {
			for b := range work {
				b.validate(cols)
				close(b.done)
			}
		})
	}
	p.wg.Go(func() {
		defer close(p.order)
		defer close(work)
		read := 0
		for {
			b, end := readBatch(cr, &read)
			select {
			case work <- b:
			case <-p.stop:
				return
			}
			select {
			case p.order <- b:
			case <-p.stop:
				return
			}
			if end {
				return
			}
		}
	})
	return p
}

// readBatch reads up to parseBatchRows records; end says the input ended
// (or can't be read on) after them. read counts the records read so far.
func readBatch(cr *csvReader, read *int) (b *parseBatch, end bool) {
	b = &parseBatch{done: make(chan struct{}), out: make([]parsedRow, 0, parseBatchRows),
		recs: make([][]string, 0, parseBatchRows)}
	for len(b.out) < parseBatchRows {
		first, last, rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return b, true
		}
		var bad *recordError
		var tooLong *lineTooLongError
		if errors.As(err, &tooLong) {
			b.err = bulletin.Errorf(bulletin.EINVALID, "after %d rows: %v", *read, err)
			return b, true
		} else if err != nil && !errors.As(err, &bad) {
			// Not a malformed line but an unreadable stream: nothing is kept.
			b.err = fmt.Errorf("import: read after %d rows: %w", *read, err)
			return b, true
		}
		*read++
		if bad != nil {
			b.out = append(b.out, parsedRow{first: bad.First, reason: bad.Reason})
			b.recs = append(b.recs, nil)
			continue
		}
		b.out = append(b.out, parsedRow{first: first, last: last})
		b.recs = append(b.recs, append([]string(nil), rec...))
	}
	return b, false
}

// validate fills in each record's row or reason.
func (b *parseBatch) validate(cols [3]int) {
	for i, rec := range b.recs {
		r := &b.out[i]
		if rec == nil {
			continue
		}
		row, err := parseRow(rec, cols)
		if err != nil {
			r.reason = bulletin.ErrorMessage(err)
			continue
		}
		r.email, r.name, r.status = row[0], row[1], row[2]
		r.fold, r.token = bulletin.FoldEmail(row[0]), newToken()
	}
	b.recs = nil
}

// next returns the next record in file order, or false at the end; err
// then says why reading stopped, if not at the end of the input.
func (p *parser) next() (r *parsedRow, ok bool, err error) {
	for p.cur == nil || p.i == len(p.cur.out) {
		if p.cur != nil && p.cur.err != nil {
			return nil, false, p.cur.err
		}
		b, open := <-p.order
		if !open {
			return nil, false, nil
		}
		<-b.done
		p.cur, p.i = b, 0
	}
	r = &p.cur.out[p.i]
	p.i++
	return r, true, nil
}

// close stops the reader and the workers and waits for them, so that
// nothing reads the input after the import returns.
func (p *parser) close() {
	close(p.stop)
	p.wg.Wait()
}
