package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/feeflow/feeflow/data"
)

// `feeflow ingest` reads the blocks it is about to write beside before it
// opens the file for writing: with 64 KiB flipped inside the payments
// table, a valid payments file is refused and the database left as it was;
// the same file goes into an undamaged copy.
func TestIngestRefusesADamagedDatabase(t *testing.T) {
	db := mustDemoDB(t)
	ctx := context.Background()
	s, err := data.Open(ctx, db, data.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	var customer, fee string
	if err := s.DB().QueryRowContext(ctx, `SELECT customer_id, fee_item FROM payments WHERE customer_id IS NOT NULL LIMIT 1`).Scan(&customer, &fee); err != nil {
		t.Fatal(err)
	}
	s.Close()
	file := filepath.Join(t.TempDir(), "payments.csv")
	csv := "txn_id,paid_at,customer_id,bill_id,fee_item,amount,method,collector,receipt_no,status\n" +
		"QCHECK1,2026-01-05 10:00," + customer + ",," + fee + ",10.00,cash,Wang,RQ1,completed\n"
	if err := os.WriteFile(file, []byte(csv), 0o644); err != nil {
		t.Fatal(err)
	}

	sound := mustDemoDB(t)
	if code, out, errOut := runCmd(t, "", nil, "ingest", "--db", sound, "--kind", "payments", "--tz", "Asia/Taipei", file); code != 0 {
		t.Fatalf("ingest into a sound copy: exit %d\n%s%s", code, out, errOut)
	}

	corruptTableBlock(t, db, "payments")
	before := fileDigest(t, db)
	code, out, errOut := runCmd(t, "", nil, "ingest", "--db", db, "--kind", "payments", "--tz", "Asia/Taipei", file)
	if code != 1 || !strings.Contains(errOut, "is damaged, so nothing was written") || !strings.Contains(errOut, "table payments") {
		t.Errorf("ingest into a damaged file: exit %d\n%s%s\nwant 1 and the damage named", code, out, errOut)
	}
	if fileDigest(t, db) != before {
		t.Error("ingest wrote into the damaged file")
	}
}
