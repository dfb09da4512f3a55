package site

// A month's collection rate keeps rising until its month has ended and its
// bills are all due: the latest month, still collecting, is marked wherever
// its rate stands beside mature months.

// collecting is true while the period has not ended by the as-of day or some
// of its bills are not due by then (finance_summary's last_due).
func (d *dataset) collecting(period string) bool {
	if monthEnd(period).After(d.asOf) || monthEnd(period).IsZero() {
		return true
	}
	for _, f := range d.finance {
		if f.Period == period {
			return f.LastDue.After(d.asOf)
		}
	}
	return false
}

// vPeriod is a month cell, marked when the month is still collecting.
func (pc *pageCtx) vPeriod(period string) val {
	v := vMonth(period)
	if pc.d.collecting(period) {
		v.mark = true
		v.class = "muted"
	}
	return v
}

// maturingLabels are chart categories for periods, the ones still collecting
// marked with an asterisk that collectingNotes explains.
func (pc *pageCtx) maturingLabels(periods []string) []string {
	out := pc.monthLabels(periods)
	for i, p := range periods {
		if pc.d.collecting(p) {
			out[i] += "*"
		}
	}
	return out
}

// collectingNotes explains the mark when one of periods carries it.
func (pc *pageCtx) collectingNotes(periods []string) []string {
	for _, p := range periods {
		if pc.d.collecting(p) {
			return []string{pc.t.T("note.collecting")}
		}
	}
	return nil
}
