package gen

import (
	"fmt"
	"slices"

	"github.com/shopspring/decimal"
)

// Manifest describes a generated data set: the files written (in upload
// order) and the ground truth of everything injected into them. Amounts
// are decimal strings with two places, rates decimal strings with four,
// days "YYYY-MM-DD", local times "YYYY-MM-DD HH:MM:SS" in TimeZone.
type Manifest struct {
	// Generator names the generator and its output version.
	Generator string `json:"generator"`
	// Seed is the effective seed.
	Seed int64 `json:"seed"`
	// Customers is the effective number of customers.
	Customers int `json:"customers"`
	// Months is the effective number of billing months.
	Months int `json:"months"`
	// FirstPeriod is the first billing period (YYYY-MM).
	FirstPeriod string `json:"first_period"`
	// LastPeriod is the last billing period (YYYY-MM).
	LastPeriod string `json:"last_period"`
	// Start is the first day of the data.
	Start string `json:"start"`
	// End is the first day after the data (exclusive).
	End string `json:"end"`
	// AsOf is the last day of the data: the day the "at end" figures are taken.
	AsOf string `json:"as_of"`
	// TimeZone is the zone of every local timestamp: pass it as --tz.
	TimeZone string `json:"time_zone"`
	// Files lists every file written, in upload order.
	Files []FileInfo `json:"files"`
	// Conventions states how the expected outcomes were computed.
	Conventions Conventions `json:"conventions"`
	// Totals are whole-data sums.
	Totals Totals `json:"totals"`
	// Periods is the collection ground truth of each billing period.
	Periods []PeriodTruth `json:"periods"`
	// Bills classifies every bill by how it stands at the end of the data.
	Bills BillTruth `json:"bills"`
	// Aging is the arrears aging as of AsOf.
	Aging []AgingBucket `json:"aging"`
	// Payments is the payment ground truth (voids, duplicates, formats).
	Payments PaymentTruth `json:"payments"`
	// Reconciliation lists every injected discrepancy and the expected outcome.
	Reconciliation ReconTruth `json:"reconciliation"`
	// Refunds gives the refunds at each stage.
	Refunds RefundTruth `json:"refunds"`
	// Invoices gives the lost, damaged, void documents and the reissues.
	Invoices InvoiceTruth `json:"invoices"`
	// Exceptions counts exceptions by type.
	Exceptions ExceptionTruth `json:"exceptions"`
	// Feedback summarises the scores.
	Feedback FeedbackTruth `json:"feedback"`
	// Actions are the improvement actions and their intended effect.
	Actions []ActionTruth `json:"actions"`
}

// FileInfo is one written file.
type FileInfo struct {
	// Kind is the record kind to ingest the file as.
	Kind string `json:"kind"`
	// File is the file name inside the output directory.
	File string `json:"file"`
	// Format is "csv".
	Format string `json:"format"`
	// Encoding is "utf-8", "big5" or "gbk" (the --encoding word).
	Encoding string `json:"encoding"`
	// BOM is true when the file starts with a UTF-8 byte order mark.
	BOM bool `json:"bom"`
	// LineEnding is "lf" or "crlf".
	LineEnding string `json:"line_ending"`
	// Header is the header row as written.
	Header []string `json:"header"`
	// Columns are the DESIGN.md column names of Header, in the same order.
	Columns []string `json:"columns"`
	// Rows is the number of data rows (header excluded).
	Rows int `json:"rows"`
	// Bytes is the file size.
	Bytes int64 `json:"bytes"`
	// SHA256 is the hex digest of the file.
	SHA256 string `json:"sha256"`
}

// Conventions are the rules the expected outcomes follow; the analytics
// must implement the same to reproduce them.
type Conventions struct {
	// Timestamps explains how local times are written.
	Timestamps string `json:"timestamps"`
	// GroupRef is the format of a grouped line's reconciliation ref.
	GroupRef string `json:"group_ref"`
	// GroupDay says which day a group is of.
	GroupDay string `json:"group_day"`
	// Diff is the sign convention of a difference.
	Diff string `json:"diff"`
	// WindowDays is the reconciliation window in days.
	WindowDays int `json:"window_days"`
	// Window says which payments are inside the window at the end of the data.
	Window string `json:"window"`
	// Statuses explains how each status's row, ref and amounts were computed.
	Statuses string `json:"statuses"`
	// Collected is how collected, on-time and outstanding amounts were computed.
	Collected string `json:"collected"`
	// OnTime defines "paid by the due date".
	OnTime string `json:"on_time"`
	// Improvement is how the actions' before and after values were computed.
	Improvement string `json:"improvement"`
	// Values lists value spellings that differ from the DESIGN.md domain words.
	Values string `json:"values"`
	// Optional lists columns left empty on purpose.
	Optional string `json:"optional"`
}

// Totals are sums over the whole data set.
type Totals struct {
	// Billed is sum(amount_due - discount) of all bills.
	Billed string `json:"billed"`
	// Discounts is sum(discount).
	Discounts string `json:"discounts"`
	// Collected is completed bill payments less their executed refunds.
	Collected string `json:"collected"`
	// WalkInRevenue is completed payments with no bill (before refunds).
	WalkInRevenue string `json:"walk_in_revenue"`
	// RefundsExecuted is the sum of executed refunds.
	RefundsExecuted string `json:"refunds_executed"`
	// ProviderFees is the sum of settlements.fee.
	ProviderFees string `json:"provider_fees"`
	// Settled is the sum of settlements.amount.
	Settled string `json:"settled"`
	// OutstandingAtEnd is the arrears at the end of the data.
	OutstandingAtEnd string `json:"outstanding_at_end"`
}

