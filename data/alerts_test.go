package data_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/feeflow/feeflow/data"
)

// The alerts are remembered as written, replaced as a whole, and out of
// the analysts' reach.
func TestAlertStates(t *testing.T) {
	ctx := context.Background()
	s := MustOpen(t)
	if l, ev, err := s.AlertStates(ctx); err != nil || len(l) != 0 || !ev.EvaluatedAt.IsZero() {
		t.Fatalf("a new database: %v, %+v, %v; want no alerts, never evaluated", l, ev, err)
	}
	now := time.Date(2026, 10, 21, 1, 0, 0, 0, time.UTC)
	day := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	want := []data.AlertState{
		{Key: "cash|cash:Wang:2026-10-01", Rule: "cash", Kind: "cash_short", Subject: "cash:Wang:2026-10-01", Note: "Wang",
			Value: "100.00", Threshold: "0.5", Fingerprint: "f1", Since: day, FirstSeen: now, SentFingerprint: "f0", SentAt: now},
		{Key: "north|North", Rule: "north", Kind: "area_arrears", Subject: "North", Value: "500.00", Threshold: "100",
			Fingerprint: "f2", FirstSeen: now, ResolvedAt: now.Add(time.Hour)},
	}
	ev := data.AlertEvaluation{EvaluatedAt: now, AsOf: time.Date(2026, 10, 20, 0, 0, 0, 0, time.UTC)}
	if err := s.SaveAlerts(ctx, want, ev); err != nil {
		t.Fatal(err)
	}
	got, gotEv, err := s.AlertStates(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for i := range got {
		got[i].FirstSeen, got[i].ResolvedAt, got[i].SentAt = got[i].FirstSeen.UTC(), utc(got[i].ResolvedAt), utc(got[i].SentAt)
	}
	if !reflect.DeepEqual(got, want) || !gotEv.EvaluatedAt.Equal(ev.EvaluatedAt) || !gotEv.AsOf.Equal(ev.AsOf) {
		t.Errorf("AlertStates =\n%+v %+v\nwant\n%+v %+v", got, gotEv, want, ev)
	}
	if got[0].Open() != true || got[1].Open() != false {
		t.Errorf("Open = %v, %v; want true, false", got[0].Open(), got[1].Open())
	}
	if err := s.SaveAlerts(ctx, want[:1], ev); err != nil {
		t.Fatal(err)
	}
	if got, _, _ := s.AlertStates(ctx); len(got) != 1 {
		t.Errorf("after saving one alert, %d remembered", len(got))
	}
	for _, q := range []string{"SELECT * FROM alerts.state", "SELECT * FROM alerts.evaluation"} {
		if _, err := s.Query(ctx, q, data.QueryOptions{}); err == nil {
			t.Errorf("the analysts' gate ran %s", q)
		}
	}
}

func utc(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	return t.UTC()
}
