package gen

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/traditionalchinese"
	"golang.org/x/text/transform"
)

// ManifestFile is the name of the manifest written beside the exports.
const ManifestFile = "manifest.json"

// fileSpec describes one export file and how to produce its rows.
type fileSpec struct {
	kind, file string
	encoding   string // utf-8 | big5 | gbk
	bom, crlf  bool
	header     []string
	columns    []string
	rows       func(emit func([]string) error) error
}

// write writes every file in upload order and the manifest.
func (w *world) write(ctx context.Context, dir string) (*Manifest, error) {
	m, err := w.manifest()
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("gen: %w", err)
	}
	for _, spec := range w.fileSpecs() {
		fi, err := writeCSV(ctx, dir, spec)
		if err != nil {
			return nil, err
		}
		m.Files = append(m.Files, fi)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(m); err != nil {
		return nil, fmt.Errorf("gen: manifest: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, ManifestFile), buf.Bytes(), 0o644); err != nil {
		return nil, fmt.Errorf("gen: %w", err)
	}
	return m, nil
}

// countingWriter counts the bytes written through it.
type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// writeCSV streams one file: header, then rows, encoded as the spec says.
func writeCSV(ctx context.Context, dir string, spec fileSpec) (FileInfo, error) {
	fi := FileInfo{Kind: spec.kind, File: spec.file, Format: "csv", Encoding: spec.encoding, BOM: spec.bom,
		LineEnding: "lf", Header: spec.header, Columns: spec.columns}
	if spec.crlf {
		fi.LineEnding = "crlf"
	}
	fail := func(err error) (FileInfo, error) { return fi, fmt.Errorf("gen: %s: %w", spec.file, err) }
	f, err := os.Create(filepath.Join(dir, spec.file))
	if err != nil {
		return fail(err)
	}
	defer f.Close()
	h := sha256.New()
	cw := &countingWriter{w: io.MultiWriter(f, h)}
	bw := bufio.NewWriterSize(cw, 1<<16)
	var out io.Writer = bw
	var tw *transform.Writer
	switch spec.encoding {
	case "big5":
		tw = transform.NewWriter(bw, traditionalchinese.Big5.NewEncoder())
		out = tw
	case "gbk":
		tw = transform.NewWriter(bw, simplifiedchinese.GB18030.NewEncoder())
		out = tw
	}
	if spec.bom {
		if _, err := bw.WriteString("\uFEFF"); err != nil {
			return fail(err)
		}
	}
	cv := csv.NewWriter(out)
	cv.UseCRLF = spec.crlf
	if err := cv.Write(spec.header); err != nil {
		return fail(err)
	}
	err = spec.rows(func(rec []string) error {
		fi.Rows++
		if fi.Rows%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		return cv.Write(rec)
	})
	if err != nil {
		return fail(err)
	}
	cv.Flush()
	if err := cv.Error(); err != nil {
		return fail(err)
	}
	if tw != nil {
		if err := tw.Close(); err != nil {
			return fail(err)
		}
	}
	if err := bw.Flush(); err != nil {
		return fail(err)
	}
	if err := f.Close(); err != nil {
		return fail(err)
	}
	fi.Bytes = cw.n
	fi.SHA256 = hex.EncodeToString(h.Sum(nil))
	return fi, nil
}

// English headers of the kinds written with their DESIGN.md column names.
var (
	feeItemColumns    = []string{"code", "name", "unit", "rate", "effective_from", "effective_to", "name_zh", "unit_zh"}
	customerColumns   = []string{"customer_id", "name", "unit", "area", "id_doc", "area_en"}
	customerHeader    = []string{"客戶編號", "姓名", "房號", "區域", "證件號碼", "區域英文名稱"}
	billColumns       = []string{"bill_id", "customer_id", "fee_item", "period", "amount_due", "discount", "due_date"}
	paymentColumns    = []string{"txn_id", "paid_at", "customer_id", "bill_id", "fee_item", "amount", "method", "collector", "receipt_no", "status"}
	settlementColumns = []string{"settlement_id", "channel", "txn_ref", "amount", "settled_at", "fee", "collector", "refund_ref"}
	settlementHeaderZ = []string{"结算编号", "渠道", "交易号", "金额", "结算时间", "手续费", "收费员", "退款单号"}
	refundColumns     = []string{"refund_id", "txn_id", "amount", "reason", "requested_at", "reviewed_at", "decision", "executed_at"}
	invoiceColumns    = []string{"invoice_no", "txn_id", "type", "issued_at", "status", "reissue_of"}
	exceptionColumns  = []string{"exception_id", "occurred_at", "customer_id", "bill_id", "type", "reason", "collector", "escalated", "resolved_at"}
	actionColumns     = []string{"action_id", "title", "problem", "owner", "started_on", "metric", "target", "title_zh"}
	feedbackColumns   = []string{"feedback_id", "received_at", "customer_id", "channel", "score", "category", "comment"}
	resolutionColumns = []string{"ref", "resolved_at", "resolution", "note", "resolved_by"}
)

// settlementFiles names the settlement file of each sf* index.
var settlementFiles = []string{"settlements_bank.csv", "settlements_card.csv", "settlements_wechat.csv", "settlements_alipay.csv"}

// fileSpecs lists the files in upload order.
func (w *world) fileSpecs() []fileSpec {
	cal := &w.cal
	tsOrEmpty := func(t ts) string {
		if t == noTime {
			return ""
		}
		return cal.fmtTS(t)
	}
	custID := func(ci int) string {
		if ci < 0 {
			return ""
		}
		return w.customers[ci].id
	}
	billID := func(bi int) string {
		if bi < 0 {
			return ""
		}
		return w.bills[bi].id
	}
	collector := func(c int) string {
		if c < 0 {
			return ""
		}
		return w.collectors[c]
	}
	specs := []fileSpec{
		{kind: "fee_items", file: "fee_items.csv", encoding: "utf-8", header: feeItemColumns, columns: feeItemColumns,
			rows: func(emit func([]string) error) error {
				from := w.feeEffectiveFrom()
				for _, f := range w.fees {
					if err := emit([]string{f.code, f.name, f.unit, money(f.rate), from, "", f.nameZH, f.unitZH}); err != nil {
						return err
					}
				}
				return nil
			}},
		{kind: "customers", file: "customers.csv", encoding: "big5", crlf: true, header: customerHeader, columns: customerColumns,
			rows: func(emit func([]string) error) error {
				rec := make([]string, 6)
				for i := range w.customers {
					c := &w.customers[i]
					rec[0], rec[1], rec[2], rec[3], rec[4], rec[5] = c.id, c.name, c.unit, areas[c.area], c.idDoc, areasEN[c.area]
					if err := emit(rec); err != nil {
						return err
					}
				}
				return nil
			}},
		{kind: "bills", file: "bills.csv", encoding: "utf-8", header: billColumns, columns: billColumns,
			rows: func(emit func([]string) error) error {
				rec := make([]string, 7)
				for i := range w.bills {
					b := &w.bills[i]
					rec[0], rec[1], rec[2], rec[3] = b.id, w.customers[b.cust].id, w.fees[b.fee].code, cal.period(b.month)
					rec[4], rec[5], rec[6] = money(b.amount), money(b.discount), cal.date(b.due)
					if err := emit(rec); err != nil {
						return err
					}
				}
				return nil
			}},
		{kind: "payments", file: "payments.csv", encoding: "utf-8", bom: true, header: paymentColumns, columns: paymentColumns,
			rows: func(emit func([]string) error) error {
				rec := make([]string, 10)
				for i := range w.pays {
					p := &w.pays[i]
					amount := money(p.amount)
					if p.sep {
						amount = thousands(p.amount)
					}
					method := methodWords[p.method]
					if p.zh {
						method = methodZh[p.method]
					}
					status := "completed"
					if p.voided {
						status = "voided"
					}
					rec[0], rec[1], rec[2], rec[3], rec[4] = p.id, cal.fmtTS(p.t), custID(p.cust), billID(p.bill), w.fees[p.fee].code
					rec[5], rec[6], rec[7], rec[8], rec[9] = amount, method, collector(p.collector), p.receipt, status
					if err := emit(rec); err != nil {
						return err
					}
				}
				return nil
			}},
	}
	for sf, name := range settlementFiles {
		spec := fileSpec{kind: "settlements", file: name, encoding: "utf-8", header: settlementColumns, columns: settlementColumns}
		words := channelWords
		if sf == sfBank {
			spec.encoding, spec.crlf, spec.header, words = "gbk", true, settlementHeaderZ, channelZh
		}
		spec.rows = func(emit func([]string) error) error {
			rec := make([]string, 8)
			for i := range w.lines {
				l := &w.lines[i]
				if settlementFileOf[l.channel] != sf {
					continue
				}
				rec[0], rec[1], rec[2], rec[3] = l.id, words[l.channel], l.txnRef, money(l.amount)
				rec[4], rec[5], rec[6], rec[7] = cal.fmtTS(l.t), money(l.fee), collector(l.collector), l.refundRef
				if err := emit(rec); err != nil {
					return err
				}
			}
			return nil
		}
		specs = append(specs, spec)
	}
	specs = append(specs,
		fileSpec{kind: "refunds", file: "refunds.csv", encoding: "utf-8", header: refundColumns, columns: refundColumns,
			rows: func(emit func([]string) error) error {
				rec := make([]string, 8)
				for i := range w.refunds {
					f := &w.refunds[i]
					rec[0], rec[1], rec[2], rec[3] = f.id, w.pays[f.pay].id, money(f.amount), f.reason
					rec[4], rec[5], rec[6], rec[7] = cal.fmtTS(f.req), tsOrEmpty(f.rev), f.decision, tsOrEmpty(f.exe)
					if err := emit(rec); err != nil {
						return err
					}
				}
				return nil
			}},
		fileSpec{kind: "invoices", file: "invoices.csv", encoding: "utf-8", header: invoiceColumns, columns: invoiceColumns,
			rows: func(emit func([]string) error) error {
				rec := make([]string, 6)
				for i := range w.docs {
					d := &w.docs[i]
					of := ""
					if d.reissueOf >= 0 {
						of = w.docs[d.reissueOf].no
					}
					rec[0], rec[1], rec[2], rec[3], rec[4], rec[5] = d.no, w.pays[d.pay].id, d.typ, cal.fmtTS(d.t), d.status, of
					if err := emit(rec); err != nil {
						return err
					}
				}
				return nil
			}},
		fileSpec{kind: "exceptions", file: "exceptions.csv", encoding: "utf-8", header: exceptionColumns, columns: exceptionColumns,
			rows: func(emit func([]string) error) error {
				rec := make([]string, 9)
				for i := range w.excs {
					e := &w.excs[i]
					esc := "false"
					if e.escalated {
						esc = "true"
					}
					rec[0], rec[1], rec[2], rec[3], rec[4] = e.id, cal.fmtTS(e.t), custID(e.cust), billID(e.bill), e.typ
					rec[5], rec[6], rec[7], rec[8] = e.reason, collector(e.collector), esc, tsOrEmpty(e.resolved)
					if err := emit(rec); err != nil {
						return err
					}
				}
				return nil
			}},
		fileSpec{kind: "actions", file: "actions.csv", encoding: "utf-8", header: actionColumns, columns: actionColumns,
			rows: func(emit func([]string) error) error {
				for _, a := range w.actions {
					if err := emit([]string{a.id, a.title, a.problem, a.owner, cal.date(a.start), a.metric, a.target, a.titleZH}); err != nil {
						return err
					}
				}
				return nil
			}},
		fileSpec{kind: "feedback", file: "feedback.csv", encoding: "utf-8", header: feedbackColumns, columns: feedbackColumns,
			rows: func(emit func([]string) error) error {
				rec := make([]string, 7)
				for i := range w.feedback {
					f := &w.feedback[i]
					rec[0], rec[1], rec[2], rec[3] = f.id, cal.fmtTS(f.t), custID(f.cust), f.channel
					rec[4], rec[5], rec[6] = itoa(f.score), f.category, f.comment
					if err := emit(rec); err != nil {
						return err
					}
				}
				return nil
			}},
		fileSpec{kind: "resolutions", file: "resolutions.csv", encoding: "utf-8", header: resolutionColumns, columns: resolutionColumns,
			rows: func(emit func([]string) error) error {
				for _, r := range w.resols {
					if err := emit([]string{r.ref, cal.fmtTS(r.t), r.resolution, r.note, r.by}); err != nil {
						return err
					}
				}
				return nil
			}},
	)
	return specs
}