// PeriodTruth is the expected collection of one billing period, as of the
// end of the data.
type PeriodTruth struct {
	// Period is the billing period (YYYY-MM).
	Period string `json:"period"`
	// Bills is the number of bills of the period.
	Bills int `json:"bills"`
	// Billed is sum(amount_due - discount).
	Billed string `json:"billed"`
	// Collected is completed payments linked to the bills less their executed refunds.
	Collected string `json:"collected"`
	// OnTimeCollected is the part of Collected paid by the due date.
	OnTimeCollected string `json:"on_time_collected"`
	// Outstanding is Billed - Collected.
	Outstanding string `json:"outstanding"`
	// HouseholdsBilled is the number of customers with a bill in the period.
	HouseholdsBilled int `json:"households_billed"`
	// HouseholdsFullyPaid is the number of them with every bill of the period fully paid.
	HouseholdsFullyPaid int `json:"households_fully_paid"`
}

// BillTruth classifies bills as they stand at the end of the data. PaidOnTime,
// PaidLate, PartiallyPaid and Unpaid partition all bills; Early,
// Installments and OverpaidRefunded are tags across them.
type BillTruth struct {
	// Total is the number of bills.
	Total int `json:"total"`
	// Discounted is the number of bills with a discount.
	Discounted int `json:"discounted"`
	// PaidOnTime: fully paid by the due date.
	PaidOnTime int `json:"paid_on_time"`
	// PaidLate: fully paid after the due date.
	PaidLate int `json:"paid_late"`
	// PartiallyPaid: something paid, something still outstanding.
	PartiallyPaid int `json:"partially_paid"`
	// Unpaid: nothing paid.
	Unpaid int `json:"unpaid"`
	// Early: first paid before the period's first day.
	Early int `json:"early"`
	// Installments: the first payment was less than the bill (partial payment).
	Installments int `json:"installments"`
	// OverpaidRefunded: paid twice, the duplicate refunded in full.
	OverpaidRefunded int `json:"overpaid_refunded"`
	// OutstandingAtEnd is sum(amount_due - discount - collected) over all bills.
	OutstandingAtEnd string `json:"outstanding_at_end"`
	// LateIDs are the bill_ids counted in PaidLate.
	LateIDs []string `json:"late_ids"`
	// PartiallyPaidIDs are the bill_ids counted in PartiallyPaid.
	PartiallyPaidIDs []string `json:"partially_paid_ids"`
	// UnpaidIDs are the bill_ids counted in Unpaid.
	UnpaidIDs []string `json:"unpaid_ids"`
	// EarlyIDs are the bill_ids counted in Early.
	EarlyIDs []string `json:"early_ids"`
	// InstallmentIDs are the bill_ids counted in Installments.
	InstallmentIDs []string `json:"installment_ids"`
	// OverpaidRefundedIDs are the bill_ids counted in OverpaidRefunded.
	OverpaidRefundedIDs []string `json:"overpaid_refunded_ids"`
}

// AgingBucket is one line of arrears_aging(as_of) at the end of the data.
type AgingBucket struct {
	// Bucket is not_due, 1-30, 31-60, 61-90, 91-120 or 120+ (days past due as of AsOf).
	Bucket string `json:"bucket"`
	// Bills is the number of bills with something outstanding in the bucket.
	Bills int `json:"bills"`
	// Outstanding is their outstanding amount.
	Outstanding string `json:"outstanding"`
}

// PaymentTruth describes the payments.
type PaymentTruth struct {
	// Total is the number of rows of payments.csv.
	Total int `json:"total"`
	// Completed is the number of completed payments.
	Completed int `json:"completed"`
	// Voided is the number of voided payments.
	Voided int `json:"voided"`
	// BillPayments are completed payments with a bill (duplicates included).
	BillPayments int `json:"bill_payments"`
	// WalkIns are completed payments with no bill.
	WalkIns int `json:"walk_ins"`
	// WalkInsWithoutCustomer are walk-ins by visitors (customer_id empty).
	WalkInsWithoutCustomer int `json:"walk_ins_without_customer"`
	// ByMethod counts all rows (voided included) by canonical method.
	ByMethod []MethodCount `json:"by_method"`
	// ChineseMethodWords is the number of rows whose method is a Chinese word.
	ChineseMethodWords int `json:"chinese_method_words"`
	// ThousandsSeparators is the number of rows whose amount has them.
	ThousandsSeparators int `json:"thousands_separators"`
	// Voids pairs each voided entry with its replacement.
	Voids []VoidPair `json:"voids"`
	// DuplicateTxnIDs are second payments of an already paid bill.
	DuplicateTxnIDs []string `json:"duplicate_txn_ids"`
}

// MethodCount counts payments of one method.
type MethodCount struct {
	// Method is the canonical method word.
	Method string `json:"method"`
	// Count is the number of rows (voided included).
	Count int `json:"count"`
}

// VoidPair is an operator error: the voided entry and the payment entered
// again after it.
type VoidPair struct {
	// Voided is the txn_id of the voided entry.
	Voided string `json:"voided"`
	// Replacement is the txn_id of the payment entered again.
	Replacement string `json:"replacement"`
	// Collector keyed both.
	Collector string `json:"collector"`
	// Day is the local day of the error.
	Day string `json:"day"`
	// Error is what was keyed wrong.
	Error string `json:"error"`
}

// ReconTruth is the expected reconciliation.
type ReconTruth struct {
	// Counts counts the injected anomalies by type.
	Counts AnomalyCounts `json:"counts"`
	// Anomalies are the injected discrepancies, by type then day.
	Anomalies []Anomaly `json:"anomalies"`
	// Expected is the whole reconciliation recomputed from the files.
	Expected ReconSummary `json:"expected"`
	// UnsettledInWindow are completed non-cash payments of the last days
	// that no line names yet: not discrepancies.
	UnsettledInWindow []string `json:"unsettled_in_window"`
	// RefundsInWindow are the refs (refund:TXN_ID) of executed refunds of the
	// last days that no channel refund line pays back yet: not discrepancies.
	RefundsInWindow []string `json:"refunds_in_window"`
	// ChannelGroups are the card and WeChat batch lines (txn_ref empty).
	ChannelGroups []GroupTruth `json:"channel_groups"`
}

