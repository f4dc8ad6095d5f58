package postgres

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
)

// maxCSVLine bounds one physical line, so that a file without line breaks
// cannot make the reader buffer it whole.
const maxCSVLine = 64 << 10

// maxRecordLines bounds how many lines one quoted field may run over before
// the record is called malformed; with maxCSVLine it bounds the lines held
// for a resynchronisation.
const maxRecordLines = 100

// csvReader reads RFC 4180 CSV one record at a time, like encoding/csv,
// but a malformed record (an unclosed quote, a stray quote) costs only the
// line it starts on: the reader resynchronises at the next line and reads
// the lines the bad record had swallowed again, as records of their own.
// Blank lines are skipped.
type csvReader struct {
	br     *bufio.Reader
	next   int       // number of the next line to read from br
	back   []csvLine // lines to read again, in order, before br
	span   []csvLine // the lines of the record being read
	fields []string  // the last record's fields, reused
	field  []byte    // scratch for a quoted field
	joined []byte    // scratch: span joined by '\n'
	free   [][]byte  // line buffers to reuse
}

type csvLine struct {
	n    int
	text []byte // without the line ending
}

// recordError is a malformed record; the reader has already arranged to
// go on with the line after First.
type recordError struct {
	First, Last int
	Reason      string
}

func (e *recordError) Error() string { return fmt.Sprintf("line %d: %s", e.First, e.Reason) }

type lineTooLongError struct{}

func (*lineTooLongError) Error() string {
	return fmt.Sprintf("a line is longer than %d bytes; is this a CSV file?", maxCSVLine)
}

func newCSVReader(r io.Reader) *csvReader {
	return &csvReader{br: bufio.NewReaderSize(r, maxCSVLine), next: 1}
}

// readLine returns the next physical line, or io.EOF.
func (c *csvReader) readLine() (csvLine, error) {
	if len(c.back) > 0 {
		l := c.back[0]
		c.back = c.back[1:]
		return l, nil
	}
	b, err := c.br.ReadSlice('\n')
	if errors.Is(err, bufio.ErrBufferFull) {
		return csvLine{}, &lineTooLongError{}
	}
	if err != nil && !errors.Is(err, io.EOF) {
		return csvLine{}, err
	}
	if len(b) == 0 && err != nil {
		return csvLine{}, io.EOF
	}
	b = bytes.TrimSuffix(b, []byte("\n"))
	b = bytes.TrimSuffix(b, []byte("\r"))
	var buf []byte
	if n := len(c.free); n > 0 {
		buf, c.free = c.free[n-1][:0], c.free[:n-1]
	}
	l := csvLine{n: c.next, text: append(buf, b...)}
	c.next++
	return l, nil
}

// Read returns the next record's fields (valid until the next Read) and the
// lines it covered. A malformed record is a *recordError; io.EOF ends the
// input; anything else is fatal (an unreadable stream, a line too long).
func (c *csvReader) Read() (first, last int, fields []string, err error) {
	for _, l := range c.span {
		c.free = append(c.free, l.text)
	}
	c.span = c.span[:0]
	for {
		l, err := c.readLine()
		if err != nil {
			if errors.Is(err, io.EOF) && len(c.span) > 0 {
				return c.malformed(fmt.Sprintf("a quoted field opened on line %d is never closed", c.span[0].n))
			}
			return 0, 0, nil, err
		}
		if len(c.span) == 0 && len(l.text) == 0 {
			c.free = append(c.free, l.text)
			continue
		}
		c.span = append(c.span, l)
		open, reason := c.split()
		switch {
		case reason != "":
			return c.malformed(reason)
		case !open:
			return c.span[0].n, l.n, c.fields, nil
		case len(c.span) >= maxRecordLines || c.spanBytes() > maxCSVLine:
			return c.malformed(fmt.Sprintf("a quoted field opened on line %d is not closed within %d lines", c.span[0].n, len(c.span)))
		}
	}
}

// malformed reports the record in span as bad and puts back every line of
// it but the first, to be read again.
func (c *csvReader) malformed(reason string) (int, int, []string, error) {
	first, last := c.span[0].n, c.span[len(c.span)-1].n
	if last > first {
		reason += fmt.Sprintf(" (the record ran to line %d; lines %d–%d were read again on their own)", last, first+1, last)
		c.back = append(append([]csvLine{}, c.span[1:]...), c.back...)
		c.span = c.span[:1]
	}
	return first, last, nil, &recordError{First: first, Last: last, Reason: reason}
}

func (c *csvReader) spanBytes() int {
	n := 0
	for _, l := range c.span {
		n += len(l.text) + 1
	}
	return n
}

// split parses the lines in span into fields. open says a quoted field is
// still open at the end; reason is set when the record is malformed.
func (c *csvReader) split() (open bool, reason string) {
	s := c.span[0].text
	if len(c.span) > 1 {
		c.joined = c.joined[:0]
		for i, l := range c.span {
			if i > 0 {
				c.joined = append(c.joined, '\n')
			}
			c.joined = append(c.joined, l.text...)
		}
		s = c.joined
	}
	c.fields = c.fields[:0]
	i := 0
	for {
		if i < len(s) && s[i] == '"' {
			i++
			c.field = c.field[:0]
			for {
				j := bytes.IndexByte(s[i:], '"')
				if j < 0 {
					return true, ""
				}
				c.field = append(c.field, s[i:i+j]...)
				i += j + 1
				if i < len(s) && s[i] == '"' {
					c.field = append(c.field, '"')
					i++
					continue
				}
				break
			}
			c.fields = append(c.fields, string(c.field))
			if i == len(s) {
				return false, ""
			}
			if s[i] != ',' {
				return false, `extraneous or missing " in quoted-field`
			}
			i++
			continue
		}
		j := bytes.IndexByte(s[i:], ',')
		f := s[i:]
		if j >= 0 {
			f = s[i : i+j]
		}
		if bytes.IndexByte(f, '"') >= 0 {
			return false, `bare " in non-quoted-field`
		}
		c.fields = append(c.fields, string(f))
		if j < 0 {
			return false, ""
		}
		i += j + 1
	}
}
