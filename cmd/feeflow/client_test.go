package main

import (
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/feeflow/feeflow/data"
	"github.com/feeflow/feeflow/ingest"
	"github.com/feeflow/feeflow/server"
	"golang.org/x/text/encoding/simplifiedchinese"
)

func TestUploadTypeCarriesNoCharset(t *testing.T) {
	for path, want := range map[string]string{"a.csv": "text/csv", "a.CSV": "text/csv", "a.json": "application/json", "a.bin": "application/octet-stream", "noext": "application/octet-stream"} {
		if got := uploadType(path); got != want {
			t.Errorf("uploadType(%q) = %q, want %q", path, got, want)
		}
	}
}

// A GBK export sent with `feeflow ingest --server` is read as GBK.
func TestClientSendsGBKFile(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	store, err := data.Open(ctx, filepath.Join(dir, "fees.duckdb"), data.Options{Threads: 2, Location: time.UTC})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	tokens, _ := server.ParseTokens("finance:finance-token-0123456789")
	srv, err := server.New(server.Config{Store: store, Ingester: ingest.New(store, ingest.Config{}), Tokens: tokens, TempDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()
	body, err := simplifiedchinese.GB18030.NewEncoder().String("客户编号,姓名,房号,区域,证件号码\nC001,陈美,A-101,北区,A123456789\n")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "客户.csv")
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	c := &client{base: ts.URL, token: "finance-token-0123456789"}
	res, err := c.ingest(ctx, ingest.Upload{Kind: "customers", Path: path, FileName: "客户.csv"})
	if err != nil {
		t.Fatalf("GBK file through the server: %v", err)
	}
	if res.Encoding != "gbk" || res.RowsAccepted != 1 {
		t.Errorf("answer = encoding %q, %d accepted; want gbk, 1", res.Encoding, res.RowsAccepted)
	}
	var name string
	store.DB().QueryRow(`SELECT name FROM customers`).Scan(&name)
	if name != "陈美" {
		t.Errorf("stored name %q, want 陈美", name)
	}
}