// AnomalyCounts counts injected anomalies by type.
type AnomalyCounts struct {
	// AmountMismatch counts one-to-one lines whose amount differs from the payment.
	AmountMismatch int `json:"amount_mismatch"`
	// MissingSettlement counts completed non-cash payments no line settles.
	MissingSettlement int `json:"missing_settlement"`
	// MissingPayment counts lines whose txn_ref names no payment.
	MissingPayment int `json:"missing_payment"`
	// DuplicateSettlement counts payments settled by two lines.
	DuplicateSettlement int `json:"duplicate_settlement"`
	// CashShortfall counts cash deposits below the collector's cash of the day.
	CashShortfall int `json:"cash_shortfall"`
	// MissingRefundLine counts executed refunds no channel refund line pays back.
	MissingRefundLine int `json:"missing_refund_line"`
	// RefundAmountMismatch counts refund lines of another amount than the refund.
	RefundAmountMismatch int `json:"refund_amount_mismatch"`
	// MissingRefund counts refund lines paying back a payment feeflow never refunded.
	MissingRefund int `json:"missing_refund"`
	// DuplicateRefundLine counts refunds paid back by two lines.
	DuplicateRefundLine int `json:"duplicate_refund_line"`
	// Total is the sum of the above.
	Total int `json:"total"`
	// Resolved counts those with a resolutions.csv row.
	Resolved int `json:"resolved"`
}

// Anomaly is one injected discrepancy and its expected reconciliation row.
type Anomaly struct {
	// Type is amount_mismatch, missing_settlement, missing_payment,
	// duplicate_settlement, cash_shortfall, missing_refund_line,
	// refund_amount_mismatch, missing_refund or duplicate_refund_line.
	Type string `json:"type"`
	// Ref is the reconciliation ref: a txn_id, a settlement_id, a group ref,
	// a refund_id or refund:TXN_ID.
	Ref string `json:"ref"`
	// Source is payment, settlement, group or refund.
	Source string `json:"source"`
	// Status is the expected reconciliation status.
	Status string `json:"status"`
	// Day is the payment's (or group's) local day; for missing_payment the line's settled day;
	// for refund types the refund's execution day (missing_refund: the line's settled day).
	Day string `json:"day"`
	// Channel is the settlement channel.
	Channel string `json:"channel"`
	// Collector is set for cash shortfalls.
	Collector string `json:"collector,omitempty"`
	// SystemAmount is the sum of the row's completed payments (0.00 when none);
	// for refund types minus the row's executed refunds.
	SystemAmount string `json:"system_amount"`
	// BankAmount is the sum of the row's settlement lines (0.00 when none;
	// negative for refund lines).
	BankAmount string `json:"bank_amount"`
	// Diff is bank - system.
	Diff string `json:"diff"`
	// SettlementIDs are the lines involved (none for missing_settlement).
	SettlementIDs []string `json:"settlement_ids,omitempty"`
	// Cause is the story behind it.
	Cause string `json:"cause"`
	// Resolved is true when resolutions.csv has a row for Ref.
	Resolved bool `json:"resolved"`
	// Resolution is that row's resolution.
	Resolution string `json:"resolution,omitempty"`
	// ResolvedAt is that row's resolved_at.
	ResolvedAt string `json:"resolved_at,omitempty"`
}

// ReconSummary counts the expected reconciliation rows by status and source.
type ReconSummary struct {
	// Rows is the number of reconciliation rows.
	Rows int `json:"rows"`
	// Matched counts rows with status matched.
	Matched int `json:"matched"`
	// AmountMismatch counts rows with status amount_mismatch (cash shortfalls included).
	AmountMismatch int `json:"amount_mismatch"`
	// MissingSettlement counts rows with status missing_settlement.
	MissingSettlement int `json:"missing_settlement"`
	// MissingPayment counts rows with status missing_payment.
	MissingPayment int `json:"missing_payment"`
	// DuplicateSettlement counts rows with status duplicate_settlement.
	DuplicateSettlement int `json:"duplicate_settlement"`
	// MissingRefundLine counts rows with status missing_refund_line.
	MissingRefundLine int `json:"missing_refund_line"`
	// MissingRefund counts rows with status missing_refund.
	MissingRefund int `json:"missing_refund"`
	// DuplicateRefundLine counts rows with status duplicate_refund_line.
	DuplicateRefundLine int `json:"duplicate_refund_line"`
	// PaymentRows are rows of one payment (settled one-to-one or missing).
	PaymentRows int `json:"payment_rows"`
	// SettlementRows are lines that name no payment.
	SettlementRows int `json:"settlement_rows"`
	// GroupRows are cash deposits and batch lines.
	GroupRows int `json:"group_rows"`
	// RefundRows are rows of refunds and refund lines (by refund_id or refund:TXN_ID).
	RefundRows int `json:"refund_rows"`
	// CashGroups are the cash-deposit groups among GroupRows.
	CashGroups int `json:"cash_groups"`
	// GroupedPayments are the payments settled through groups.
	GroupedPayments int `json:"grouped_payments"`
	// DiscrepancyAmount is the sum of |diff| over the rows not matched.
	DiscrepancyAmount string `json:"discrepancy_amount"`
}

// GroupTruth is one batch line and what it settles.
type GroupTruth struct {
	// Ref is the group ref, e.g. card:*:2026-09-29.
	Ref string `json:"ref"`
	// SettlementID is the batch line.
	SettlementID string `json:"settlement_id"`
	// Payments is the number of payments it settles.
	Payments int `json:"payments"`
	// Amount is their total (and the line's amount).
	Amount string `json:"amount"`
	// Status is the expected status (matched).
	Status string `json:"status"`
}

