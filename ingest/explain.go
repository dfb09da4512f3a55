package ingest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/feeflow/feeflow/ingest/profiles"
	"github.com/feeflow/feeflow/ingest/source"
	"github.com/shopspring/decimal"
)

// Explanation is how a file will be read, shown before anything is written:
// the CLI's --explain and the upload page's preview.
type Explanation struct {
	Kind     string `json:"kind"`
	Format   string `json:"format"`
	Encoding string `json:"encoding"`
	// Profile names the profile ("" for feeflow's own headers).
	Profile      string            `json:"profile"`
	ProfileTitle map[string]string `json:"profile_title,omitempty"`
	HeaderRow    int               `json:"header_row"`
	Header       []string          `json:"header"`
	// Mapping says where each column comes from.
	Mapping        []profiles.Mapping `json:"mapping"`
	IgnoredColumns []string           `json:"ignored_columns"`
	Skipped        []Skipped          `json:"skipped"`
	SkippedOmitted int                `json:"skipped_omitted,omitempty"`
	Dropped        []Dropped          `json:"dropped"`
	// Rows counts the rows read as the kind's rows; Rejected those with a
	// problem (listed in Errors, the first ones).
	Rows     int        `json:"rows"`
	Rejected int        `json:"rejected"`
	Errors   []RowError `json:"errors"`
	// Columns and Preview show the first rows exactly as they would be
	// stored (keys and references are checked only by the real upload).
	Columns []string     `json:"columns"`
	Preview []PreviewRow `json:"preview"`
}

// PreviewRow is one row as it would be stored.
type PreviewRow struct {
	Row    int      `json:"row"`
	Values []string `json:"values"`
}

// previewRows is how many rows an explanation shows.
const previewRows = 10

// Explain reads an upload as Ingest would and says how, writing nothing.
// A file whose header cannot be found is an error (a *ExplainError) that
// names the line read, what it held and the profile it most resembles.
func (in *Ingester) Explain(ctx context.Context, u Upload) (*Explanation, error) {
	kind, ok := KindByName(u.Kind)
	if !ok {
		return nil, fmt.Errorf("%w %q: want one of %s", ErrUnknownKind, u.Kind, strings.Join(KindNames(), ", "))
	}
	if err := kind.checkProfile(u.Profile); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadRequest, err)
	}
	rd, err := in.open(u, kind)
	if err != nil {
		var hp *headerProblem
		if errors.As(err, &hp) {
			return nil, &ExplainError{Errors: hp.errs}
		}
		var fe *source.FileError
		if errors.As(err, &fe) {
			return nil, &BadFileError{Err: err}
		}
		return nil, err
	}
	defer rd.src.Close()
	ex := &Explanation{Kind: kind.Name, Format: string(rd.src.Format()), Encoding: string(rd.src.Encoding()),
		Profile: rd.profile, HeaderRow: rd.row, Header: rd.header, IgnoredColumns: rd.ignored,
		Errors: []RowError{}, Preview: []PreviewRow{}}
	if ex.IgnoredColumns == nil {
		ex.IgnoredColumns = []string{}
	}
	if rd.plan != nil {
		ex.Mapping = rd.plan.Mapping()
		ex.ProfileTitle = rd.plan.Profile().Title
	} else {
		for ci, c := range kind.columns {
			if i := rd.idx[ci]; i >= 0 {
				ex.Mapping = append(ex.Mapping, profiles.Mapping{Column: c.name, From: fmt.Sprintf("%q", rd.header[i])})
			}
		}
	}
	for _, c := range kind.columns {
		ex.Columns = append(ex.Columns, c.name)
	}
	cv := in.converterFor(u, kind, rd)
	var kd *profiles.KeyDeriver
	if rd.plan != nil {
		kd = rd.plan.KeyDeriver()
	}
	var t tally
	for _, s := range rd.skipped {
		t.skip(s)
	}
	for n := 0; ; n++ {
		if n%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		rec, err := rd.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, &BadFileError{Err: err}
		}
		fields := rec.Fields
		if rec.Problem == "" && rd.plan != nil {
			out := make([]string, len(kind.columns))
			v := rd.plan.Apply(fields, out)
			key := ""
			if kd != nil {
				key = kd.Next(rec.Fields)
			}
			switch v.Outcome {
			case profiles.Skip:
				t.skip(Skipped{Row: rec.Row, Reason: v.Reason})
				continue
			case profiles.Drop:
				t.drop(v.Reason)
				continue
			case profiles.Reject:
				rec.Problem, rec.ProblemColumn = v.Reason, v.Column
				fields = nil
				if len(ex.Errors) < in.cfg.MaxErrors {
					ex.Errors = append(ex.Errors, RowError{Row: rec.Row, Column: v.Column, Value: clip(v.Value), Message: v.Reason})
				}
				ex.Rows++
				ex.Rejected++
				continue
			}
			rd.plan.SetKey(out, key)
			fields = out
		}
		ex.Rows++
		if rec.Problem != "" {
			ex.Rejected++
			if len(ex.Errors) < in.cfg.MaxErrors {
				ex.Errors = append(ex.Errors, RowError{Row: rec.Row, Column: rec.ProblemColumn, Message: rec.Problem})
			}
			continue
		}
		vals, errs := cv.convert(rec.Row, fields)
		if errs != nil {
			ex.Rejected++
			for _, e := range errs {
				if len(ex.Errors) < in.cfg.MaxErrors {
					ex.Errors = append(ex.Errors, e)
				}
			}
			continue
		}
		if len(ex.Preview) < previewRows {
			pr := PreviewRow{Row: rec.Row}
			for _, v := range vals {
				pr.Values = append(pr.Values, display(v, cv.loc))
			}
			ex.Preview = append(ex.Preview, pr)
		}
	}
	var res Result
	t.report(&res)
	ex.Skipped, ex.SkippedOmitted, ex.Dropped = res.Skipped, res.SkippedOmitted, res.Dropped
	return ex, nil
}

