package ingest

import (
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/feeflow/feeflow/ingest/profiles"
	"github.com/feeflow/feeflow/ingest/source"
)

// Skipped is a line of the file that is not a row at all: preamble above
// the header, a footer or summary line.
type Skipped struct {
	Row    int    `json:"row"`
	Reason string `json:"reason"`
}

// Dropped counts the rows left out for one reason (a failed order, money
// paid out): real rows of the file that are not rows of the kind.
type Dropped struct {
	Reason string `json:"reason"`
	Rows   int    `json:"rows"`
}

// maxSkippedListed bounds the skipped lines listed in one answer (all are
// counted in skipped_omitted).
const maxSkippedListed = 100

// reading is an opened upload with its header found and its profile bound.
type reading struct {
	src     *source.Reader
	idx     []int           // the plain path: field index per column
	plan    *profiles.Plan  // the profile path
	pending []source.Record // data lines read ahead while looking for the header
	skipped []Skipped       // preamble lines
	profile string
	header  []string
	row     int // the header's line
	ignored []string
}

// headerProblem is a reason the file cannot be read as the kind: reported
// as rejected rows (nothing written), not as an unreadable file.
type headerProblem struct{ errs []RowError }

func (e *headerProblem) Error() string { return e.errs[0].Message }

// open reads the file's head, picks the profile (the upload's, else a
// built-in one whose signature the file matches) and finds the header.
// Files whose first line is feeflow's own header, and uploads with a plain
// header map, are read exactly as without profiles.
func (in *Ingester) open(u Upload, kind *Kind) (*reading, error) {
	opts := source.Options{
		Name:            u.FileName,
		ContentType:     u.ContentType,
		Encoding:        source.Encoding(u.Encoding),
		Sheet:           u.Sheet,
		KnownHeader:     kind.knowsHeader(u.Profile),
		MaxFieldBytes:   in.cfg.MaxFieldBytes,
		MaxXLSXUnzipped: in.cfg.MaxXLSXUnzipped,
		MaxSheets:       in.cfg.MaxSheets,
	}
	plain := func(hint string) (*reading, error) {
		o := opts
		o.Raw = false
		src, err := source.Open(u.Path, o)
		if err != nil {
			return nil, err
		}
		rd := &reading{src: src, header: src.Header(), row: 1}
		idx, errs := kind.resolveHeader(rd.header, u.Profile)
		used := map[int]bool{}
		for _, i := range idx {
			used[i] = true
		}
		for i, h := range rd.header {
			switch {
			case used[i] || strings.TrimSpace(h) == "":
			case profiles.StatusLike(h):
				errs = append(errs, RowError{Row: 1, Column: h, Message: fmt.Sprintf("the file has a status column %q that %s does not read: a profile must say which of its values are money received (see docs/profiles.md)", h, kind.Name)})
			default:
				rd.ignored = append(rd.ignored, h)
			}
		}
		if len(errs) > 0 {
			if hint != "" {
				errs = append(errs, RowError{Row: 1, Message: hint})
			}
			src.Close()
			return nil, &headerProblem{errs}
		}
		rd.idx = idx
		return rd, nil
	}
	if u.Profile.Legacy() {
		return plain("")
	}
	opts.Raw = true
	src, err := source.Open(u.Path, opts)
	if err != nil {
		if u.Profile == nil {
			return plain("") // the file's own reader says what is wrong, as it always did
		}
		return nil, err
	}
	ok := false
	defer func() {
		if !ok {
			src.Close()
		}
	}()
	var lines []profiles.Line
	var head []source.Record
	if !src.Raw() { // JSON: the keys are the header
		h := src.Header()
		lines = append(lines, profiles.Line{Row: 1, Cells: h})
		head = append(head, source.Record{Row: 1, Fields: h})
	} else {
		for len(head) < profiles.MaxHeaderSearch {
			rec, err := src.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				if u.Profile == nil {
					src.Close()
					ok = true
					return plain("")
				}
				return nil, err
			}
			head = append(head, rec)
			lines = append(lines, profiles.Line{Row: rec.Row, Cells: rec.Fields})
		}
	}
	if len(head) == 0 {
		return nil, &source.FileError{Message: "the file is empty"}
	}
	target := kind.target()
	p := u.Profile
	if p == nil {
		if p, err = profiles.Detect(kind.Name, lines); err != nil {
			return nil, &headerProblem{[]RowError{{Row: head[0].Row, Message: err.Error()}}}
		}
	}
	if p == nil {
		// feeflow's own headers: on the first line, read as always; further
		// down (below a title), found like a profile's.
		i, err := (*profiles.Profile)(nil).FindHeader(lines, target)
		if err != nil || i == 0 {
			src.Close()
			ok = true
			return plain(resemblance(lines))
		}
		p = &profiles.Profile{}
	}
	hi, err := p.FindHeader(lines, target)
	if err != nil {
		msg := err.Error()
		if h := resemblance(lines); h != "" {
			msg += "; " + h
		}
		row := head[0].Row
		var nf *profiles.HeaderNotFoundError
		if errors.As(err, &nf) {
			row = nf.Row
		}
		return nil, &headerProblem{[]RowError{{Row: row, Message: msg}}}
	}
	header := make([]string, len(head[hi].Fields))
	for i, h := range head[hi].Fields {
		header[i] = profiles.CleanCell(h)
	}
	plan, err := p.Compile(target, header, profiles.Options{Currency: in.cfg.Currency, XLSX: src.Format() == source.XLSX})
	if err != nil {
		var ce *profiles.CompileError
		if !errors.As(err, &ce) {
			return nil, err
		}
		var errs []RowError
		for _, m := range ce.Problems {
			errs = append(errs, RowError{Row: head[hi].Row, Message: m})
		}
		return nil, &headerProblem{errs}
	}
	rd := &reading{src: src, plan: plan, profile: p.Name, header: header, row: head[hi].Row, ignored: plan.Ignored()}
	for _, r := range head[:hi] {
		rd.skipped = append(rd.skipped, Skipped{Row: r.Row, Reason: "above the header line (title or preamble)"})
	}
	if src.Raw() {
		rd.pending = head[hi+1:]
	}
	ok = true
	return rd, nil
}

