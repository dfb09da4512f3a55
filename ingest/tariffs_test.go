package ingest

import (
	"strings"
	"testing"
)

// TestKindsAreWellFormed checks the record kinds' single definition: keys,
// versions, references and fallbacks name columns that exist, and a
// fallback comes before the column that takes it.
func TestKindsAreWellFormed(t *testing.T) {
	for _, k := range kinds {
		pos := map[string]int{}
		for i, c := range k.columns {
			if _, dup := pos[c.name]; dup {
				t.Errorf("%s: column %s twice", k.Name, c.name)
			}
			pos[c.name] = i
		}
		for _, key := range k.keyColumns() {
			if _, ok := pos[key]; !ok {
				t.Errorf("%s: key column %s does not exist", k.Name, key)
			}
		}
		for i, c := range k.columns {
			if c.fallback == "" {
				continue
			}
			if j, ok := pos[c.fallback]; !ok || j >= i {
				t.Errorf("%s.%s falls back to %q, which is not an earlier column", k.Name, c.name, c.fallback)
			}
		}
	}
}

// TestTariffVersions: a fee item's code may come in several versions, one
// per effective_from; an identical version again is a duplicate, the same
// version with another rate is rejected, and bills reference the code.
func TestTariffVersions(t *testing.T) {
	const header = "code,name,unit,rate,effective_from,effective_to"
	cases := []struct {
		name                          string
		lines                         []string
		accepted, duplicate, rejected int
		message                       string // in the first error
	}{
		{"a second version of a code", []string{"MGMT,Management fee,m2,2.80,2026-10-01,"}, 1, 0, 0, ""},
		{"the same version again", []string{"MGMT,Management fee,m2,2.50,2025-01-01,"}, 0, 1, 0, ""},
		{"the same version with another rate", []string{"MGMT,Management fee,m2,2.60,2025-01-01,"}, 0, 0, 1,
			"code MGMT, effective_from 2025-01-01 already ingested with other values in batch"},
		{"two versions in one file", []string{"WATER,Water,m3,4.20,2025-01-01,2025-12-31", "WATER,Water,m3,4.50,2026-01-01,"}, 2, 0, 0, ""},
		{"one version twice in a file with other rates", []string{"WATER,Water,m3,4.20,2025-01-01,", "WATER,Water,m3,4.30,2025-01-01,"}, 1, 0, 1,
			"code WATER, effective_from 2025-01-01 appears again with other values (first at row 2"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in, store := testIngester(t)
			seed(t, in)
			res, err := ingestText(t, in, "fee_items", "tariff.csv", csvLines(append([]string{header}, c.lines...)...), allowErrors)
			if err != nil {
				t.Fatalf("ingest: %v %+v", err, resultErrors(res))
			}
			if res.RowsAccepted != c.accepted || res.RowsDuplicate != c.duplicate || res.RowsRejected != c.rejected {
				t.Fatalf("accepted %d duplicate %d rejected %d, want %d %d %d (%+v)", res.RowsAccepted, res.RowsDuplicate, res.RowsRejected, c.accepted, c.duplicate, c.rejected, res.Errors)
			}
			if c.message != "" && (len(res.Errors) == 0 || !strings.Contains(res.Errors[0].Message, c.message)) {
				t.Errorf("errors = %+v, want %q", res.Errors, c.message)
			}
			var rate string
			if err := store.DB().QueryRow(`SELECT rate::VARCHAR FROM fee_items WHERE code = 'MGMT' AND effective_from = DATE '2025-01-01'`).Scan(&rate); err != nil || rate != "2.50" {
				t.Errorf("MGMT from 2025-01-01 rate = %q (%v), want 2.50 kept", rate, err)
			}
		})
	}

	// A bill names the code alone: any version makes the reference good.
	in, _ := testIngester(t)
	seed(t, in)
	mustIngest(t, in, "fee_items", csvLines(header, "MGMT,Management fee,m2,2.80,2026-10-01,"))
	res := mustIngest(t, in, "bills", csvLines("bill_id,customer_id,fee_item,period,amount_due,discount,due_date",
		"B9,C001,MGMT,2026-10,280.00,0,2026-10-15"))
	if res.RowsAccepted != 1 {
		t.Errorf("bill of a versioned code: %+v", res)
	}
	res, err := ingestText(t, in, "bills", "bad.csv", csvLines("bill_id,customer_id,fee_item,period,amount_due,discount,due_date",
		"B10,C001,NOPE,2026-10,280.00,0,2026-10-15"))
	if err == nil || len(res.Errors) != 1 || !strings.Contains(res.Errors[0].Message, "NOPE not found in fee_items") {
		t.Errorf("bill of an unknown code: %v %+v", err, resultErrors(res))
	}
}

