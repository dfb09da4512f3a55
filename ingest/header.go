package ingest

import (
	"fmt"
	"strings"

	"github.com/feeflow/feeflow/ingest/profiles"
)

// Profile describes a file laid out differently from feeflow's own headers
// (a bank's or a payment channel's export); see package profiles. nil reads
// the file by feeflow's headers, or by a built-in profile it recognises.
type Profile = *profiles.Profile

// resolveHeader finds, for each column of the kind, the index of its field in
// the file's header (-1 when absent), and reports required columns that are
// missing, all at once.
func (k *Kind) resolveHeader(header []string, prof Profile) ([]int, []RowError) {
	var p map[string]string
	if prof != nil {
		p = prof.Headers()
	}
	byHeader := map[string]int{}
	for i, h := range header {
		n := normHeader(h)
		if n == "" {
			continue
		}
		if _, dup := byHeader[n]; !dup {
			byHeader[n] = i
		}
	}
	idx := make([]int, len(k.columns))
	var errs []RowError
	for ci, c := range k.columns {
		idx[ci] = -1
		if want, ok := p[c.name]; ok {
			if i, ok := byHeader[normHeader(want)]; ok {
				idx[ci] = i
			} else if c.required {
				errs = append(errs, RowError{Row: 1, Column: c.name, Value: want,
					Message: fmt.Sprintf("required column %s is missing: the mapping profile names header %q, which the file does not have", c.name, want)})
			}
			continue
		}
		for _, name := range append([]string{c.name}, c.aliases...) {
			if i, ok := byHeader[normHeader(name)]; ok {
				idx[ci] = i
				break
			}
		}
		if idx[ci] < 0 && c.required {
			errs = append(errs, RowError{Row: 1, Column: c.name,
				Message: fmt.Sprintf("required column %s is missing (headers accepted: %s)", c.name, strings.Join(append([]string{c.name}, c.aliases...), ", "))})
		}
	}
	// Two columns read from one header would store the same text twice.
	seen := map[int]string{}
	for ci, i := range idx {
		if i < 0 {
			continue
		}
		if other, dup := seen[i]; dup {
			errs = append(errs, RowError{Row: 1, Column: k.columns[ci].name, Value: header[i],
				Message: fmt.Sprintf("header %q would fill both %s and %s; name the columns apart or use a mapping profile", header[i], other, k.columns[ci].name)})
		}
		seen[i] = k.columns[ci].name
	}
	return idx, errs
}

// knowsHeader says whether h is a header this kind (or the profile) reads;
// the reader uses it to tell GBK from Big5.
func (k *Kind) knowsHeader(p Profile) func(string) bool {
	known := map[string]bool{}
	for _, c := range k.columns {
		known[normHeader(c.name)] = true
		for _, a := range c.aliases {
			known[normHeader(a)] = true
		}
	}
	if p != nil {
		for _, h := range p.FileHeaders() {
			known[normHeader(h)] = true
		}
	}
	// Built-in statements are recognised in GBK and Big5 too.
	for _, b := range profiles.Builtins() {
		if b.Kind != k.Name {
			continue
		}
		for _, h := range b.FileHeaders() {
			known[normHeader(h)] = true
		}
	}
	return func(h string) bool { return known[normHeader(profiles.CleanCell(h))] }
}

// checkProfile rejects a profile that names columns the kind does not have.
func (k *Kind) checkProfile(p Profile) error {
	if p == nil {
		return nil
	}
	if p.Kind != "" && p.Kind != k.Name {
		return fmt.Errorf("profile %s reads %s, not %s", p.Name, p.Kind, k.Name)
	}
	for _, name := range p.NamedColumns() {
		found := false
		for _, c := range k.columns {
			if c.name == name {
				found = true
				break
			}
		}
		if !found {
			return fmt.Errorf("mapping profile names column %q, which %s does not have", name, k.Name)
		}
	}
	return nil
}

// target describes the kind to package profiles.
func (k *Kind) target() profiles.Target {
	t := profiles.Target{Kind: k.Name, Key: k.Key}
	for _, c := range k.columns {
		tc := profiles.TargetColumn{Name: c.name, Aliases: c.aliases, Required: c.required && c.def == ""}
		switch c.typ {
		case moneyCol, signedMoneyCol:
			tc.Type = profiles.Money
		case timeCol:
			tc.Type = profiles.Time
		case dateCol:
			tc.Type = profiles.Date
		}
		if c.name == "amount" {
			t.Amount = c.name
		}
		t.Columns = append(t.Columns, tc)
	}
	return t
}
