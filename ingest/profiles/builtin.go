package profiles

import (
	"embed"
	"fmt"
	"path"
	"sort"
	"strings"
	"sync"
)

//go:embed builtin/*.json
var builtinFS embed.FS

// builtins parses the embedded profiles once; they never change after.
var builtins = sync.OnceValues(func() ([]*Profile, error) {
	entries, err := builtinFS.ReadDir("builtin")
	if err != nil {
		return nil, err
	}
	var l []*Profile
	for _, e := range entries {
		b, err := builtinFS.ReadFile(path.Join("builtin", e.Name()))
		if err != nil {
			return nil, err
		}
		p, err := Parse(b)
		if err != nil {
			return nil, fmt.Errorf("built-in profile %s: %v", e.Name(), err)
		}
		if want := strings.TrimSuffix(e.Name(), ".json"); p.Name != want {
			return nil, fmt.Errorf("built-in profile %s is named %q", e.Name(), p.Name)
		}
		l = append(l, p)
	}
	sort.Slice(l, func(i, j int) bool { return l[i].Name < l[j].Name })
	return l, nil
})

// Builtins lists the built-in profiles by name.
func Builtins() []*Profile {
	l, err := builtins()
	if err != nil {
		panic(err) // the embedded files are checked by the tests
	}
	return l
}

// Builtin finds a built-in profile by name.
func Builtin(name string) (*Profile, bool) {
	for _, p := range Builtins() {
		if p.Name == name {
			return p, true
		}
	}
	return nil, false
}

// Line is one line of a file's head, as read without a header.
type Line struct {
	Row   int
	Cells []string
}

func cellSet(cells []string) map[string]bool {
	m := make(map[string]bool, len(cells))
	for _, c := range cells {
		if n := NormHeader(c); n != "" {
			m[n] = true
		}
	}
	return m
}