// RefundTruth gives the refunds by stage at the end of the data.
type RefundTruth struct {
	// Total is the number of refunds.
	Total int `json:"total"`
	// Pending: requested, not reviewed.
	Pending int `json:"pending"`
	// Rejected: reviewed and rejected.
	Rejected int `json:"rejected"`
	// ApprovedNotExecuted: approved, not paid out yet.
	ApprovedNotExecuted int `json:"approved_not_executed"`
	// Executed: approved and paid out.
	Executed int `json:"executed"`
	// ExecutedAmount is the sum of executed refunds.
	ExecutedAmount string `json:"executed_amount"`
	// PendingIDs are the refund_ids counted in Pending.
	PendingIDs []string `json:"pending_ids"`
	// RejectedIDs are the refund_ids counted in Rejected.
	RejectedIDs []string `json:"rejected_ids"`
	// ApprovedNotExecutedIDs are the refund_ids counted in ApprovedNotExecuted.
	ApprovedNotExecutedIDs []string `json:"approved_not_executed_ids"`
	// ExecutedIDs are the refund_ids counted in Executed.
	ExecutedIDs []string `json:"executed_ids"`
	// DuplicatePaymentIDs are the refunds of duplicate payments.
	DuplicatePaymentIDs []string `json:"duplicate_payment_ids"`
	// AskedAgainTxnIDs are payments with a rejected refund and a later one.
	AskedAgainTxnIDs []string `json:"asked_again_txn_ids"`
}

// InvoiceTruth gives the documents by status and the reissues.
type InvoiceTruth struct {
	// Total is the number of rows of invoices.csv.
	Total int `json:"total"`
	// Invoices counts type invoice.
	Invoices int `json:"invoices"`
	// Receipts counts type receipt.
	Receipts int `json:"receipts"`
	// Issued counts status issued.
	Issued int `json:"issued"`
	// Lost counts status lost.
	Lost int `json:"lost"`
	// Damaged counts status damaged.
	Damaged int `json:"damaged"`
	// Void counts status void (voided or fully refunded payments).
	Void int `json:"void"`
	// Reissues pairs each reissued document with the one it replaces.
	Reissues []Reissue `json:"reissues"`
	// NotReissued are lost or damaged documents without a reissue.
	NotReissued []string `json:"not_reissued"`
}

// Reissue is a document issued again.
type Reissue struct {
	// InvoiceNo is the new document.
	InvoiceNo string `json:"invoice_no"`
	// ReissueOf is the document it replaces.
	ReissueOf string `json:"reissue_of"`
	// Why is the original's status: lost or damaged.
	Why string `json:"why"`
}

// ExceptionTruth counts exceptions.
type ExceptionTruth struct {
	// Total is the number of exceptions.
	Total int `json:"total"`
	// Escalated counts escalated = true.
	Escalated int `json:"escalated"`
	// Resolved counts those with resolved_at.
	Resolved int `json:"resolved"`
	// ByType counts by exceptions.type in domain order.
	ByType []ExceptionCount `json:"by_type"`
	// RefusalIDs are the exception ids of refusals.
	RefusalIDs []string `json:"refusal_ids"`
}

// ExceptionCount counts the exceptions of one type.
type ExceptionCount struct {
	// Type is the exceptions.type word.
	Type string `json:"type"`
	// Count is the number of exceptions of the type.
	Count int `json:"count"`
	// Escalated counts the escalated ones.
	Escalated int `json:"escalated"`
	// Resolved counts the resolved ones.
	Resolved int `json:"resolved"`
}

// FeedbackTruth summarises feedback.
type FeedbackTruth struct {
	// Responses is the number of feedback rows.
	Responses int `json:"responses"`
	// ByScore counts scores 1..5.
	ByScore []int `json:"by_score"`
	// AvgScore is the mean score over all rows.
	AvgScore string `json:"avg_score"`
}

// ActionTruth is an improvement action and the effect given to it.
type ActionTruth struct {
	// ActionID is the actions.csv key.
	ActionID string `json:"action_id"`
	// Title is the action's title.
	Title string `json:"title"`
	// Owner is the person responsible.
	Owner string `json:"owner"`
	// Problem is the actions.problem word.
	Problem string `json:"problem"`
	// Metric is the metric the action should move.
	Metric string `json:"metric"`
	// StartedOn is the start date (a Monday).
	StartedOn string `json:"started_on"`
	// Target is the metric's target.
	Target string `json:"target"`
	// Direction is the intended change of the metric: up or down.
	Direction string `json:"direction"`
	// Effect is how the generator changed the data from StartedOn on.
	Effect string `json:"effect"`
	// BeforeFrom is the first day of the before window.
	BeforeFrom string `json:"before_from"`
	// BeforeTo is the last day of the before window (the day before StartedOn).
	BeforeTo string `json:"before_to"`
	// AfterFrom is the first day of the after window (StartedOn).
	AfterFrom string `json:"after_from"`
	// AfterTo is the last day of the after window.
	AfterTo string `json:"after_to"`
	// Before is the metric pooled over the before window; empty when it holds nothing.
	Before string `json:"before"`
	// After is the metric pooled over the after window; empty when it holds nothing.
	After string `json:"after"`
	// BeforeN is the before window's denominator (payments, bills or responses).
	BeforeN int `json:"before_n"`
	// AfterN is the after window's denominator.
	AfterN int `json:"after_n"`
	// Definition says how Before and After were computed.
	Definition string `json:"definition"`
}

// ratio is a/b with four places, "" when b is 0.
func ratio(a, b decimal.Decimal) string {
	if b.IsZero() {
		return ""
	}
	return a.DivRound(b, 8).StringFixed(4)
}

func dec(n int) decimal.Decimal { return decimal.NewFromInt(int64(n)) }

