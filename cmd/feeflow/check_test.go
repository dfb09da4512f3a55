package main

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/feeflow/feeflow/data"
)

func TestCheckCommandPassesASoundDatabase(t *testing.T) {
	db := mustDemoDB(t)
	before := fileDigest(t, db)
	code, out, errOut := runCmd(t, "", nil, "check", "--db", db)
	if code != 0 || !strings.Contains(out, ": ok: read 36 tables") {
		t.Fatalf("check: exit %d\n%s%s", code, out, errOut)
	}
	if fileDigest(t, db) != before {
		t.Error("check changed the database file")
	}
}

// check --facts recomputes every metric fact from the base tables: equal on
// a database kept by ingest; a fact changed behind ingest's back is named,
// with how many rows differ, and the check fails.
func TestCheckFactsComparesEveryFactWithItsRecomputation(t *testing.T) {
	db := mustDemoDB(t)
	code, out, errOut := runCmd(t, "", nil, "check", "--db", db, "--facts")
	if code != 0 || !strings.Contains(out, "recomputed 16 metric facts") || !strings.Contains(out, "facts: fact_reconciliation: ") {
		t.Fatalf("check --facts: exit %d\n%s%s", code, out, errOut)
	}
	ctx := context.Background()
	s, err := data.Open(ctx, db, data.Options{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.DB().ExecContext(ctx, `UPDATE fact_bills SET collected = collected + 0.01 WHERE bill_id = (SELECT min(bill_id) FROM fact_bills)`)
	s.Close()
	if err != nil {
		t.Fatal(err)
	}
	code, out, errOut = runCmd(t, "", nil, "check", "--db", db, "--facts")
	if code != 1 || !strings.Contains(out, "fact_bills differs from its recomputation from the base tables: 1 rows not in it, 1 of its rows missing") {
		t.Fatalf("check --facts of a changed fact: exit %d\n%s%s", code, out, errOut)
	}
}

// 64 KiB flipped inside a block that holds payments: check fails and names
// the table and DuckDB's checksum error; a read-only command does not write
// into the damaged file either.
func TestCheckCommandNamesADamagedBlock(t *testing.T) {
	db := mustDemoDB(t)
	corruptTableBlock(t, db, "payments")
	before := fileDigest(t, db)
	code, out, errOut := runCmd(t, "", nil, "check", "--db", db)
	if code != 1 {
		t.Fatalf("check of a damaged file: exit %d, want 1\n%s%s", code, out, errOut)
	}
	for _, want := range []string{"blocks: table payments cannot be read to the end", "checksum", "DAMAGED"} {
		if !strings.Contains(out, want) {
			t.Errorf("check output lacks %q:\n%s", want, out)
		}
	}
	runCmd(t, "", nil, "sql", "--db", db, "SELECT sum(amount) FROM payments")
	if fileDigest(t, db) != before {
		t.Error("check or sql wrote into the damaged file")
	}
}

// corruptTableBlock inverts 64 KiB inside the first data block of table: the
// block's checksum no longer matches its contents. A DuckDB file is three
// 4 KiB headers followed by blocks of the size pragma_database_size reports.
func corruptTableBlock(t *testing.T, path, table string) {
	t.Helper()
	ctx := context.Background()
	s, err := data.Open(ctx, path, data.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	var block, blockSize int64
	if err := s.DB().QueryRowContext(ctx, `SELECT min(block_id) FROM pragma_storage_info(?) WHERE block_id >= 0`, table).Scan(&block); err != nil {
		t.Fatal(err)
	}
	if err := s.DB().QueryRowContext(ctx, `SELECT block_size FROM pragma_database_size() WHERE database_name = current_database()`).Scan(&blockSize); err != nil {
		t.Fatal(err)
	}
	s.Close()
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	off := 3*4096 + block*blockSize + 4096
	buf := make([]byte, 64<<10)
	if _, err := f.ReadAt(buf, off); err != nil {
		t.Fatal(err)
	}
	for i := range buf {
		buf[i] ^= 0xFF
	}
	if _, err := f.WriteAt(buf, off); err != nil {
		t.Fatal(err)
	}
}

// A file cut in half cannot even be opened: check says so, and neither it
// nor a read-only command writes into it.
func TestCheckCommandNamesATruncatedFile(t *testing.T) {
	db := mustDemoDB(t)
	st, err := os.Stat(db)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(db, st.Size()/2); err != nil {
		t.Fatal(err)
	}
	before := fileDigest(t, db)
	code, out, errOut := runCmd(t, "", nil, "check", "--db", db)
	if code != 1 || !strings.Contains(out, "DAMAGED: it cannot be opened") {
		t.Fatalf("check of a truncated file: exit %d\n%s%s", code, out, errOut)
	}
	if code, _, _ := runCmd(t, "", nil, "sql", "--db", db, "SELECT 1"); code != 1 {
		t.Errorf("sql on a truncated file: exit %d, want 1", code)
	}
	if fileDigest(t, db) != before {
		t.Error("a command wrote into the truncated file")
	}
}
