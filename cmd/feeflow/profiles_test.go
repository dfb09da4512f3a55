package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestProfilesListsTheBuiltins(t *testing.T) {
	code, out, errOut := runCmd(t, "", nil, "profiles")
	if code != 0 || !strings.Contains(out, "wechat-pay-trade") || !strings.Contains(out, "微信支付") || !strings.Contains(out, "settlements") {
		t.Fatalf("feeflow profiles = %d, %q, %q", code, out, errOut)
	}
}

func TestIngestExplainRecognisesAStatement(t *testing.T) {
	sample := filepath.Join("..", "..", "ingest", "profiles", "testdata", "wechat-pay-trade", "sample.csv")
	code, out, errOut := runCmd(t, "", nil, "ingest", "--kind", "settlements", "--explain", sample)
	for _, want := range []string{"profile:  wechat-pay-trade", "header:   line 1", "summary line", "dropped:  1 row: order revoked", "ignored:", "-50.00"} {
		if code != 0 || !strings.Contains(out, want) {
			t.Errorf("ingest --explain = %d, want %q in\n%s%s", code, want, out, errOut)
		}
	}
	// A file whose header cannot be found: the error names the line.
	odd := filepath.Join(t.TempDir(), "odd.csv")
	os.WriteFile(odd, []byte("a,b\n1,2\n"), 0o644)
	code, _, errOut = runCmd(t, "", nil, "ingest", "--kind", "settlements", "--explain", "--map", "wechat-pay-trade", odd)
	if code != 1 || !strings.Contains(errOut, "line 1") {
		t.Errorf("ingest --explain of a file without the header = %d, %q", code, errOut)
	}
	code, _, errOut = runCmd(t, "", nil, "ingest", "--kind", "settlements", "--explain", "--map", "no-such-profile", odd)
	if code != 2 || !strings.Contains(errOut, "unknown profile") {
		t.Errorf("--map of an unknown name = %d, %q", code, errOut)
	}
}
