package data

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Batch is one ingested file: the ingest_batches row every record points to.
type Batch struct {
	ID            string
	Kind          string
	FileName      string
	FileSHA256    string
	UploadedBy    string
	UploadedAt    time.Time
	RowsAccepted  int
	RowsRejected  int
	RowsDuplicate int
}

// InsertBatch records the batch inside the transaction that writes its rows.
func (t *Tx) InsertBatch(ctx context.Context, b Batch) error {
	err := t.Exec(ctx, `INSERT INTO ingest_batches
		(batch_id, kind, file_name, file_sha256, uploaded_by, uploaded_at, rows_accepted, rows_rejected, rows_duplicate)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		b.ID, b.Kind, b.FileName, b.FileSHA256, b.UploadedBy, b.UploadedAt.UTC(), b.RowsAccepted, b.RowsRejected, b.RowsDuplicate)
	if err != nil {
		return fmt.Errorf("record batch: %w", err)
	}
	return nil
}

// BatchBySHA finds the batch that already brought in the same file for kind.
func (t *Tx) BatchBySHA(ctx context.Context, kind, sha256 string) (Batch, bool, error) {
	var b Batch
	err := t.QueryRow(ctx, `SELECT batch_id, kind, file_name, file_sha256, uploaded_by, uploaded_at,
			rows_accepted, rows_rejected, rows_duplicate
		FROM ingest_batches WHERE kind = ? AND file_sha256 = ? ORDER BY uploaded_at LIMIT 1`, kind, sha256).
		Scan(&b.ID, &b.Kind, &b.FileName, &b.FileSHA256, &b.UploadedBy, &b.UploadedAt, &b.RowsAccepted, &b.RowsRejected, &b.RowsDuplicate)
	if errors.Is(err, sql.ErrNoRows) {
		return Batch{}, false, nil
	}
	if err != nil {
		return Batch{}, false, fmt.Errorf("find batch: %w", err)
	}
	return b, true, nil
}

// IdempotentAnswer returns the answer recorded for an Idempotency-Key.
func (t *Tx) IdempotentAnswer(ctx context.Context, key string) (kind, answer string, found bool, err error) {
	err = t.QueryRow(ctx, `SELECT kind, answer FROM ingest_idempotency WHERE idempotency_key = ?`, key).Scan(&kind, &answer)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", false, nil
	}
	if err != nil {
		return "", "", false, fmt.Errorf("find idempotency key: %w", err)
	}
	return kind, answer, true, nil
}

// SaveIdempotentAnswer records the answer for an Idempotency-Key in the
// batch's own transaction, so a retry after a lost reply replays it.
func (t *Tx) SaveIdempotentAnswer(ctx context.Context, key, kind, batchID, answer string) error {
	if err := t.Exec(ctx, `INSERT INTO ingest_idempotency VALUES (?, ?, ?, ?)`, key, kind, batchID, answer); err != nil {
		return fmt.Errorf("record idempotency key: %w", err)
	}
	return nil
}