// display writes a stored value as the database would show it.
func display(v any, loc *time.Location) string {
	switch x := v.(type) {
	case nil:
		return ""
	case time.Time:
		return x.In(loc).Format("2006-01-02 15:04:05Z07:00")
	case decimal.Decimal:
		return x.StringFixed(2)
	default:
		return fmt.Sprint(x)
	}
}

// ExplainError: the file cannot be read as the kind (no header found, a
// profile that does not fit it); Errors say where and why.
type ExplainError struct{ Errors []RowError }

func (e *ExplainError) Error() string {
	var l []string
	for _, r := range e.Errors {
		s := r.Message
		if r.Row > 0 {
			s = fmt.Sprintf("line %d: %s", r.Row, s)
		}
		l = append(l, s)
	}
	return strings.Join(l, "\n")
}

// LookupProfile finds a profile by name: a built-in one, else NAME.json in
// dir (the stored profiles; "" for none).
func LookupProfile(name, dir string) (Profile, error) {
	if p, ok := profiles.Builtin(name); ok {
		return p, nil
	}
	if dir != "" && validProfileName(name) {
		b, err := os.ReadFile(filepath.Join(dir, name+".json"))
		if err == nil {
			p, err := profiles.Parse(b)
			if err != nil {
				return nil, fmt.Errorf("%w: profile %s: %v", ErrBadRequest, name, err)
			}
			return p, nil
		}
	}
	return nil, fmt.Errorf("%w: unknown profile %q (feeflow profiles lists the built-in ones)", ErrBadRequest, name)
}

func validProfileName(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// ProfileInfo is one built-in profile as a list shows it.
type ProfileInfo struct {
	Name   string            `json:"name"`
	Kind   string            `json:"kind"`
	Title  map[string]string `json:"title"`
	Origin string            `json:"origin"`
}

// BuiltinProfiles lists the built-in profiles, for `feeflow profiles` and
// the upload page's choice of profile.
func BuiltinProfiles() []ProfileInfo {
	var l []ProfileInfo
	for _, p := range profiles.Builtins() {
		l = append(l, ProfileInfo{Name: p.Name, Kind: p.Kind, Title: p.Title, Origin: p.Origin})
	}
	return l
}
