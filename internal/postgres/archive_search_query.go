package postgres

import (
	"errors"
	"math"
	"strconv"
	"strings"
)

// The in-process search evaluates the tsquery PostgreSQL made of the
// reader's words (websearch_to_tsquery, so parsing, stemming and stop words
// stay PostgreSQL's) against each item's stored tsvector, and ranks hits the
// way ts_rank does. A tsquery using what websearch_to_tsquery never makes
// (prefixes, weights, NOT or OR inside a phrase) is not supported here and
// the search falls back to SQL.

var errQueryUnsupported = errors.New("tsquery form not evaluated in process")

type tsOp int

const (
	tsVal tsOp = iota
	tsNot
	tsAnd
	tsOr
	tsPhrase
)

// tsNode is a node of a parsed tsquery. A value node names its operand by
// index into tsQuery.lexemes.
type tsNode struct {
	op          tsOp
	operand     int
	dist        int // phrase distance
	left, right *tsNode
}

// tsQuery is a parsed tsquery: its tree and its distinct operand lexemes.
type tsQuery struct {
	root    *tsNode
	lexemes []string
}

// parseTSQuery parses the text form of a tsquery as PostgreSQL prints it:
// 'lexeme', !, &, |, <->, <N> and parentheses. The empty string (a query of
// stop words only) gives a nil root.
func parseTSQuery(s string) (*tsQuery, error) {
	p := &tsParser{s: s, index: map[string]int{}}
	q := &tsQuery{}
	p.skip()
	if p.i == len(p.s) {
		return q, nil
	}
	root, err := p.or()
	if err != nil {
		return nil, err
	}
	if p.skip(); p.i != len(p.s) {
		return nil, errors.New("tsquery: unexpected text at " + strconv.Itoa(p.i))
	}
	q.root, q.lexemes = root, p.lexemes
	return q, nil
}

type tsParser struct {
	s       string
	i       int
	lexemes []string
	index   map[string]int
}

func (p *tsParser) skip() {
	for p.i < len(p.s) && p.s[p.i] == ' ' {
		p.i++
	}
}

func (p *tsParser) or() (*tsNode, error) {
	n, err := p.and()
	for err == nil {
		if p.skip(); p.i >= len(p.s) || p.s[p.i] != '|' {
			break
		}
		p.i++
		var r *tsNode
		if r, err = p.and(); err == nil {
			n = &tsNode{op: tsOr, left: n, right: r}
		}
	}
	return n, err
}

func (p *tsParser) and() (*tsNode, error) {
	n, err := p.phrase()
	for err == nil {
		if p.skip(); p.i >= len(p.s) || p.s[p.i] != '&' {
			break
		}
		p.i++
		var r *tsNode
		if r, err = p.phrase(); err == nil {
			n = &tsNode{op: tsAnd, left: n, right: r}
		}
	}
	return n, err
}

func (p *tsParser) phrase() (*tsNode, error) {
	n, err := p.unary()
	for err == nil {
		if p.skip(); p.i >= len(p.s) || p.s[p.i] != '<' {
			break
		}
		end := strings.IndexByte(p.s[p.i:], '>')
		if end < 0 {
			return nil, errors.New("tsquery: unclosed phrase operator")
		}
		d := 1
		if op := p.s[p.i+1 : p.i+end]; op != "-" {
			if d, err = strconv.Atoi(op); err != nil || d < 0 {
				return nil, errors.New("tsquery: bad phrase distance " + op)
			}
		}
		p.i += end + 1
		var r *tsNode
		if r, err = p.unary(); err == nil {
			n = &tsNode{op: tsPhrase, dist: d, left: n, right: r}
		}
	}
	return n, err
}

func (p *tsParser) unary() (*tsNode, error) {
	if p.skip(); p.i >= len(p.s) {
		return nil, errors.New("tsquery: operand expected")
	}
	switch p.s[p.i] {
	case '!':
		p.i++
		n, err := p.unary()
		if err != nil {
			return nil, err
		}
		return &tsNode{op: tsNot, left: n}, nil
	case '(':
		p.i++
		n, err := p.or()
		if err != nil {
			return nil, err
		}
		if p.skip(); p.i >= len(p.s) || p.s[p.i] != ')' {
			return nil, errors.New("tsquery: ) expected")
		}
		p.i++
		return n, nil
	case '\'':
		lex, err := p.quoted()
		if err != nil {
			return nil, err
		}
		if p.i < len(p.s) && p.s[p.i] == ':' { // weights or a prefix
			return nil, errQueryUnsupported
		}
		k, ok := p.index[lex]
		if !ok {
			k = len(p.lexemes)
			p.index[lex] = k
			p.lexemes = append(p.lexemes, lex)
		}
		return &tsNode{op: tsVal, operand: k}, nil
	}
	return nil, errors.New("tsquery: unexpected " + strconv.QuoteRune(rune(p.s[p.i])))
}