// manifest builds the ground truth from the generated records.
func (w *world) manifest() (*Manifest, error) {
	cal := &w.cal
	m := &Manifest{
		Generator:   "feeflow/gen 1",
		Seed:        w.cfg.Seed,
		Customers:   w.cfg.Customers,
		Months:      w.cfg.Months,
		FirstPeriod: cal.period(0),
		LastPeriod:  cal.period(cal.months - 1),
		Start:       cal.dates[0],
		End:         cal.end.Format(dateLayout),
		AsOf:        cal.dates[cal.nDays-1],
		TimeZone:    w.cfg.Location.String(),
	}
	m.Conventions = Conventions{
		Timestamps: "local wall-clock time in time_zone, written \"YYYY-MM-DD HH:MM:SS\" without an offset; dates \"YYYY-MM-DD\", periods \"YYYY-MM\"; money with exactly 2 decimals (payments.csv sometimes \"1,250.50\")",
		GroupRef:   "CHANNEL:COLLECTOR:YYYY-MM-DD where CHANNEL is the settlement channel word except cash_deposit, written cash; COLLECTOR is the deposit's collector, * when the line has none; e.g. cash:Wang:2026-09-29, card:*:2026-09-29",
		GroupDay:   "the payments' local day (date of paid_at); every grouped line (txn_ref empty) is settled on that same local day (cash deposits 17:50-19:00, card/WeChat batches 23:30-23:59), so the line's settled_at date gives the same day; a card/WeChat batch day has no one-to-one line for that channel's payments of the day",
		Diff:       "diff = bank - system: bank = sum of the lines of the row, system = sum of the completed payments of the row; an absent side counts as 0.00",
		WindowDays: reconWindowDays,
		Window: fmt.Sprintf("one-to-one lines settle 0-2 days after the payment and no line is dated on or after end, so completed non-cash payments of the last 2 days may have no line yet: they are listed in unsettled_in_window and are not discrepancies; "+
			"no anomaly is injected in the last %d days, so any window of 2 to %d days gives the same statuses", anomalyQuietDays, anomalyQuietDays-1),
		Statuses: "one row per completed bank_transfer/card/wechat/alipay payment named by a line (ref txn_id): 1 line equal -> matched, 1 line different -> amount_mismatch, 2+ lines -> duplicate_settlement (ref txn_id, bank = sum of both lines, diff = +amount); " +
			"a completed non-cash payment named by no line and in no group, older than the window -> missing_settlement (ref txn_id, bank 0.00, diff = -amount); " +
			"a line whose txn_ref names no payment -> missing_payment (ref settlement_id, system 0.00, diff = +amount, day = its settled day); " +
			"one row per group (ref = group ref): cash_deposit line vs that collector's completed cash payments of the day, card/WeChat batch line vs that channel's completed payments of the day named by no line; equal -> matched, else amount_mismatch (a cash shortfall has a negative diff); " +
			"voided payments and method other are not reconciled; payments settled through a group have no row of their own; " +
			"refund lines (negative amount) never settle payments: an executed refund of a completed bank_transfer/card/wechat/alipay payment is paid back by one line naming the payment (txn_ref) 0-2 days after its execution, with refund_ref = refund_id on WeChat Pay and Alipay statements and none on bank and card ones; " +
			"a refund named by a line's refund_ref has a row of its own (ref refund_id, source refund, day = its execution day, system = -refund, bank = its lines: 1 equal -> matched, 1 different -> amount_mismatch, 2+ -> duplicate_refund_line); " +
			"the other executed refunds and refund lines of a payment are compared as sums (ref refund:TXN_ID, day = the latest execution day, else the first line's day): no line once the window has passed -> missing_refund_line (bank 0.00, diff = +refund), no executed refund -> missing_refund (system 0.00, diff = the lines), more lines than refunds -> duplicate_refund_line, other amount -> amount_mismatch; " +
			"executed refunds of the last days whose line has not come yet are listed in refunds_in_window and are not discrepancies; cash and other payments are refunded at the counter and expect no line",
		Collected: "collected = completed payments linked to a bill less the executed refunds of those payments; outstanding = amount_due - discount - collected; refunds are executed only for duplicate payments and walk-ins, so no bill is left overpaid or reopened by a refund at the end of the data",
		OnTime:    "a payment is on time when the local date of paid_at <= due_date; a bill is paid on time when the payment that completed it is",
		Improvement: "before = the 56 days before started_on, after = started_on and the 55 days after it (cut at the end of the data); values are pooled over the window: errors_per_1000 = voided / all payments by paid_at x 1000; " +
			"on_time_rate = bills due in the window paid on time / bills due in the window; avg_score = mean score of feedback received in the window",
		Values:   "payments.method mixes English words with 現金 (cash), 刷卡 (card), 銀行轉賬 (bank_transfer), 微信 (wechat), 支付寶 (alipay); settlements_bank.csv writes channels 银行 (bank) and 现金存款 (cash_deposit); customers.area is Traditional Chinese (東區, 西區, 南區, 北區, 中區)",
		Optional: "payments.customer_id is empty for visitors' day passes; payments.bill_id is empty for walk-ins; payments.collector is empty for online payments (bank transfers, WeChat/Alipay paid online); settlements.txn_ref is empty for grouped lines, settlements.collector set only for cash deposits, settlements.refund_ref set only on WeChat Pay and Alipay refund lines; exceptions.bill_id empty for frauds on walk-ins, exceptions.collector empty for disputes",
	}

	st := w.billStates()
	executed := make([]decimal.Decimal, len(w.pays))
	for _, f := range w.refunds {
		if f.stage() == "executed" {
			executed[f.pay] = executed[f.pay].Add(f.amount)
		}
	}

	// Bills and periods.
	type perAcc struct {
		bills                       int
		billed, collected, onTime   decimal.Decimal
		households, fullyPaid, seen int
	}
	per := make([]perAcc, cal.months)
	collected := make([]decimal.Decimal, len(w.bills))
	for pi := range w.pays {
		p := &w.pays[pi]
		if p.voided || p.bill < 0 {
			continue
		}
		net := p.amount.Sub(executed[pi])
		collected[p.bill] = collected[p.bill].Add(net)
		b := &w.bills[p.bill]
		if p.t.dayOf() <= b.due {
			per[b.month].onTime = per[b.month].onTime.Add(net)
		}
	}
	bt := &m.Bills
	outstanding := decimal.Zero
	discounts := decimal.Zero
	asOf := cal.nDays - 1
	bucketNames := []string{"not_due", "1-30", "31-60", "61-90", "91-120", "120+"}
	aging := make([]AgingBucket, len(bucketNames))
	agingSum := make([]decimal.Decimal, len(bucketNames))
	custPeriodOpen := make([]int, len(w.customers)) // last period seen +1, for households
	custPeriodPaid := make([]bool, len(w.customers))
	flushHousehold := func(k int) {
		for ci := range w.customers {
			if custPeriodOpen[ci] == k+1 {
				per[k].households++
				if custPeriodPaid[ci] {
					per[k].fullyPaid++
				}
			}
		}
	}
	for bi := range w.bills {
		b := &w.bills[bi]
		s := &st[bi]
		if bi > 0 && w.bills[bi-1].month != b.month {
			flushHousehold(w.bills[bi-1].month)
		}
		net := b.net()
		per[b.month].bills++
		per[b.month].billed = per[b.month].billed.Add(net)
		per[b.month].collected = per[b.month].collected.Add(collected[bi])
		bt.Total++
		if b.discount.IsPositive() {
			bt.Discounted++
			discounts = discounts.Add(b.discount)
		}
		out := net.Sub(collected[bi])
		if out.IsNegative() {
			return nil, fmt.Errorf("gen: internal: bill %s overpaid at the end of the data", b.id)
		}
		outstanding = outstanding.Add(out)
		if custPeriodOpen[b.cust] != b.month+1 {
			custPeriodOpen[b.cust] = b.month + 1
			custPeriodPaid[b.cust] = true
		}
		if out.IsPositive() {
			custPeriodPaid[b.cust] = false
			k := 0
			switch late := asOf - b.due; {
			case late <= 0:
				k = 0
			case late <= 30:
				k = 1
			case late <= 60:
				k = 2
			case late <= 90:
				k = 3
			case late <= 120:
				k = 4
			default:
				k = 5
			}
			aging[k].Bills++
			agingSum[k] = agingSum[k].Add(out)
		}
		switch {
		case s.nPays == 0:
			bt.Unpaid++
			bt.UnpaidIDs = append(bt.UnpaidIDs, b.id)
		case out.IsPositive():
			bt.PartiallyPaid++
			bt.PartiallyPaidIDs = append(bt.PartiallyPaidIDs, b.id)
		case s.full.dayOf() <= b.due:
			bt.PaidOnTime++
		default:
			bt.PaidLate++
			bt.LateIDs = append(bt.LateIDs, b.id)
		}
		if s.first != noTime && s.first.dayOf() < cal.monthStart[b.month] {
			bt.Early++
			bt.EarlyIDs = append(bt.EarlyIDs, b.id)
		}
	}
	if len(w.bills) > 0 {
		flushHousehold(w.bills[len(w.bills)-1].month)
	}
	// Installments and duplicates need the first payment of each bill.
	seenFirst := make([]bool, len(w.bills))
	for pi := range w.pays {
		p := &w.pays[pi]
		if p.voided || p.bill < 0 {
			continue
		}
		if !seenFirst[p.bill] {
			seenFirst[p.bill] = true
			if p.amount.LessThan(w.bills[p.bill].net()) {
				bt.Installments++
				bt.InstallmentIDs = append(bt.InstallmentIDs, w.bills[p.bill].id)
			}
		}
		if p.kind == payDuplicate {
			bt.OverpaidRefunded++
			bt.OverpaidRefundedIDs = append(bt.OverpaidRefundedIDs, w.bills[p.bill].id)
		}
	}
	bt.OutstandingAtEnd = money(outstanding)
	for k := range aging {
		aging[k].Bucket = bucketNames[k]
		aging[k].Outstanding = money(agingSum[k])
	}
	m.Aging = aging
	totalBilled, totalCollected := decimal.Zero, decimal.Zero
	for k := range per {
		a := &per[k]
		m.Periods = append(m.Periods, PeriodTruth{
			Period: cal.period(k), Bills: a.bills, Billed: money(a.billed), Collected: money(a.collected),
			OnTimeCollected: money(a.onTime), Outstanding: money(a.billed.Sub(a.collected)),
			HouseholdsBilled: a.households, HouseholdsFullyPaid: a.fullyPaid,
		})
		totalBilled = totalBilled.Add(a.billed)
		totalCollected = totalCollected.Add(a.collected)
	}

	// Payments.
	pt := &m.Payments
	methodCounts := make([]int, len(methodWords))
	walkIn := decimal.Zero
	for pi := range w.pays {
		p := &w.pays[pi]
		pt.Total++
		methodCounts[p.method]++
		if p.zh {
			pt.ChineseMethodWords++
		}
		if p.sep {
			pt.ThousandsSeparators++
		}
		if p.voided {
			pt.Voided++
			r := &w.pays[p.pairSeq]
			pt.Voids = append(pt.Voids, VoidPair{Voided: p.id, Replacement: r.id, Collector: w.collectors[p.collector], Day: cal.dates[p.t.dayOf()], Error: p.voidError})
			continue
		}
		pt.Completed++
		if p.bill >= 0 {
			pt.BillPayments++
		} else {
			pt.WalkIns++
			walkIn = walkIn.Add(p.amount)
			if p.cust < 0 {
				pt.WalkInsWithoutCustomer++
			}
		}
		if p.kind == payDuplicate {
			pt.DuplicateTxnIDs = append(pt.DuplicateTxnIDs, p.id)
		}
	}
	for i, n := range methodCounts {
		pt.ByMethod = append(pt.ByMethod, MethodCount{Method: methodWords[i], Count: n})
	}

	// Refunds.
	rt := &m.Refunds
	refundsExecuted := decimal.Zero
	for i := range w.refunds {
		f := &w.refunds[i]
		rt.Total++
		switch f.stage() {
		case "pending":
			rt.Pending++
			rt.PendingIDs = append(rt.PendingIDs, f.id)
		case "rejected":
			rt.Rejected++
			rt.RejectedIDs = append(rt.RejectedIDs, f.id)
		case "approved_not_executed":
			rt.ApprovedNotExecuted++
			rt.ApprovedNotExecutedIDs = append(rt.ApprovedNotExecutedIDs, f.id)
		default:
			rt.Executed++
			rt.ExecutedIDs = append(rt.ExecutedIDs, f.id)
			refundsExecuted = refundsExecuted.Add(f.amount)
		}
		if f.origin == refDuplicate {
			rt.DuplicatePaymentIDs = append(rt.DuplicatePaymentIDs, f.id)
		}
	}
	rt.ExecutedAmount = money(refundsExecuted)
	perPay := make([]int, len(w.pays))
	for i := range w.refunds {
		perPay[w.refunds[i].pay]++
	}
	for pi, n := range perPay {
		if n > 1 {
			rt.AskedAgainTxnIDs = append(rt.AskedAgainTxnIDs, w.pays[pi].id)
		}
	}

	// Invoices.
	it := &m.Invoices
	reissued := make([]bool, len(w.docs))
	for i := range w.docs {
		if d := &w.docs[i]; d.reissueOf >= 0 {
			reissued[d.reissueOf] = true
		}
	}
	for i := range w.docs {
		d := &w.docs[i]
		it.Total++
		if d.typ == "invoice" {
			it.Invoices++
		} else {
			it.Receipts++
		}
		switch d.status {
		case "issued":
			it.Issued++
		case "lost":
			it.Lost++
		case "damaged":
			it.Damaged++
		case "void":
			it.Void++
		}
		if d.reissueOf >= 0 {
			o := &w.docs[d.reissueOf]
			it.Reissues = append(it.Reissues, Reissue{InvoiceNo: d.no, ReissueOf: o.no, Why: o.status})
		}
		if (d.status == "lost" || d.status == "damaged") && !reissued[i] {
			it.NotReissued = append(it.NotReissued, d.no)
		}
	}

	// Exceptions.
	et := &m.Exceptions
	excTypes := []string{"cannot_pay", "refused", "dispute", "fraud"}
	for _, t := range excTypes {
		et.ByType = append(et.ByType, ExceptionCount{Type: t})
	}
	for i := range w.excs {
		e := &w.excs[i]
		k := slices.Index(excTypes, e.typ)
		et.Total++
		et.ByType[k].Count++
		if e.escalated {
			et.Escalated++
			et.ByType[k].Escalated++
		}
		if e.resolved != noTime {
			et.Resolved++
			et.ByType[k].Resolved++
		}
		if e.typ == "refused" {
			et.RefusalIDs = append(et.RefusalIDs, e.id)
		}
	}

	// Feedback.
	ft := &m.Feedback
	ft.ByScore = make([]int, 5)
	scoreSum := 0
	for _, f := range w.feedback {
		ft.Responses++
		ft.ByScore[f.score-1]++
		scoreSum += f.score
	}
	ft.AvgScore = ratio(dec(scoreSum), dec(ft.Responses))

	// Reconciliation.
	if err := w.reconTruth(m); err != nil {
		return nil, err
	}
	fees, settled := decimal.Zero, decimal.Zero
	for i := range w.lines {
		fees = fees.Add(w.lines[i].fee)
		settled = settled.Add(w.lines[i].amount)
	}
	m.Totals = Totals{
		Billed: money(totalBilled), Discounts: money(discounts), Collected: money(totalCollected),
		WalkInRevenue: money(walkIn), RefundsExecuted: money(refundsExecuted), ProviderFees: money(fees),
		Settled: money(settled), OutstandingAtEnd: money(outstanding),
	}

	// Improvement actions.
	for _, a := range w.actions {
		m.Actions = append(m.Actions, w.actionTruth(a, st))
	}
	return m, nil
}

