package data_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/feeflow/feeflow/data"
)

// The upload log keeps every attempt with its problems, newest first, and
// stays out of the analysts' reach.
func TestUploadLog(t *testing.T) {
	ctx := context.Background()
	s := MustOpen(t)
	at := time.Date(2026, 11, 27, 2, 42, 0, 0, time.UTC)
	many := make([]data.AttemptError, data.MaxAttemptErrors+5)
	for i := range many {
		many[i] = data.AttemptError{Row: i + 2, Column: "amount", Value: fmt.Sprint(i), Message: "more than 2 decimal places"}
	}
	attempts := []struct {
		a    data.Attempt
		errs []data.AttemptError
	}{
		{data.Attempt{At: at, By: "mei", Via: "page", FileName: "fee.csv", Kind: "fee_items", Outcome: "ingested", BatchID: "b1", RowsTotal: 2, RowsAccepted: 2}, nil},
		{data.Attempt{At: at.Add(time.Minute), By: "mei", Via: "api", FileName: "pay.csv", Kind: "payments", Outcome: "rejected", RowsTotal: 100010, RowsRejected: 100005, ErrorsTotal: len(many)}, many},
		{data.Attempt{At: at.Add(2 * time.Minute), By: "ops", Via: "page", FileName: "x.bin", Outcome: "refused", Problem: "unsupported content type"}, nil},
	}
	var ids []int64
	for _, x := range attempts {
		id, err := s.RecordAttempt(ctx, x.a, x.errs)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	if ids[0] >= ids[1] || ids[1] >= ids[2] {
		t.Errorf("attempt IDs %v do not grow", ids)
	}
	list, total, err := s.Attempts(ctx, 0, 2)
	if err != nil {
		t.Fatal(err)
	}
	if total != 3 || len(list) != 2 || list[0].ID != ids[2] || list[1].ID != ids[1] {
		t.Fatalf("Attempts(0, 2) = %d of %d, first %+v; want the 2 newest of 3", len(list), total, list)
	}
	if a := list[1]; a.ErrorsKept != data.MaxAttemptErrors || a.ErrorsTotal != len(many) || a.Kind != "payments" || a.Via != "api" || !a.At.Equal(at.Add(time.Minute)) {
		t.Errorf("rejected attempt = %+v, want %d errors kept of %d", a, data.MaxAttemptErrors, len(many))
	}
	if a, found, err := s.Attempt(ctx, ids[2]); err != nil || !found || a.Problem != "unsupported content type" || a.Kind != "" {
		t.Errorf("Attempt(%d) = %+v %v %v", ids[2], a, found, err)
	}
	if _, found, err := s.Attempt(ctx, 999); err != nil || found {
		t.Errorf("Attempt(999) found=%v err=%v, want none", found, err)
	}
	n, last := 0, 0
	err = s.AttemptErrors(ctx, ids[1], func(e data.AttemptError) error {
		n++
		if e.Row <= last {
			return fmt.Errorf("row %d after row %d", e.Row, last)
		}
		last = e.Row
		return nil
	})
	if err != nil || n != data.MaxAttemptErrors {
		t.Errorf("AttemptErrors = %d rows (%v), want %d in row order", n, err, data.MaxAttemptErrors)
	}

	// Analysts' SQL cannot read it.
	for _, q := range []string{"SELECT * FROM upload_log.attempts", "SELECT * FROM upload_log.errors"} {
		if _, err := s.Query(ctx, q, data.QueryOptions{}); err == nil {
			t.Errorf("the analysts' gate ran %s", q)
		}
	}
	tables, err := s.AnalystTables(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(strings.Join(tables, " "), "attempts") {
		t.Errorf("AnalystTables lists the upload log: %v", tables)
	}
}
