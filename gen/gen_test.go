package gen

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/shopspring/decimal"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/traditionalchinese"
)

var testEnd = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)

func smallConfig() Config { return Config{Customers: 150, Months: 6, Seed: 7, End: testEnd} }

func writeSet(t *testing.T, cfg Config) (string, *Manifest) {
	t.Helper()
	dir := t.TempDir()
	m, err := Write(context.Background(), dir, cfg)
	if err != nil {
		t.Fatalf("Write: %v", err)
	}
	return dir, m
}

func TestDeterministic(t *testing.T) {
	a, _ := writeSet(t, smallConfig())
	b, _ := writeSet(t, smallConfig())
	names := dirFiles(t, a)
	if got := dirFiles(t, b); !slices.Equal(names, got) {
		t.Fatalf("file lists differ: %v vs %v", names, got)
	}
	if len(names) != 15 {
		t.Errorf("want 14 exports and the manifest, got %v", names)
	}
	for _, n := range names {
		x, _ := os.ReadFile(filepath.Join(a, n))
		y, _ := os.ReadFile(filepath.Join(b, n))
		if !bytes.Equal(x, y) {
			t.Errorf("%s differs between two runs of the same config", n)
		}
	}
	other := smallConfig()
	other.Seed = 8
	c, _ := writeSet(t, other)
	x, _ := os.ReadFile(filepath.Join(a, "payments.csv"))
	y, _ := os.ReadFile(filepath.Join(c, "payments.csv"))
	if bytes.Equal(x, y) {
		t.Error("another seed gives the same payments")
	}
}

func dirFiles(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range es {
		out = append(out, e.Name())
	}
	return out
}

func TestConfigErrors(t *testing.T) {
	ctx := context.Background()
	for name, cfg := range map[string]Config{
		"no end":        {},
		"end mid-month": {End: time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)},
		"negative":      {Customers: -1, End: testEnd},
		"months":        {Months: -3, End: testEnd},
	} {
		if _, err := Write(ctx, t.TempDir(), cfg); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := Write(cancelled, t.TempDir(), smallConfig()); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled context: %v", err)
	}
}

