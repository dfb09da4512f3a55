package ingest

import (
	"context"
	"errors"
	"sort"
	"strings"
)

// Column is a record kind's column as a person uploading a file needs to
// know it: its name, the other headers that mean it, and whether a file
// must have it.
type Column struct {
	Name     string
	Headers  []string // other headers read as this column (Chinese ones first as declared)
	Required bool     // a file without it is refused; a row with it empty is rejected
}

// Columns lists the kind's columns in declared order.
func (k *Kind) Columns() []Column {
	out := make([]Column, len(k.columns))
	for i, c := range k.columns {
		out[i] = Column{Name: c.name, Headers: append([]string(nil), c.aliases...), Required: c.required && c.def == ""}
	}
	return out
}

// Detection is which record kind a file holds, as far as its header (or a
// built-in statement profile) tells.
type Detection struct {
	// Kind is the kind when the file can be only that one; "" otherwise.
	Kind string `json:"kind"`
	// Profile names the built-in statement profile the file matches, if any.
	Profile string `json:"profile,omitempty"`
	// Candidates are the kinds whose required columns the file has, the
	// best fit first (the kind whose columns cover most of the file's).
	Candidates []string `json:"candidates"`
}

// Detect says which record kind the upload u holds (u.Kind and u.Profile
// are ignored): the file is opened as every kind, the way Ingest opens it.
// It is certain (Kind set) when a built-in statement profile of exactly one
// kind recognises it, or when exactly one kind reads every column of its
// header and no other kind reads as many. A file that cannot be read at all
// is an error.
func (in *Ingester) Detect(ctx context.Context, u Upload) (Detection, error) {
	u.Profile, u.Kind = nil, ""
	type fit struct {
		kind    string
		read    int // header cells the kind reads
		ignored int
		profile string
	}
	var fits []fit
	var fileErr error
	for _, k := range kinds {
		if err := ctx.Err(); err != nil {
			return Detection{}, err
		}
		rd, err := in.open(u, k)
		if err != nil {
			var hp *headerProblem
			if !errors.As(err, &hp) && fileErr == nil {
				fileErr = err
			}
			continue
		}
		cells := 0
		for _, h := range rd.header {
			if strings.TrimSpace(h) != "" {
				cells++
			}
		}
		fits = append(fits, fit{kind: k.Name, read: cells - len(rd.ignored), ignored: len(rd.ignored), profile: rd.profile})
		rd.src.Close()
	}
	if len(fits) == 0 && fileErr != nil {
		return Detection{}, &BadFileError{Err: fileErr}
	}
	sort.SliceStable(fits, func(i, j int) bool { return fits[i].read > fits[j].read })
	d := Detection{Candidates: []string{}}
	var profiled []fit
	for _, f := range fits {
		d.Candidates = append(d.Candidates, f.kind)
		if f.profile != "" {
			profiled = append(profiled, f)
		}
	}
	switch {
	case len(profiled) == 1:
		d.Kind, d.Profile = profiled[0].kind, profiled[0].profile
	case len(profiled) == 0 && len(fits) > 0 && fits[0].ignored == 0 && (len(fits) == 1 || fits[1].read < fits[0].read):
		d.Kind = fits[0].kind
	}
	return d, nil
}
