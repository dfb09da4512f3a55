package templates

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// digestBase is a digest with one alert of each kind and state.
func digestBase(lang string) Digest {
	link := "https://feeflow.example.org/en/reconciliation.html#open"
	return Digest{
		Lang: lang, AsOf: "2026-10-20", Open: 4, AlertsURL: "https://feeflow.example.org/alerts?lang=" + lang,
		New: []AlertItem{
			{Rule: "old", Kind: "discrepancy_age", Subject: "P4", Note: "missing_settlement", Value: "46", Threshold: "30", Since: "2026-09-04", Link: link},
			{Rule: "rate", Kind: "match_rate", Subject: "*", Note: "2026-10-19", Value: "50.0%", Threshold: "60.0%", Since: "2026-10-19", Link: link},
			{Rule: "cash", Kind: "cash_short", Subject: "cash:<b>Wang</b>:2026-10-01", Note: "<b>Wang</b>", Value: "100.00", Threshold: "0.50", Since: "2026-10-01", Link: link},
		},
		Changed: []AlertItem{
			{Rule: "arrears", Kind: "area_arrears", Subject: "", Value: "200.00", Threshold: "100.00"},
			{Rule: "slipped", Kind: "action_slipped", Subject: "A1", Note: "match_rate · Same-day deposits", Value: "20.0%", Threshold: "90.0%", Since: "2026-09-23"},
		},
		Resolved: []AlertItem{
			{Rule: "arrears", Kind: "area_arrears", Subject: "South", Value: "550.00", Threshold: "100.00"},
		},
	}
}

// The digest, HTML and plain text, in each language: one expected file
// per language and form under testdata/digest.
func TestDigestSnapshots(t *testing.T) {
	for _, lang := range DeskLangs {
		t.Run(lang, func(t *testing.T) {
			g := digestBase(lang)
			var html bytes.Buffer
			if err := DigestHTML(g).Render(context.Background(), &html); err != nil {
				t.Fatal(err)
			}
			if strings.Contains(html.String(), "<b>Wang") {
				t.Errorf("a subject's markup reached the HTML unescaped")
			}
			for ext, got := range map[string]string{"html": html.String(), "txt": g.Subject() + "\n\n" + g.Text()} {
				path := filepath.Join("testdata", "digest", lang+"."+ext)
				if *update {
					if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
						t.Fatal(err)
					}
					if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
						t.Fatal(err)
					}
				}
				want, err := os.ReadFile(path)
				if err != nil {
					t.Fatal(err)
				}
				if got != string(want) {
					t.Errorf("%s differs from %s (run go test ./templates -update and review the diff):\n%s", ext, path, got)
				}
			}
		})
	}
}

// Every text of the alerts catalog is there in the three languages.
func TestAlertsCatalogComplete(t *testing.T) {
	for key, texts := range AlertsCatalog {
		for i, s := range texts {
			if s == "" {
				t.Errorf("%s has no text in %s", key, []string{"en", "zh-Hant", "zh-Hans"}[i])
			}
		}
	}
}