func TestFileOrderAndManifest(t *testing.T) {
	dir, m := writeSet(t, smallConfig())
	want := []string{"fee_items.csv", "customers.csv", "bills.csv", "payments.csv", "settlements_bank.csv", "settlements_card.csv",
		"settlements_wechat.csv", "settlements_alipay.csv", "refunds.csv", "invoices.csv", "exceptions.csv", "actions.csv",
		"feedback.csv", "resolutions.csv"}
	var got []string
	for _, f := range m.Files {
		got = append(got, f.File)
		b, err := os.ReadFile(filepath.Join(dir, f.File))
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(b)
		if hex.EncodeToString(sum[:]) != f.SHA256 || int64(len(b)) != f.Bytes {
			t.Errorf("%s: sha256/bytes in the manifest do not match the file", f.File)
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("files %v, want %v", got, want)
	}
	raw, err := os.ReadFile(filepath.Join(dir, ManifestFile))
	if err != nil {
		t.Fatal(err)
	}
	var back Manifest
	if err := json.Unmarshal(raw, &back); err != nil {
		t.Fatalf("manifest.json: %v", err)
	}
	if back.TimeZone != "Asia/Taipei" || back.Start != "2026-05-01" || back.End != "2026-11-01" || back.AsOf != "2026-10-31" ||
		back.FirstPeriod != "2026-05" || back.LastPeriod != "2026-10" {
		t.Errorf("manifest header: %+v", back)
	}
}

func TestEncodings(t *testing.T) {
	dir, m := writeSet(t, smallConfig())
	for _, f := range m.Files {
		b, _ := os.ReadFile(filepath.Join(dir, f.File))
		switch f.Encoding {
		case "big5", "gbk":
			if utf8.Valid(b) {
				t.Errorf("%s: valid UTF-8, want %s", f.File, f.Encoding)
			}
			if !f.BOM && f.LineEnding == "crlf" && bytes.Count(b, []byte("\r\n")) != f.Rows+1 {
				t.Errorf("%s: want CRLF line endings", f.File)
			}
		case "utf-8":
			if !utf8.Valid(b) {
				t.Errorf("%s: invalid UTF-8", f.File)
			}
			if bytes.HasPrefix(b, []byte("\uFEFF")) != f.BOM {
				t.Errorf("%s: BOM %v, manifest says %v", f.File, !f.BOM, f.BOM)
			}
			if bytes.Contains(b, []byte("\r")) {
				t.Errorf("%s: CR in an LF file", f.File)
			}
		default:
			t.Errorf("%s: encoding %q", f.File, f.Encoding)
		}
	}
	// Big5 must be plain Big5 (CP950): lead bytes of the standard range only.
	b, _ := os.ReadFile(filepath.Join(dir, "customers.csv"))
	for i := 0; i < len(b); {
		if b[i] < 0x80 {
			i++
			continue
		}
		if b[i] < 0xA1 || b[i] > 0xF9 {
			t.Fatalf("customers.csv: byte %#x at %d is outside standard Big5", b[i], i)
		}
		i += 2
	}
	dec, err := traditionalchinese.Big5.NewDecoder().Bytes(b)
	if err != nil || bytes.ContainsRune(dec, utf8.RuneError) {
		t.Fatalf("customers.csv does not decode as Big5: %v", err)
	}
	if !bytes.HasPrefix(dec, []byte("客戶編號,姓名,房號,區域,證件號碼,區域英文名稱\r\n")) {
		t.Errorf("customers.csv header: %q", dec[:40])
	}
	b, _ = os.ReadFile(filepath.Join(dir, "settlements_bank.csv"))
	dec, err = simplifiedchinese.GBK.NewDecoder().Bytes(b)
	if err != nil || bytes.ContainsRune(dec, utf8.RuneError) {
		t.Fatalf("settlements_bank.csv does not decode as GBK: %v", err)
	}
	if !bytes.HasPrefix(dec, []byte("结算编号,渠道,交易号,金额,结算时间,手续费,收费员,退款单号\r\n")) || !bytes.Contains(dec, []byte(",现金存款,")) {
		t.Errorf("settlements_bank.csv: %q", dec[:60])
	}
}

// dataset is a generated set read back from its files.
type dataset struct {
	m    *Manifest
	loc  *time.Location
	rows map[string][]map[string]string // kind -> rows by column name
}

func loadSet(t *testing.T, dir string, m *Manifest) *dataset {
	t.Helper()
	loc, err := time.LoadLocation(m.TimeZone)
	if err != nil {
		loc = time.FixedZone(m.TimeZone, 8*3600)
	}
	ds := &dataset{m: m, loc: loc, rows: map[string][]map[string]string{}}
	for _, f := range m.Files {
		b, err := os.ReadFile(filepath.Join(dir, f.File))
		if err != nil {
			t.Fatal(err)
		}
		switch f.Encoding {
		case "big5":
			b, err = traditionalchinese.Big5.NewDecoder().Bytes(b)
		case "gbk":
			b, err = simplifiedchinese.GBK.NewDecoder().Bytes(b)
		}
		if err != nil {
			t.Fatalf("%s: %v", f.File, err)
		}
		b = bytes.TrimPrefix(b, []byte("\uFEFF"))
		r := csv.NewReader(bytes.NewReader(b))
		r.FieldsPerRecord = len(f.Columns)
		recs, err := r.ReadAll()
		if err != nil {
			t.Fatalf("%s: %v", f.File, err)
		}
		if !slices.Equal(recs[0], f.Header) {
			t.Errorf("%s: header %v, want %v", f.File, recs[0], f.Header)
		}
		if len(recs)-1 != f.Rows {
			t.Errorf("%s: %d rows, manifest says %d", f.File, len(recs)-1, f.Rows)
		}
		for _, rec := range recs[1:] {
			row := make(map[string]string, len(rec))
			for i, v := range rec {
				row[f.Columns[i]] = v
			}
			row["_file"] = f.File
			ds.rows[f.Kind] = append(ds.rows[f.Kind], row)
		}
	}
	return ds
}

var (
	moneyRe     = regexp.MustCompile(`^-?\d+\.\d{2}$`)
	thousandsRe = regexp.MustCompile(`^\d{1,3}(,\d{3})+\.\d{2}$`)
	periodRe    = regexp.MustCompile(`^\d{4}-(0[1-9]|1[0-2])$`)
)

// canonical words of the Chinese spellings the files use.
var canonical = map[string]string{
	"現金": "cash", "刷卡": "card", "銀行轉賬": "bank_transfer", "微信": "wechat", "支付寶": "alipay",
	"银行": "bank", "现金存款": "cash_deposit", "支付宝": "alipay",
}

func canon(s string) string {
	if c, ok := canonical[s]; ok {
		return c
	}
	return s
}

type checker struct {
	t          *testing.T
	ds         *dataset
	start, end time.Time
	errs       int
}

func (c *checker) errorf(format string, args ...any) {
	c.t.Helper()
	c.errs++
	if c.errs <= 30 {
		c.t.Errorf(format, args...)
	}
}

func (c *checker) money(row map[string]string, col string) decimal.Decimal {
	c.t.Helper()
	s := row[col]
	if !moneyRe.MatchString(s) {
		if !(row["_file"] == "payments.csv" && col == "amount" && thousandsRe.MatchString(s)) {
			c.errorf("%s %s: money %q", row["_file"], col, s)
			return decimal.Zero
		}
		s = strings.ReplaceAll(s, ",", "")
	}
	d, err := decimal.NewFromString(s)
	if err != nil {
		c.errorf("%s %s: %v", row["_file"], col, err)
	}
	return d
}

func (c *checker) ts(row map[string]string, col string, optional bool) (time.Time, bool) {
	c.t.Helper()
	s := row[col]
	if s == "" {
		if !optional {
			c.errorf("%s %s: empty timestamp", row["_file"], col)
		}
		return time.Time{}, false
	}
	tm, err := time.ParseInLocation(tsLayout, s, c.ds.loc)
	if err != nil || tm.Format(tsLayout) != s {
		c.errorf("%s %s: timestamp %q: %v", row["_file"], col, s, err)
		return tm, false
	}
	if tm.Before(c.start) || !tm.Before(c.end) {
		c.errorf("%s %s: %s outside the data", row["_file"], col, s)
	}
	return tm, true
}

func (c *checker) date(row map[string]string, col string) time.Time {
	c.t.Helper()
	d, err := time.ParseInLocation(dateLayout, row[col], c.ds.loc)
	if err != nil {
		c.errorf("%s %s: date %q", row["_file"], col, row[col])
	}
	return d
}

func (c *checker) oneOf(row map[string]string, col string, domain ...string) string {
	c.t.Helper()
	v := canon(row[col])
	if !slices.Contains(domain, v) {
		c.errorf("%s %s: %q not in %v", row["_file"], col, row[col], domain)
	}
	return v
}

func (c *checker) index(kind, key string) map[string]map[string]string {
	c.t.Helper()
	idx := make(map[string]map[string]string)
	for _, row := range c.ds.rows[kind] {
		k := row[key]
		if k == "" {
			c.errorf("%s: empty key %s", kind, key)
		}
		if _, dup := idx[k]; dup {
			c.errorf("%s: duplicate key %s", kind, k)
		}
		idx[k] = row
	}
	return idx
}

// checkIntegrity checks keys, references and domains of every file.
func checkIntegrity(t *testing.T, ds *dataset) {
	c := &checker{t: t, ds: ds}
	c.start, _ = time.ParseInLocation(dateLayout, ds.m.Start, ds.loc)
	c.end, _ = time.ParseInLocation(dateLayout, ds.m.End, ds.loc)

	fees := c.index("fee_items", "code")
	for _, r := range ds.rows["fee_items"] {
		c.money(r, "rate")
		c.date(r, "effective_from")
	}
	custs := c.index("customers", "customer_id")
	ids, units := map[string]bool{}, map[string]bool{}
	for _, r := range ds.rows["customers"] {
		if !validTaiwanID(r["id_doc"]) || ids[r["id_doc"]] {
			c.errorf("customers: id_doc %q invalid or repeated", r["id_doc"])
		}
		ids[r["id_doc"]] = true
		if units[r["area"]+r["unit"]] {
			c.errorf("customers: unit %s %s repeated", r["area"], r["unit"])
		}
		units[r["area"]+r["unit"]] = true
		if utf8.RuneCountInString(r["name"]) < 2 || r["unit"] == "" || !slices.Contains(areas, r["area"]) {
			c.errorf("customers: %v", r)
		}
	}
	bills := c.index("bills", "bill_id")
	for _, r := range ds.rows["bills"] {
		if custs[r["customer_id"]] == nil || fees[r["fee_item"]] == nil {
			c.errorf("bills %s: unknown customer or fee item", r["bill_id"])
		}
		if !periodRe.MatchString(r["period"]) || r["period"] < ds.m.FirstPeriod || r["period"] > ds.m.LastPeriod {
			c.errorf("bills %s: period %q", r["bill_id"], r["period"])
		}
		due, disc := c.money(r, "amount_due"), c.money(r, "discount")
		if disc.IsNegative() || disc.GreaterThan(due) || !due.IsPositive() {
			c.errorf("bills %s: amount_due %s discount %s", r["bill_id"], due, disc)
		}
		c.date(r, "due_date")
	}
	pays := c.index("payments", "txn_id")
	invs := c.index("invoices", "invoice_no")
	for _, r := range ds.rows["payments"] {
		c.ts(r, "paid_at", false)
		if r["customer_id"] != "" && custs[r["customer_id"]] == nil {
			c.errorf("payments %s: unknown customer", r["txn_id"])
		}
		if b := r["bill_id"]; b != "" {
			if bills[b] == nil {
				c.errorf("payments %s: unknown bill %s", r["txn_id"], b)
			} else if bills[b]["customer_id"] != r["customer_id"] || bills[b]["fee_item"] != r["fee_item"] {
				c.errorf("payments %s: customer or fee item differs from its bill", r["txn_id"])
			}
		}
		if fees[r["fee_item"]] == nil {
			c.errorf("payments %s: unknown fee item", r["txn_id"])
		}
		if !c.money(r, "amount").IsPositive() {
			c.errorf("payments %s: amount %s", r["txn_id"], r["amount"])
		}
		m := c.oneOf(r, "method", "cash", "card", "bank_transfer", "wechat", "alipay", "other")
		c.oneOf(r, "status", "completed", "voided")
		if (m == "cash" || m == "card" || m == "other") && r["collector"] == "" {
			c.errorf("payments %s: counter payment without collector", r["txn_id"])
		}
		if inv := invs[r["receipt_no"]]; inv == nil || inv["txn_id"] != r["txn_id"] {
			c.errorf("payments %s: receipt_no %s is not its document", r["txn_id"], r["receipt_no"])
		}
	}
	lines := map[string]bool{}
	for _, r := range ds.rows["settlements"] {
		if lines[r["settlement_id"]] {
			c.errorf("settlements: duplicate key %s", r["settlement_id"])
		}
		lines[r["settlement_id"]] = true
		ch := c.oneOf(r, "channel", "bank", "card", "wechat", "alipay", "cash_deposit")
		amount, fee := c.money(r, "amount"), c.money(r, "fee")
		switch {
		case amount.IsNegative():
			// a refund line: names its payment, the fee returned
			if r["txn_ref"] == "" || ch == "cash_deposit" || fee.IsPositive() {
				c.errorf("settlements %s: refund line amount %s fee %s txn_ref %q", r["settlement_id"], r["amount"], r["fee"], r["txn_ref"])
			}
			if r["refund_ref"] != "" && ch != "wechat" && ch != "alipay" {
				c.errorf("settlements %s: refund_ref on a %s line", r["settlement_id"], ch)
			}
		case amount.Sign() == 0 || fee.IsNegative() || r["refund_ref"] != "":
			c.errorf("settlements %s: amount %s fee %s refund_ref %q", r["settlement_id"], r["amount"], r["fee"], r["refund_ref"])
		}
		c.ts(r, "settled_at", false)
		if (ch == "cash_deposit") != (r["collector"] != "") || (ch == "cash_deposit" && r["txn_ref"] != "") {
			c.errorf("settlements %s: collector/txn_ref of channel %s", r["settlement_id"], ch)
		}
		wantFile := map[string]string{"bank": "settlements_bank.csv", "cash_deposit": "settlements_bank.csv", "card": "settlements_card.csv",
			"wechat": "settlements_wechat.csv", "alipay": "settlements_alipay.csv"}[ch]
		if r["_file"] != wantFile {
			c.errorf("settlements %s: channel %s in %s", r["settlement_id"], ch, r["_file"])
		}
	}
	c.index("refunds", "refund_id")
	nonRejected := map[string]decimal.Decimal{}
	for _, r := range ds.rows["refunds"] {
		p := pays[r["txn_id"]]
		if p == nil || p["status"] != "completed" {
			c.errorf("refunds %s: payment %s missing or voided", r["refund_id"], r["txn_id"])
			continue
		}
		amt, paid := c.money(r, "amount"), c.money(p, "amount")
		if !amt.IsPositive() || amt.GreaterThan(paid) {
			c.errorf("refunds %s: amount %s of payment %s", r["refund_id"], amt, paid)
		}
		dec := c.oneOf(r, "decision", "pending", "approved", "rejected")
		if dec != "rejected" {
			nonRejected[r["txn_id"]] = nonRejected[r["txn_id"]].Add(amt)
			if nonRejected[r["txn_id"]].GreaterThan(paid) {
				c.errorf("refunds of %s exceed the payment", r["txn_id"])
			}
		}
		paidAt, _ := c.ts(p, "paid_at", false)
		req, _ := c.ts(r, "requested_at", false)
		rev, hasRev := c.ts(r, "reviewed_at", true)
		exe, hasExe := c.ts(r, "executed_at", true)
		switch {
		case !req.After(paidAt):
			c.errorf("refunds %s: requested before the payment", r["refund_id"])
		case dec == "pending" && (hasRev || hasExe):
			c.errorf("refunds %s: pending but reviewed/executed", r["refund_id"])
		case dec != "pending" && (!hasRev || !rev.After(req)):
			c.errorf("refunds %s: reviewed_at not after requested_at", r["refund_id"])
		case hasExe && (dec != "approved" || !exe.After(rev)):
			c.errorf("refunds %s: executed_at without approval or before review", r["refund_id"])
		}
	}
	seenInv := map[string]time.Time{}
	for _, r := range ds.rows["invoices"] {
		if pays[r["txn_id"]] == nil {
			c.errorf("invoices %s: unknown payment", r["invoice_no"])
		}
		c.oneOf(r, "type", "invoice", "receipt")
		st := c.oneOf(r, "status", "issued", "lost", "damaged", "void")
		at, _ := c.ts(r, "issued_at", false)
		if of := r["reissue_of"]; of != "" {
			prev, ok := seenInv[of]
			o := invs[of]
			if !ok || !prev.Before(at) || o["txn_id"] != r["txn_id"] || (o["status"] != "lost" && o["status"] != "damaged") || st != "issued" {
				c.errorf("invoices %s: reissue_of %s is not an earlier lost/damaged document of the payment", r["invoice_no"], of)
			}
		}
		if pays[r["txn_id"]]["status"] == "voided" && st != "void" {
			c.errorf("invoices %s: document of a voided payment is %s", r["invoice_no"], st)
		}
		seenInv[r["invoice_no"]] = at
	}
	c.index("exceptions", "exception_id")
	for _, r := range ds.rows["exceptions"] {
		if r["customer_id"] != "" && custs[r["customer_id"]] == nil {
			c.errorf("exceptions %s: unknown customer", r["exception_id"])
		}
		if b := r["bill_id"]; b != "" && (bills[b] == nil || bills[b]["customer_id"] != r["customer_id"]) {
			c.errorf("exceptions %s: bill %s unknown or of another customer", r["exception_id"], b)
		}
		c.oneOf(r, "type", "cannot_pay", "refused", "dispute", "fraud")
		c.oneOf(r, "escalated", "true", "false")
		occ, _ := c.ts(r, "occurred_at", false)
		if res, ok := c.ts(r, "resolved_at", true); ok && !res.After(occ) {
			c.errorf("exceptions %s: resolved before it occurred", r["exception_id"])
		}
	}
	c.index("actions", "action_id")
	for _, r := range ds.rows["actions"] {
		c.oneOf(r, "problem", "complex_process", "system_instability", "unclear_standards", "operator_error", "other")
		c.oneOf(r, "metric", "collection_rate", "on_time_rate", "match_rate", "discrepancy_amount", "refund_days", "reissue_rate", "errors_per_1000", "avg_score")
		c.date(r, "started_on")
		if _, err := decimal.NewFromString(r["target"]); err != nil || r["owner"] == "" || r["title"] == "" {
			c.errorf("actions %s: %v", r["action_id"], r)
		}
	}
	c.index("feedback", "feedback_id")
	for _, r := range ds.rows["feedback"] {
		c.oneOf(r, "score", "1", "2", "3", "4", "5")
		c.ts(r, "received_at", false)
		if custs[r["customer_id"]] == nil {
			c.errorf("feedback %s: unknown customer", r["feedback_id"])
		}
	}
	c.index("resolutions", "ref")
	for _, r := range ds.rows["resolutions"] {
		c.oneOf(r, "resolution", "late_settlement", "bank_error", "cashier_error", "refunded", "written_off", "other")
		c.ts(r, "resolved_at", false)
	}
}

// recon is the test's own reconciliation of the files.
type recon struct {
	status       string
	system, bank decimal.Decimal
}

// reconcileFiles reconciles the files as DESIGN.md and the manifest's
// conventions say, independently of the generator: it returns the rows by
// ref, the payments and the refund rows still inside the window.
func reconcileFiles(t *testing.T, ds *dataset) (map[string]recon, int, int) {
	c := &checker{t: t, ds: ds}
	end, _ := time.ParseInLocation(dateLayout, ds.m.End, ds.loc)
	window := end.AddDate(0, 0, -reconWindowDays).Format(dateLayout)
	rows := map[string]*recon{}
	named := map[string][]map[string]string{}
	word := map[string]string{"bank": "bank", "card": "card", "wechat": "wechat", "alipay": "alipay", "cash_deposit": "cash"}
	var refundLines []map[string]string
	for _, l := range ds.rows["settlements"] {
		if c.money(l, "amount").IsNegative() {
			refundLines = append(refundLines, l)
			continue
		}
		if l["txn_ref"] != "" {
			named[l["txn_ref"]] = append(named[l["txn_ref"]], l)
			continue
		}
		coll := l["collector"]
		if coll == "" {
			coll = "*"
		}
		ref := word[canon(l["channel"])] + ":" + coll + ":" + l["settled_at"][:10]
		if rows[ref] == nil {
			rows[ref] = &recon{}
		}
		rows[ref].bank = rows[ref].bank.Add(c.money(l, "amount"))
	}
	completed := map[string]bool{}
	refundable := map[string]bool{} // completed payments a channel pays refunds back for
	inWindow := 0
	for _, p := range ds.rows["payments"] {
		if p["status"] != "completed" {
			continue
		}
		completed[p["txn_id"]] = true
		m := canon(p["method"])
		amt := c.money(p, "amount")
		day := p["paid_at"][:10]
		switch m {
		case "other":
			continue
		case "cash":
			ref := "cash:" + p["collector"] + ":" + day
			if rows[ref] == nil {
				rows[ref] = &recon{}
			}
			rows[ref].system = rows[ref].system.Add(amt)
			continue
		}
		ch := map[string]string{"bank_transfer": "bank", "card": "card", "wechat": "wechat", "alipay": "alipay"}[m]
		refundable[p["txn_id"]] = true
		if ls := named[p["txn_id"]]; len(ls) > 0 {
			r := &recon{system: amt}
			for _, l := range ls {
				r.bank = r.bank.Add(c.money(l, "amount"))
			}
			if len(ls) > 1 {
				r.status = "duplicate_settlement"
			}
			rows[p["txn_id"]] = r
			continue
		}
		if g := rows[ch+":*:"+day]; g != nil {
			g.system = g.system.Add(amt)
			continue
		}
		if day >= window {
			inWindow++
			continue
		}
		rows[p["txn_id"]] = &recon{status: "missing_settlement", system: amt}
	}
	for ref, ls := range named {
		if !completed[ref] {
			for _, l := range ls {
				rows[l["settlement_id"]] = &recon{status: "missing_payment", bank: c.money(l, "amount")}
			}
		}
	}
	// Refunds: a line naming by refund_ref a refund of its payment is that
	// refund's; the rest are compared per payment, as sums.
	refunds := map[string]map[string]string{}
	for _, f := range ds.rows["refunds"] {
		refunds[f["refund_id"]] = f
	}
	type perPayment struct {
		refunds, lines int
		system, bank   decimal.Decimal
		lastRefund     string
	}
	byNumber := map[string][]map[string]string{}
	byPayment := map[string]*perPayment{}
	payment := func(txn string) *perPayment {
		if byPayment[txn] == nil {
			byPayment[txn] = &perPayment{}
		}
		return byPayment[txn]
	}
	for _, l := range refundLines {
		if f := refunds[l["refund_ref"]]; f != nil && f["txn_id"] == l["txn_ref"] && refundable[l["txn_ref"]] {
			byNumber[f["refund_id"]] = append(byNumber[f["refund_id"]], l)
			continue
		}
		a := payment(l["txn_ref"])
		a.lines++
		a.bank = a.bank.Add(c.money(l, "amount"))
	}
	for id, ls := range byNumber {
		r := &recon{}
		for _, l := range ls {
			r.bank = r.bank.Add(c.money(l, "amount"))
		}
		switch f := refunds[id]; {
		case f["executed_at"] == "":
			r.status = "missing_refund"
		case len(ls) > 1:
			r.status = "duplicate_refund_line"
			r.system = c.money(f, "amount").Neg()
		default:
			r.system = c.money(f, "amount").Neg()
		}
		rows[id] = r
	}
	for _, f := range ds.rows["refunds"] {
		if f["executed_at"] == "" || !refundable[f["txn_id"]] || byNumber[f["refund_id"]] != nil {
			continue
		}
		a := payment(f["txn_id"])
		a.refunds++
		a.system = a.system.Sub(c.money(f, "amount"))
		a.lastRefund = max(a.lastRefund, f["executed_at"][:10])
	}
	refundsInWindow := 0
	for txn, a := range byPayment {
		r := &recon{system: a.system, bank: a.bank}
		switch {
		case a.refunds == 0:
			r.status = "missing_refund"
		case a.bank.Equal(a.system):
			r.status = "matched"
		case a.lines < a.refunds && a.lastRefund >= window:
			refundsInWindow++
			continue
		case a.lines == 0:
			r.status = "missing_refund_line"
		case a.lines > a.refunds:
			r.status = "duplicate_refund_line"
		}
		rows["refund:"+txn] = r
	}

	out := map[string]recon{}
	for ref, r := range rows {
		if r.status == "" {
			r.status = "amount_mismatch"
			if r.bank.Equal(r.system) {
				r.status = "matched"
			}
		}
		out[ref] = *r
	}
	return out, inWindow, refundsInWindow
}

// checkManifest recomputes the manifest's ground truth from the files.
func checkManifest(t *testing.T, ds *dataset) {
	m := ds.m
	c := &checker{t: t, ds: ds}

	// Reconciliation.
	rows, inWindow, refundsInWindow := reconcileFiles(t, ds)
	if inWindow != len(m.Reconciliation.UnsettledInWindow) {
		t.Errorf("unsettled in window: %d, manifest %d", inWindow, len(m.Reconciliation.UnsettledInWindow))
	}
	if refundsInWindow != len(m.Reconciliation.RefundsInWindow) {
		t.Errorf("refunds in window: %d, manifest %d", refundsInWindow, len(m.Reconciliation.RefundsInWindow))
	}
	discrepancies := 0
	for _, r := range rows {
		if r.status != "matched" {
			discrepancies++
		}
	}
	if discrepancies != len(m.Reconciliation.Anomalies) || discrepancies != m.Reconciliation.Counts.Total {
		t.Errorf("%d discrepancies in the files, %d in the manifest", discrepancies, len(m.Reconciliation.Anomalies))
	}
	if len(rows) != m.Reconciliation.Expected.Rows || discrepancies != m.Reconciliation.Expected.Rows-m.Reconciliation.Expected.Matched {
		t.Errorf("%d reconciliation rows, manifest expects %+v", len(rows), m.Reconciliation.Expected)
	}
	perType := map[string]int{}
	resolved := map[string]bool{}
	for _, a := range m.Reconciliation.Anomalies {
		perType[a.Type]++
		r, ok := rows[a.Ref]
		if !ok {
			t.Errorf("anomaly %s %s: no such reconciliation row", a.Type, a.Ref)
			continue
		}
		if r.status != a.Status || money(r.bank.Sub(r.system)) != a.Diff || money(r.system) != a.SystemAmount || money(r.bank) != a.BankAmount {
			t.Errorf("anomaly %s %s: files give %s diff %s, manifest %s %s", a.Type, a.Ref, r.status, r.bank.Sub(r.system), a.Status, a.Diff)
		}
		if a.Resolved {
			resolved[a.Ref] = true
		}
		if a.Type == anCashShortfall && !strings.HasPrefix(a.Ref, "cash:") {
			t.Errorf("cash shortfall ref %s", a.Ref)
		}
	}
	counts := m.Reconciliation.Counts
	if perType[anAmountMismatch] != counts.AmountMismatch || perType[anMissingSettlement] != counts.MissingSettlement ||
		perType[anMissingPayment] != counts.MissingPayment || perType[anDuplicateSettlement] != counts.DuplicateSettlement ||
		perType[anCashShortfall] != counts.CashShortfall || perType[anMissingRefundLine] != counts.MissingRefundLine ||
		perType[anRefundMismatch] != counts.RefundAmountMismatch || perType[anMissingRefund] != counts.MissingRefund ||
		perType[anDuplicateRefundLine] != counts.DuplicateRefundLine || len(resolved) != counts.Resolved {
		t.Errorf("anomaly counts %+v, listed %v", counts, perType)
	}
	if len(ds.rows["resolutions"]) != len(resolved) {
		t.Errorf("%d resolutions, %d resolved anomalies", len(ds.rows["resolutions"]), len(resolved))
	}
	for _, r := range ds.rows["resolutions"] {
		if !resolved[r["ref"]] {
			t.Errorf("resolution of %s, which is not a resolved anomaly", r["ref"])
		}
	}
	for _, g := range m.Reconciliation.ChannelGroups {
		if r := rows[g.Ref]; r.status != "matched" || money(r.bank) != g.Amount {
			t.Errorf("batch %s: %+v", g.Ref, r)
		}
	}

	// Payments and voids.
	pays := map[string]map[string]string{}
	voided := 0
	for _, p := range ds.rows["payments"] {
		pays[p["txn_id"]] = p
		if p["status"] == "voided" {
			voided++
		}
	}
	if voided != m.Payments.Voided || len(m.Payments.Voids) != voided || len(ds.rows["payments"]) != m.Payments.Total {
		t.Errorf("voided %d, manifest %d", voided, m.Payments.Voided)
	}
	for _, v := range m.Payments.Voids {
		a, b := pays[v.Voided], pays[v.Replacement]
		if a["status"] != "voided" || b["status"] != "completed" || a["collector"] != b["collector"] || a["bill_id"] != b["bill_id"] || a["paid_at"] > b["paid_at"] {
			t.Errorf("void pair %+v: %v / %v", v, a, b)
		}
	}

	// Bills: outstanding and classification.
	executed := map[string]decimal.Decimal{}
	stages := map[string]int{}
	for _, r := range ds.rows["refunds"] {
		switch {
		case r["decision"] == "pending":
			stages["pending"]++
		case r["decision"] == "rejected":
			stages["rejected"]++
		case r["executed_at"] == "":
			stages["approved_not_executed"]++
		default:
			stages["executed"]++
			executed[r["txn_id"]] = executed[r["txn_id"]].Add(c.money(r, "amount"))
		}
	}
	if stages["pending"] != m.Refunds.Pending || stages["rejected"] != m.Refunds.Rejected ||
		stages["approved_not_executed"] != m.Refunds.ApprovedNotExecuted || stages["executed"] != m.Refunds.Executed {
		t.Errorf("refund stages %v, manifest %+v", stages, m.Refunds)
	}
	paid := map[string]decimal.Decimal{}
	npays := map[string]int{}
	for _, p := range ds.rows["payments"] {
		if p["status"] == "completed" && p["bill_id"] != "" {
			paid[p["bill_id"]] = paid[p["bill_id"]].Add(c.money(p, "amount").Sub(executed[p["txn_id"]]))
			npays[p["bill_id"]]++
		}
	}
	outstanding := decimal.Zero
	var unpaid []string
	perPeriod := map[string][2]decimal.Decimal{}
	for _, b := range ds.rows["bills"] {
		net := c.money(b, "amount_due").Sub(c.money(b, "discount"))
		outstanding = outstanding.Add(net.Sub(paid[b["bill_id"]]))
		if npays[b["bill_id"]] == 0 {
			unpaid = append(unpaid, b["bill_id"])
		}
		pp := perPeriod[b["period"]]
		perPeriod[b["period"]] = [2]decimal.Decimal{pp[0].Add(net), pp[1].Add(paid[b["bill_id"]])}
	}
	if money(outstanding) != m.Bills.OutstandingAtEnd || money(outstanding) != m.Totals.OutstandingAtEnd {
		t.Errorf("outstanding %s, manifest %s", outstanding, m.Bills.OutstandingAtEnd)
	}
	if !slices.Equal(unpaid, m.Bills.UnpaidIDs) {
		t.Errorf("%d unpaid bills, manifest lists %d", len(unpaid), len(m.Bills.UnpaidIDs))
	}
	b := m.Bills
	if b.PaidOnTime+b.PaidLate+b.PartiallyPaid+b.Unpaid != b.Total || b.Total != len(ds.rows["bills"]) ||
		len(b.LateIDs) != b.PaidLate || len(b.PartiallyPaidIDs) != b.PartiallyPaid {
		t.Errorf("bill classes do not add up: %+v", b.Total)
	}
	for _, p := range m.Periods {
		got := perPeriod[p.Period]
		if money(got[0]) != p.Billed || money(got[1]) != p.Collected {
			t.Errorf("period %s: billed %s collected %s, manifest %s %s", p.Period, got[0], got[1], p.Billed, p.Collected)
		}
	}

	// Invoices, exceptions, feedback.
	statuses := map[string]int{}
	reissues := 0
	for _, r := range ds.rows["invoices"] {
		statuses[r["status"]]++
		if r["reissue_of"] != "" {
			reissues++
		}
	}
	if statuses["lost"] != m.Invoices.Lost || statuses["damaged"] != m.Invoices.Damaged || statuses["void"] != m.Invoices.Void ||
		reissues != len(m.Invoices.Reissues) {
		t.Errorf("invoice statuses %v reissues %d, manifest %+v", statuses, reissues, m.Invoices.Total)
	}
	types := map[string]int{}
	escalated := 0
	for _, r := range ds.rows["exceptions"] {
		types[r["type"]]++
		if r["escalated"] == "true" {
			escalated++
		}
	}
	for _, bt := range m.Exceptions.ByType {
		if types[bt.Type] != bt.Count {
			t.Errorf("exceptions %s: %d, manifest %d", bt.Type, types[bt.Type], bt.Count)
		}
	}
	if escalated != m.Exceptions.Escalated {
		t.Errorf("escalated %d, manifest %d", escalated, m.Exceptions.Escalated)
	}
	if len(ds.rows["feedback"]) != m.Feedback.Responses {
		t.Errorf("feedback %d, manifest %d", len(ds.rows["feedback"]), m.Feedback.Responses)
	}
}

// checkCoverage checks that a full-size set has every kind of case.
func checkCoverage(t *testing.T, m *Manifest) {
	r := m.Refunds
	if r.Pending == 0 || r.Rejected == 0 || r.ApprovedNotExecuted == 0 || r.Executed == 0 || len(r.AskedAgainTxnIDs) == 0 || len(r.DuplicatePaymentIDs) == 0 {
		t.Errorf("refund stages missing: %+v", r)
	}
	b := m.Bills
	if b.PaidLate == 0 || b.PartiallyPaid == 0 || b.Unpaid == 0 || b.Early == 0 || b.Installments == 0 || b.OverpaidRefunded == 0 {
		t.Errorf("bill classes missing: late %d partial %d unpaid %d early %d installments %d duplicates %d",
			b.PaidLate, b.PartiallyPaid, b.Unpaid, b.Early, b.Installments, b.OverpaidRefunded)
	}
	i := m.Invoices
	if i.Lost == 0 || i.Damaged == 0 || i.Void == 0 || len(i.Reissues) == 0 || len(i.NotReissued) == 0 {
		t.Errorf("invoice cases missing: %+v", i.Total)
	}
	for _, e := range m.Exceptions.ByType {
		if e.Count == 0 || e.Escalated == 0 || e.Resolved == 0 {
			t.Errorf("exceptions of type %s: %+v", e.Type, e)
		}
	}
	if m.Payments.Voided == 0 || m.Payments.WalkInsWithoutCustomer == 0 || m.Payments.ChineseMethodWords == 0 || m.Payments.ThousandsSeparators == 0 {
		t.Errorf("payment cases missing: %+v", m.Payments.Total)
	}
	for _, mc := range m.Payments.ByMethod {
		if mc.Count == 0 {
			t.Errorf("no payment by %s", mc.Method)
		}
	}
	if len(m.Reconciliation.ChannelGroups) == 0 || m.Reconciliation.Expected.CashGroups == 0 {
		t.Errorf("no grouped settlement lines")
	}
	for _, s := range m.Feedback.ByScore {
		if s == 0 {
			t.Errorf("feedback scores: %v", m.Feedback.ByScore)
		}
	}
}

func checkActions(t *testing.T, m *Manifest) {
	if len(m.Actions) < 2 || len(m.Actions) > 3 {
		t.Fatalf("%d actions", len(m.Actions))
	}
	for _, a := range m.Actions {
		before, err1 := decimal.NewFromString(a.Before)
		after, err2 := decimal.NewFromString(a.After)
		if err1 != nil || err2 != nil {
			t.Errorf("action %s: before %q after %q", a.ActionID, a.Before, a.After)
			continue
		}
		if (a.Direction == "up") != after.GreaterThan(before) {
			t.Errorf("action %s (%s): %s -> %s, want %s", a.ActionID, a.Metric, a.Before, a.After, a.Direction)
		}
		if sd, _ := time.Parse(dateLayout, a.StartedOn); sd.Weekday() != time.Monday {
			t.Errorf("action %s starts on a %s", a.ActionID, sd.Weekday())
		}
	}
}

func TestSmallSet(t *testing.T) {
	dir, m := writeSet(t, smallConfig())
	ds := loadSet(t, dir, m)
	checkIntegrity(t, ds)
	checkManifest(t, ds)
	checkAnomalyTypes(t, m)
}

func checkAnomalyTypes(t *testing.T, m *Manifest) {
	c := m.Reconciliation.Counts
	for typ, n := range map[string]int{anAmountMismatch: c.AmountMismatch, anMissingSettlement: c.MissingSettlement,
		anMissingPayment: c.MissingPayment, anDuplicateSettlement: c.DuplicateSettlement, anCashShortfall: c.CashShortfall} {
		if n < 2 {
			t.Errorf("only %d anomalies of type %s", n, typ)
		}
	}
	// refund faults come from the few refunds paid back through channels
	for typ, n := range map[string]int{anMissingRefundLine: c.MissingRefundLine, anRefundMismatch: c.RefundAmountMismatch,
		anMissingRefund: c.MissingRefund, anDuplicateRefundLine: c.DuplicateRefundLine} {
		if n < 1 {
			t.Errorf("no anomaly of type %s", typ)
		}
	}
	if c.Resolved == 0 || c.Resolved == c.Total {
		t.Errorf("resolved %d of %d anomalies: want some, not all", c.Resolved, c.Total)
	}
}

// newYork is a zone whose clocks change twice a year.
var newYork = func() *time.Location {
	loc, err := time.LoadLocation("America/New_York")
	if err != nil {
		panic(err)
	}
	return loc
}()

// TestEdgeSets runs the checks on tiny and unusual configurations.
func TestEdgeSets(t *testing.T) {
	for _, cfg := range []Config{
		{Customers: 1, Months: 1, End: testEnd},
		{Customers: 4000, Months: 1, End: testEnd},                                            // more customers than units in an area: new buildings
		{Customers: 12, Months: 2, Seed: 3, End: time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)}, // leap February
		{Customers: 40, Months: 13, Seed: -5, End: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), Location: time.UTC},
		// clocks jump forward on 2026-03-08 and back on 2026-11-01: no
		// timestamp may name a local time that did not exist
		{Customers: 60, Months: 3, Seed: 3, End: time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC), Location: newYork},
		{Customers: 60, Months: 2, Seed: 3, End: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC), Location: newYork},
	} {
		dir, m := writeSet(t, cfg)
		ds := loadSet(t, dir, m)
		checkIntegrity(t, ds)
		checkManifest(t, ds)
		if cfg.Location == time.UTC && m.TimeZone != "UTC" {
			t.Errorf("time zone %s", m.TimeZone)
		}
	}
}

// TestDefaultSet generates the default data set (2000 customers, 18
// months), checks its size and runs every check on it.
func TestDefaultSet(t *testing.T) {
	if testing.Short() {
		t.Skip("default data set: skipped with -short")
	}
	start := time.Now()
	dir, m := writeSet(t, Config{End: testEnd})
	t.Logf("default set generated in %v", time.Since(start))
	rows := map[string]int{}
	for _, f := range m.Files {
		rows[f.Kind] += f.Rows
		t.Logf("%-24s %7d rows %9d bytes", f.File, f.Rows, f.Bytes)
	}
	if rows["bills"] < 50_000 || rows["bills"] > 100_000 || rows["payments"] < 50_000 || rows["payments"] > 110_000 {
		t.Errorf("sizes: %v", rows)
	}
	if m.FirstPeriod != "2025-05" || m.LastPeriod != "2026-10" {
		t.Errorf("periods %s..%s", m.FirstPeriod, m.LastPeriod)
	}
	checkActions(t, m)
	checkCoverage(t, m)
	checkAnomalyTypes(t, m)
	ds := loadSet(t, dir, m)
	checkIntegrity(t, ds)
	checkManifest(t, ds)
}