// reconTruth fills the reconciliation ground truth and checks that every
// injected anomaly, and nothing else, is a discrepancy when the
// reconciliation is recomputed from the generated rows.
func (w *world) reconTruth(m *Manifest) error {
	rt := &m.Reconciliation
	rows, inWindow, refundsInWindow := w.reconcile()
	byRef := make(map[string]int, len(rows)) // lookups only
	for i := range rows {
		byRef[rows[i].ref] = i
	}
	for _, pi := range inWindow {
		rt.UnsettledInWindow = append(rt.UnsettledInWindow, w.pays[pi].id)
	}
	rt.RefundsInWindow = refundsInWindow
	ex := &rt.Expected
	disc := decimal.Zero
	for i := range rows {
		r := &rows[i]
		ex.Rows++
		switch r.status {
		case "matched":
			ex.Matched++
		case "amount_mismatch":
			ex.AmountMismatch++
		case "missing_settlement":
			ex.MissingSettlement++
		case "missing_payment":
			ex.MissingPayment++
		case "duplicate_settlement":
			ex.DuplicateSettlement++
		case "missing_refund_line":
			ex.MissingRefundLine++
		case "missing_refund":
			ex.MissingRefund++
		case "duplicate_refund_line":
			ex.DuplicateRefundLine++
		}
		if r.status != "matched" {
			disc = disc.Add(r.diff().Abs())
		}
		switch r.source {
		case "payment":
			ex.PaymentRows++
		case "settlement":
			ex.SettlementRows++
		case "refund":
			ex.RefundRows++
		default:
			ex.GroupRows++
			ex.GroupedPayments += r.pays
			if r.channel == chCash {
				ex.CashGroups++
			}
		}
	}
	ex.DiscrepancyAmount = money(disc)
	for _, g := range w.groups {
		if g.channel == chCash {
			continue
		}
		ref := w.groupRef(g.channel, -1, g.day)
		status := ""
		if k, ok := byRef[ref]; ok {
			status = rows[k].status
		}
		rt.ChannelGroups = append(rt.ChannelGroups, GroupTruth{Ref: ref, SettlementID: w.lines[g.line].id, Payments: len(g.pays), Amount: money(g.system), Status: status})
	}

	c := &rt.Counts
	expected := 0
	for i := range w.anomalies {
		a := &w.anomalies[i]
		out := Anomaly{Type: a.typ, Ref: w.anomalyRef(a), Channel: channelWords[a.channel], Cause: a.cause, Day: w.cal.date(a.day)}
		var system, bank decimal.Decimal
		switch a.typ {
		case anAmountMismatch:
			c.AmountMismatch++
			out.Source, out.Status = "payment", "amount_mismatch"
			system = w.pays[a.pay].amount
			bank = system.Add(a.diff)
		case anMissingSettlement:
			c.MissingSettlement++
			out.Source, out.Status = "payment", "missing_settlement"
			system = w.pays[a.pay].amount
		case anDuplicateSettlement:
			c.DuplicateSettlement++
			out.Source, out.Status = "payment", "duplicate_settlement"
			system = w.pays[a.pay].amount
			bank = system.Add(system)
		case anMissingPayment:
			c.MissingPayment++
			out.Source, out.Status = "settlement", "missing_payment"
			bank = a.diff
		case anCashShortfall:
			c.CashShortfall++
			out.Source, out.Status = "group", "amount_mismatch"
			out.Collector = w.collectors[a.collector]
			for _, g := range w.groups {
				if g.channel == chCash && g.collector == a.collector && g.day == a.day {
					system = g.system
				}
			}
			bank = system.Add(a.diff)
		case anMissingRefundLine, anRefundMismatch, anMissingRefund, anDuplicateRefundLine:
			switch a.typ {
			case anMissingRefundLine:
				c.MissingRefundLine++
			case anRefundMismatch:
				c.RefundAmountMismatch++
			case anMissingRefund:
				c.MissingRefund++
			default:
				c.DuplicateRefundLine++
			}
			out.Source = "refund"
			out.Status, system, bank = w.refundTruth(a)
		}
		out.SystemAmount, out.BankAmount, out.Diff = money(system), money(bank), money(bank.Sub(system))
		for _, li := range a.lines {
			out.SettlementIDs = append(out.SettlementIDs, w.lines[li].id)
		}
		if a.resolved >= 0 {
			res := &w.resols[a.resolved]
			out.Resolved, out.Resolution, out.ResolvedAt = true, res.resolution, w.cal.fmtTS(res.t)
			c.Resolved++
		}
		c.Total++
		rt.Anomalies = append(rt.Anomalies, out)

		k, ok := byRef[out.Ref]
		if !ok {
			return fmt.Errorf("gen: internal: anomaly %s %s has no reconciliation row", out.Type, out.Ref)
		}
		r := &rows[k]
		if r.status != out.Status || money(r.diff()) != out.Diff || money(r.system) != out.SystemAmount || money(r.bank) != out.BankAmount {
			return fmt.Errorf("gen: internal: anomaly %s %s expected %s %s, recomputed %s %s", out.Type, out.Ref, out.Status, out.Diff, r.status, money(r.diff()))
		}
		if r.status != "matched" {
			expected++
		}
	}
	if got := ex.Rows - ex.Matched; got != expected {
		return fmt.Errorf("gen: internal: %d discrepancies recomputed, %d injected", got, expected)
	}
	return nil
}