// resemblance names the built-in profile a file comes closest to, "" when
// none shares a header with it.
func resemblance(lines []profiles.Line) string {
	r, ok := profiles.Resemble(lines)
	if !ok {
		return ""
	}
	s := fmt.Sprintf("the file most resembles built-in profile %s (line %d holds %d of its %d signature headers", r.Profile, r.Row, r.Found, r.Of)
	if len(r.Missing) > 0 {
		s += "; missing " + strings.Join(r.Missing, ", ")
	}
	return s + ")"
}

// next yields the lines read ahead, then the rest of the file.
func (rd *reading) next() (source.Record, error) {
	if len(rd.pending) > 0 {
		r := rd.pending[0]
		rd.pending = rd.pending[1:]
		return r, nil
	}
	return rd.src.Next()
}

// tally gathers what a profile left out of the rows.
type tally struct {
	skipped        []Skipped
	skippedOmitted int
	dropped        map[string]int
}

func (t *tally) skip(s Skipped) {
	if len(t.skipped) < 4*maxSkippedListed {
		t.skipped = append(t.skipped, s)
	} else {
		t.skippedOmitted++
	}
}

func (t *tally) drop(reason string) {
	if t.dropped == nil {
		t.dropped = map[string]int{}
	}
	t.dropped[reason]++
}

func (t *tally) merge(o *tally) {
	for _, s := range o.skipped {
		t.skip(s)
	}
	t.skippedOmitted += o.skippedOmitted
	for r, n := range o.dropped {
		if t.dropped == nil {
			t.dropped = map[string]int{}
		}
		t.dropped[r] += n
	}
}

// report puts the tally into the answer: skipped lines in row order, at
// most maxSkippedListed of them, and dropped rows by reason, most first.
func (t *tally) report(res *Result) {
	sort.Slice(t.skipped, func(i, j int) bool { return t.skipped[i].Row < t.skipped[j].Row })
	res.Skipped = t.skipped
	res.SkippedOmitted = t.skippedOmitted
	if len(res.Skipped) > maxSkippedListed {
		res.SkippedOmitted += len(res.Skipped) - maxSkippedListed
		res.Skipped = res.Skipped[:maxSkippedListed]
	}
	if res.Skipped == nil {
		res.Skipped = []Skipped{}
	}
	res.Dropped = []Dropped{}
	for r, n := range t.dropped {
		res.Dropped = append(res.Dropped, Dropped{Reason: r, Rows: n})
	}
	sort.Slice(res.Dropped, func(i, j int) bool {
		a, b := res.Dropped[i], res.Dropped[j]
		return a.Rows > b.Rows || a.Rows == b.Rows && a.Reason < b.Reason
	})
}

// ParseProfile reads a profile file: the plain header map
// {"column": "header in the file", ...} or the full form of docs/profiles.md.
func ParseProfile(b []byte) (Profile, error) {
	return profiles.Parse(b)
}
