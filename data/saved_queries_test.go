package data_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/feeflow/feeflow/data"
)

func TestSavedQueriesAreListedNewestFirstAndDeletedByTheirAuthor(t *testing.T) {
	ctx := context.Background()
	s := MustOpen(t)
	day := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	saved := map[string]data.SavedQuery{}
	for i, q := range []data.SavedQuery{
		{Title: "  Arrears by age  ", SQL: "SELECT * FROM arrears_aging(current_date)", Author: "mei"},
		{Title: "Open discrepancies", SQL: "SELECT * FROM discrepancies_open(current_date)", Author: "wei"},
		{Title: "收費率", SQL: "SELECT period, collection_rate FROM collection_monthly", Author: "mei"},
	} {
		q.CreatedAt = day.Add(time.Duration(i) * time.Hour)
		got, err := s.SaveQuery(ctx, q)
		if err != nil {
			t.Fatalf("SaveQuery(%q): %v", q.Title, err)
		}
		if got.ID != int64(i+1) || got.Title != strings.TrimSpace(q.Title) {
			t.Errorf("SaveQuery(%q) = id %d title %q, want id %d, the title trimmed", q.Title, got.ID, got.Title, i+1)
		}
		saved[got.Title] = got
	}
	list, err := s.SavedQueries(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var titles []string
	for _, q := range list {
		titles = append(titles, q.Title+" by "+q.Author)
	}
	if got, want := strings.Join(titles, "; "), "收費率 by mei; Open discrepancies by wei; Arrears by age by mei"; got != want {
		t.Errorf("SavedQueries = %s, want %s", got, want)
	}
	if q := list[0]; q.SQL != "SELECT period, collection_rate FROM collection_monthly" || !q.CreatedAt.Equal(day.Add(2*time.Hour)) {
		t.Errorf("SavedQueries()[0] = %+v: SQL or date not kept", q)
	}
	if q, ok, err := s.SavedQueryByID(ctx, saved["Open discrepancies"].ID); err != nil || !ok || q.Author != "wei" {
		t.Errorf("SavedQueryByID = %+v %v %v", q, ok, err)
	}

	tests := []struct {
		name   string
		id     int64
		author string
		want   bool
	}{
		{"someone else's", saved["Open discrepancies"].ID, "mei", false},
		{"own", saved["Arrears by age"].ID, "mei", true},
		{"already deleted", saved["Arrears by age"].ID, "mei", false},
		{"any author (admin)", saved["Open discrepancies"].ID, "", true},
		{"no such query", 99, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got, err := s.DeleteSavedQuery(ctx, tt.id, tt.author); err != nil || got != tt.want {
				t.Errorf("DeleteSavedQuery(%d, %q) = %v, %v; want %v", tt.id, tt.author, got, err, tt.want)
			}
		})
	}
	if list, _ := s.SavedQueries(ctx); len(list) != 1 || list[0].Title != "收費率" {
		t.Errorf("after the deletions SavedQueries = %+v, want only 收費率", list)
	}
	// Numbers are not reused while a query holds the highest.
	if q, err := s.SaveQuery(ctx, data.SavedQuery{Title: "again", SQL: "SELECT 1", Author: "mei", CreatedAt: day}); err != nil || q.ID != 4 {
		t.Errorf("SaveQuery after deletions = id %d, %v; want 4", q.ID, err)
	}
}

func TestSavedQueryLimits(t *testing.T) {
	ctx := context.Background()
	s := MustOpen(t)
	tests := []struct {
		name string
		q    data.SavedQuery
		want string // in the error; "" saves
	}{
		{"fits", data.SavedQuery{Title: strings.Repeat("帳", data.MaxSavedTitle), SQL: strings.Repeat("x", data.MaxSavedSQL), Author: "mei"}, ""},
		{"no title", data.SavedQuery{Title: "  ", SQL: "SELECT 1", Author: "mei"}, "the title is empty"},
		{"long title", data.SavedQuery{Title: strings.Repeat("帳", data.MaxSavedTitle+1), SQL: "SELECT 1", Author: "mei"}, "more than the limit of 200"},
		{"two-line title", data.SavedQuery{Title: "a\nb", SQL: "SELECT 1", Author: "mei"}, "one line"},
		{"no SQL", data.SavedQuery{Title: "t", SQL: "\n", Author: "mei"}, "the SQL is empty"},
		{"long SQL", data.SavedQuery{Title: "t", SQL: strings.Repeat("x", data.MaxSavedSQL+1), Author: "mei"}, "more than the limit of 65536"},
		{"not UTF-8", data.SavedQuery{Title: "t\xff", SQL: "SELECT 1", Author: "mei"}, "UTF-8"},
		{"every problem at once", data.SavedQuery{}, "the title is empty; the SQL is empty; no author"},
		// Saving never runs the SQL: what the gate would refuse is kept as text.
		{"not run", data.SavedQuery{Title: "t", SQL: "DROP TABLE payments", Author: "mei"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := s.SaveQuery(ctx, tt.q)
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("SaveQuery = %v, want it saved", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("SaveQuery = %v, want an error with %q", err, tt.want)
			}
		})
	}
	var n int
	if err := s.DB().QueryRow(`SELECT count(*) FROM payments`).Scan(&n); err != nil {
		t.Errorf("payments after saving a DROP: %v", err)
	}
}

// Analysts' SQL cannot read the saved queries' schema: they see them on the
// workbench, never through the gate.
func TestGateKeepsSavedQueriesOut(t *testing.T) {
	ctx := context.Background()
	s := MustOpen(t)
	if _, err := s.SaveQuery(ctx, data.SavedQuery{Title: "t", SQL: "SELECT 1", Author: "mei", CreatedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		"SELECT * FROM workbench.saved_queries",
		"SELECT * FROM saved_queries",
		`SELECT * FROM "workbench"."saved_queries"`,
		"SELECT count(*) FROM (FROM workbench.saved_queries)",
	} {
		_, err := s.Query(ctx, q, data.QueryOptions{})
		var refused *data.RefusedError
		var qerr *data.QueryError
		if !errors.As(err, &refused) && !errors.As(err, &qerr) {
			t.Errorf("Query(%s) = %v, want it refused", q, err)
		}
	}
	tables, err := s.AnalystTables(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range tables {
		if name == "saved_queries" {
			t.Errorf("AnalystTables lists saved_queries")
		}
	}
}
