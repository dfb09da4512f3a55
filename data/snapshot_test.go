package data_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/feeflow/feeflow/data"
)

// The analysts' snapshot holds the records and nothing of the accounts:
// no schema, and none of the names, hashes or token digests in its bytes.
func TestSnapshotCarriesNoAccounts(t *testing.T) {
	ctx := context.Background()
	s := mustOpenWithPayments(t)
	secrets := []string{"snapshot-user-7f3a", "$2a$10$snapshotHashSnapshotHashSnapshotHashSnapshotHash0123", "snapshot-token-9c1e", "ab12cd34ef56snapshotdigest"}
	if err := s.AddUser(ctx, data.Account{Name: secrets[0], Secret: secrets[1], Roles: "admin", CreatedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	if err := s.SetToken(ctx, data.Account{Name: secrets[2], Secret: secrets[3], Roles: "analyst", CreatedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "snapshot.duckdb")
	if err := s.Snapshot(ctx, out); err != nil {
		t.Fatal(err)
	}
	snap, err := data.Open(ctx, out, data.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer snap.Close()
	var schemas, payments int
	if err := snap.DB().QueryRowContext(ctx, `SELECT count(*) FROM duckdb_schemas() WHERE schema_name IN ('accounts', 'upload_log', 'workbench', 'alerts')`).Scan(&schemas); err != nil {
		t.Fatal(err)
	}
	if err := snap.DB().QueryRowContext(ctx, `SELECT count(*) FROM payments`).Scan(&payments); err != nil {
		t.Fatal(err)
	}
	if schemas != 0 || payments != 2 {
		t.Errorf("snapshot: %d private schemas, %d payments; want 0 and 2", schemas, payments)
	}
	raw, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range secrets {
		if bytes.Contains(raw, []byte(secret)) {
			t.Errorf("the snapshot's bytes contain %q", secret)
		}
	}
	if _, err := os.Stat(out + ".full"); !os.IsNotExist(err) {
		t.Errorf("the full copy %s.full is left behind (%v)", out, err)
	}
}