// actionTruth measures an action's metric over the 8 weeks before and the
// 8 weeks from its start.
func (w *world) actionTruth(a action, st []billState) ActionTruth {
	cal := &w.cal
	s := a.start
	bFrom, bTo := max(0, s-56), s-1
	aFrom, aTo := s, min(cal.nDays-1, s+55)
	out := ActionTruth{
		ActionID: a.id, Title: a.title, Owner: a.owner, Problem: a.problem, Metric: a.metric,
		StartedOn: cal.date(s), Target: a.target, Direction: a.direction, Effect: a.effect,
		BeforeFrom: cal.date(bFrom), BeforeTo: cal.date(bTo), AfterFrom: cal.date(aFrom), AfterTo: cal.date(aTo),
	}
	in := func(d, from, to int) bool { return d >= from && d <= to }
	var bNum, bDen, aNum, aDen int
	count := func(d, num int) {
		switch {
		case in(d, bFrom, bTo):
			bNum += num
			bDen++
		case in(d, aFrom, aTo):
			aNum += num
			aDen++
		}
	}
	scale := decimal.NewFromInt(1)
	switch a.metric {
	case "errors_per_1000":
		out.Definition = "voided payments / all payments (voided included) by local day of paid_at, x 1000"
		scale = decimal.NewFromInt(1000)
		for i := range w.pays {
			v := 0
			if w.pays[i].voided {
				v = 1
			}
			count(w.pays[i].t.dayOf(), v)
		}
	case "on_time_rate":
		out.Definition = "bills whose due_date is in the window and that were fully paid by the due date / bills whose due_date is in the window"
		for bi := range w.bills {
			v := 0
			if f := st[bi].full; f != noTime && f.dayOf() <= w.bills[bi].due {
				v = 1
			}
			count(w.bills[bi].due, v)
		}
	case "avg_score":
		out.Definition = "mean score of the feedback received in the window"
		for _, f := range w.feedback {
			d := f.t.dayOf()
			switch {
			case in(d, bFrom, bTo):
				bNum += f.score
				bDen++
			case in(d, aFrom, aTo):
				aNum += f.score
				aDen++
			}
		}
	}
	out.Before = ratio(dec(bNum).Mul(scale), dec(bDen))
	out.After = ratio(dec(aNum).Mul(scale), dec(aDen))
	out.BeforeN, out.AfterN = bDen, aDen
	return out
}