// quoted reads a 'quoted' lexeme, in which PostgreSQL doubles ' and \.
func (p *tsParser) quoted() (string, error) {
	var b strings.Builder
	for p.i++; p.i < len(p.s); p.i++ {
		c := p.s[p.i]
		switch {
		case c == '\'' && p.i+1 < len(p.s) && p.s[p.i+1] == '\'':
			p.i++
		case c == '\'':
			p.i++
			return b.String(), nil
		case c == '\\' && p.i+1 < len(p.s):
			p.i++
			c = p.s[p.i]
		}
		b.WriteByte(c)
	}
	return "", errors.New("tsquery: unclosed quote")
}

// checkEvaluable reports errQueryUnsupported for a phrase holding anything
// but words and phrases.
func checkEvaluable(n *tsNode, inPhrase bool) error {
	if n == nil {
		return nil
	}
	switch n.op {
	case tsVal:
		return nil
	case tsPhrase:
		if err := checkEvaluable(n.left, true); err != nil {
			return err
		}
		return checkEvaluable(n.right, true)
	}
	if inPhrase {
		return errQueryUnsupported
	}
	if err := checkEvaluable(n.left, false); err != nil {
		return err
	}
	return checkEvaluable(n.right, false)
}

// Positions are stored as in PostgreSQL's WordEntryPos: the position in the
// low 14 bits, the weight (D=0 … A=3) in the top two.
const (
	posMask   = 1<<14 - 1
	weightTop = 14
)

// matches evaluates n for one item; pos[k] holds the item's positions of
// operand k (nil when the item lacks it).
func matches(n *tsNode, pos [][]uint16) bool {
	switch n.op {
	case tsVal:
		return pos[n.operand] != nil
	case tsNot:
		return !matches(n.left, pos)
	case tsAnd:
		return matches(n.left, pos) && matches(n.right, pos)
	case tsOr:
		return matches(n.left, pos) || matches(n.right, pos)
	default:
		ends, _ := phraseEnds(n, pos, nil)
		return len(ends) > 0
	}
}

// phraseEnds returns the positions where phrase n ends in the item, and the
// phrase's width (its end minus its start), like TS_phrase_execute. buf is
// reused for the result.
func phraseEnds(n *tsNode, pos [][]uint16, buf []int) ([]int, int) {
	if n.op == tsVal {
		out := buf[:0]
		for _, p := range pos[n.operand] {
			out = append(out, int(p&posMask))
		}
		return out, 0
	}
	left, lw := phraseEnds(n.left, pos, nil)
	if len(left) == 0 {
		return buf[:0], 0
	}
	right, rw := phraseEnds(n.right, pos, nil)
	out := buf[:0]
	// The right operand must start dist after the left one ends.
	for _, r := range right {
		want := r - rw - n.dist
		for _, l := range left {
			if l == want {
				out = append(out, r)
				break
			}
		}
	}
	return out, lw + n.dist + rw
}

// Weights of ts_rank's default: D, C, B, A.
var rankWeights = [4]float32{0.1, 0.2, 0.4, 1.0}

func wpos(p uint16) float32 { return rankWeights[p>>weightTop] }

// tsRank is ts_rank(vector, query) with the default weights and no
// normalisation (PostgreSQL's tsrank.c): calc_rank_and when the query's top
// operator is AND or a phrase, calc_rank_or otherwise. pos[k] are the
// item's positions of the query's distinct operands; empty says whether
// the item's vector has no lexemes at all.
func tsRank(q *tsQuery, pos [][]uint16, empty bool) float32 {
	if empty || q.root == nil {
		return 0
	}
	var res float32
	if (q.root.op == tsAnd || q.root.op == tsPhrase) && len(q.lexemes) >= 2 {
		res = rankAnd(pos)
	} else {
		res = rankOr(pos)
	}
	if res < 0 {
		res = 1e-20
	}
	return res
}

func rankOr(pos [][]uint16) float32 {
	var res float32
	for _, ps := range pos {
		if ps == nil {
			continue
		}
		var resj float32
		wjm := float32(-1)
		jm := 0
		for j, p := range ps {
			resj += wpos(p) / float32((j+1)*(j+1))
			if wpos(p) > wjm {
				wjm, jm = wpos(p), j
			}
		}
		res += (wjm + resj - wjm/float32((jm+1)*(jm+1))) / 1.64493406685
	}
	if len(pos) > 0 {
		res /= float32(len(pos))
	}
	return res
}

func rankAnd(pos [][]uint16) float32 {
	res := float32(-1)
	for i, post := range pos {
		if post == nil {
			continue
		}
		for k := 0; k < i; k++ {
			ct := pos[k]
			for _, l := range post {
				for _, c := range ct {
					dist := int(l&posMask) - int(c&posMask)
					if dist < 0 {
						dist = -dist
					}
					if dist == 0 {
						continue
					}
					curw := float32(math.Sqrt(float64(wpos(l) * wpos(c) * wordDistance(dist))))
					if res < 0 {
						res = curw
					} else {
						res = 1 - (1-res)*(1-curw)
					}
				}
			}
		}
	}
	return res
}

func wordDistance(w int) float32 {
	if w > 100 {
		return 1e-30
	}
	return float32(1.0 / (1.005 + 0.05*math.Exp(float64(float32(w)/1.5-2))))
}