// signatureAt reports whether line i of lines (whose cells are sets[i]) is
// the header of p's files.
func (p *Profile) signatureAt(lines []Line, sets []map[string]bool, i int) bool {
	s := p.Signature
	if s == nil || len(s.Headers) == 0 {
		return false
	}
	set := sets[i]
	for _, h := range s.Headers {
		if !set[NormHeader(h)] {
			return false
		}
	}
	for _, h := range s.Absent {
		if set[NormHeader(h)] {
			return false
		}
	}
	if s.Preamble != "" {
		found := false
		for _, l := range lines[:i] {
			if strings.Contains(strings.Join(l.Cells, ","), s.Preamble) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// Detect finds the built-in profile of kind whose signature the head of a
// file matches; ok is false when none does. When several match, the one
// with the longest signature wins; a tie is an error naming them.
func Detect(kind string, lines []Line) (*Profile, error) {
	sets := make([]map[string]bool, len(lines))
	for i, l := range lines {
		sets[i] = cellSet(l.Cells)
	}
	var found []*Profile
	for _, p := range Builtins() {
		if p.Kind != kind {
			continue
		}
		for i := range lines {
			if p.signatureAt(lines, sets, i) {
				found = append(found, p)
				break
			}
		}
	}
	if len(found) == 0 {
		return nil, nil
	}
	sort.SliceStable(found, func(i, j int) bool {
		return len(found[i].Signature.Headers)+len(found[i].Signature.Absent) > len(found[j].Signature.Headers)+len(found[j].Signature.Absent)
	})
	if len(found) > 1 && len(found[0].Signature.Headers)+len(found[0].Signature.Absent) == len(found[1].Signature.Headers)+len(found[1].Signature.Absent) {
		names := []string{}
		for _, p := range found {
			names = append(names, p.Name)
		}
		return nil, fmt.Errorf("the file matches several built-in profiles (%s); choose one with --map NAME", strings.Join(names, ", "))
	}
	return found[0], nil
}

// Resemblance is how close a file's head comes to a built-in profile.
type Resemblance struct {
	Profile string   `json:"profile"`
	Row     int      `json:"row"`     // the line most like its header
	Found   int      `json:"found"`   // signature headers found on that line
	Of      int      `json:"of"`      // signature headers in all
	Missing []string `json:"missing"` // signature headers not found
}

// Resemble names the built-in profile (of any kind) the head of a file
// comes closest to; ok is false when none shares a header with it.
func Resemble(lines []Line) (Resemblance, bool) {
	sets := make([]map[string]bool, len(lines))
	for i, l := range lines {
		sets[i] = cellSet(l.Cells)
	}
	var best Resemblance
	for _, p := range Builtins() {
		if p.Signature == nil || len(p.Signature.Headers) == 0 {
			continue
		}
		for li, l := range lines {
			set := sets[li]
			n := 0
			var missing []string
			for _, h := range p.Signature.Headers {
				if set[NormHeader(h)] {
					n++
				} else {
					missing = append(missing, h)
				}
			}
			if n*best.Of > best.Found*len(p.Signature.Headers) || best.Of == 0 && n > 0 {
				best = Resemblance{Profile: p.Name, Row: l.Row, Found: n, Of: len(p.Signature.Headers), Missing: missing}
			}
		}
	}
	return best, best.Found > 0
}

// HeaderNotFoundError says where the header was looked for and what the
// first line held.
type HeaderNotFoundError struct {
	Row     int      // the first line read
	Cells   []string // what it held
	Missing []string // headers no line held
	Lines   int      // lines looked at
}

func (e *HeaderNotFoundError) Error() string {
	held := make([]string, 0, len(e.Cells))
	for _, c := range e.Cells {
		if c := CleanCell(c); c != "" {
			held = append(held, c)
		}
		if len(held) == 8 {
			held = append(held, "…")
			break
		}
	}
	return fmt.Sprintf("no header line found in the first %d lines (none holds %s); line %d reads: %s",
		e.Lines, quoteList(e.Missing), e.Row, strings.Join(held, " | "))
}

// FindHeader returns the index in lines of the header line: the line the
// profile's header_row names, else the first that holds every header the
// profile names, or (for columns it does not name) feeflow's own header or
// alias of every required column of the target.
func (p *Profile) FindHeader(lines []Line, t Target) (int, error) {
	if p == nil {
		p = &Profile{}
	}
	if p.HeaderRow > 0 {
		for i, l := range lines {
			if l.Row == p.HeaderRow {
				return i, nil
			}
		}
		return -1, fmt.Errorf("header_row %d: the file has no such line among its first %d", p.HeaderRow, len(lines))
	}
	// Each requirement is a set of alternatives; one of them must be a cell.
	var need [][]string
	for _, c := range p.Columns {
		if len(c.Headers) > 0 {
			need = append(need, c.Headers)
		}
		for _, h := range []string{c.Date, c.Time, c.Credit, c.Debit, c.Direction} {
			if h != "" {
				need = append(need, []string{h})
			}
		}
	}
	if p.Status != nil {
		need = append(need, []string{p.Status.Column})
	}
	for _, tc := range t.Columns {
		if len(p.Columns) > 0 {
			break // the profile's own headers find its header line
		}
		_, named := p.Columns[tc.Name]
		_, constant := p.Constants[tc.Name]
		_, refund := p.Refund[tc.Name]
		if !tc.Required || named || constant || refund || p.DeriveKey && tc.Name == t.Key {
			continue
		}
		need = append(need, append([]string{tc.Name}, tc.Aliases...))
	}
	if len(need) == 0 {
		return -1, fmt.Errorf("the profile names no header to find the header line by")
	}
	var missing []string
	best := -1
	for i, l := range lines {
		set := cellSet(l.Cells)
		var miss []string
		for _, alts := range need {
			ok := false
			for _, h := range alts {
				if set[NormHeader(h)] {
					ok = true
					break
				}
			}
			if !ok {
				miss = append(miss, alts[0])
			}
		}
		if len(miss) == 0 {
			return i, nil
		}
		if best < 0 || len(miss) < len(missing) {
			best, missing = i, miss
		}
	}
	e := &HeaderNotFoundError{Missing: missing, Lines: len(lines)}
	if len(lines) > 0 {
		e.Row, e.Cells = lines[0].Row, lines[0].Cells
	}
	return -1, e
}