// TestNamesPerLanguage: the optional columns of a name per language are
// read under their English or Chinese headers and take the plain name when
// the file leaves them out or empty.
func TestNamesPerLanguage(t *testing.T) {
	cases := []struct {
		name, kind, query, want string
		lines                   []string
	}{
		{"fee item names and units by their Chinese headers", "fee_items",
			`SELECT name_en || '|' || name_zh || '|' || unit_en || '|' || unit_zh FROM fee_items WHERE code = 'GAS'`, "Gas|瓦斯費|m3|立方公尺",
			[]string{"項目代碼,項目名稱,英文名稱,中文名稱,單位,中文單位,收費標準,生效日期", "GAS,Gas,,瓦斯費,m3,立方公尺,3.10,2026-01-01"}},
		{"fee item names by name_en and name_zh", "fee_items",
			`SELECT name || '|' || name_en || '|' || name_zh FROM fee_items WHERE code = 'GAS'`, "瓦斯|Gas|瓦斯費",
			[]string{"code,name,name_en,name_zh,unit,rate,effective_from", "GAS,瓦斯,Gas,瓦斯費,m3,3.10,2026-01-01"}},
		{"a file without them keeps the plain name in both", "fee_items",
			`SELECT name_en || '|' || name_zh || '|' || coalesce(unit_en, 'NULL') FROM fee_items WHERE code = 'GAS'`, "Gas|Gas|NULL",
			[]string{"code,name,rate,effective_from", "GAS,Gas,3.10,2026-01-01"}},
		{"area names on customers", "customers",
			`SELECT area || '|' || area_en || '|' || area_zh FROM customers WHERE customer_id = 'C009'`, "北區|North|北區",
			[]string{"customer_id,name,area,area_en", "C009,Wu,北區,North"}},
		{"action titles", "actions",
			`SELECT title_en || '|' || title_zh FROM actions WHERE action_id = 'A1'`, "Second check|櫃檯複核",
			[]string{"action_id,title,title_zh,problem,owner,started_on,metric,target", "A1,Second check,櫃檯複核,operator_error,Zhao,2026-09-01,errors_per_1000,100"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in, store := testIngester(t)
			seed(t, in)
			mustIngest(t, in, c.kind, csvLines(c.lines...))
			var got string
			if err := store.DB().QueryRow(c.query).Scan(&got); err != nil {
				t.Fatal(err)
			}
			if got != c.want {
				t.Errorf("%s = %q, want %q", c.query, got, c.want)
			}
		})
	}

	// A file of the earlier layout uploaded again after names per language
	// came in is still a duplicate, not a conflict: the names it leaves out
	// are the plain name, as stored.
	in, _ := testIngester(t)
	seed(t, in)
	res := mustIngest(t, in, "fee_items", csvLines("code,name,unit,rate,effective_from,effective_to", "MGMT,Management fee,m2,2.50,2025-01-01,"))
	if res.RowsDuplicate != 1 || res.RowsRejected != 0 {
		t.Errorf("re-upload of the earlier layout = %+v, want 1 duplicate", res)
	}
}
