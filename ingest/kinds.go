package ingest

import (
	"strings"

	"github.com/feeflow/feeflow/ingest/parse"
)

// colType is how a column's text is read and stored.
type colType int

const (
	textCol        colType = iota // VARCHAR
	moneyCol                      // DECIMAL(18,2), >= 0, at most 2 places
	signedMoneyCol                // DECIMAL(18,2), at most 2 places, may be negative
	timeCol                       // TIMESTAMPTZ; local forms read in the upload's zone
	dateCol                       // DATE
	periodCol                     // VARCHAR YYYY-MM
	enumCol                       // VARCHAR, one of the column's canonical words
	boolCol                       // BOOLEAN
	scoreCol                      // INTEGER 1..5
	targetCol                     // DECIMAL(18,4), may be negative
	idDocCol                      // VARCHAR, masked to its last 4 characters
)

// sqlType is the DuckDB type a column is staged and stored as.
func (t colType) sqlType() string {
	switch t {
	case moneyCol, signedMoneyCol:
		return "DECIMAL(18,2)"
	case targetCol:
		return "DECIMAL(18,4)"
	case timeCol:
		return "TIMESTAMPTZ"
	case dateCol:
		return "DATE"
	case boolCol:
		return "BOOLEAN"
	case scoreCol:
		return "INTEGER"
	default:
		return "VARCHAR"
	}
}

// column is one column of a record kind: its name, the headers that mean it
// in exports (English, Traditional and Simplified Chinese), and its rules.
type column struct {
	name     string
	aliases  []string
	typ      colType
	required bool
	enum     parse.Enum
	def      string // value used when the cell is empty
	ref      string // the kind whose key this column names; "" for none
	// fallback names an earlier column whose value an empty cell takes: a
	// name in one language is the plain name unless the file gives one.
	fallback string
	// multiline text (a comment, a reason) may hold line breaks; other
	// text, identifiers above all, may not.
	multiline bool
}

// Kind is a record kind of DESIGN.md: a table, its key and its columns.
type Kind struct {
	Name string
	Key  string // the column other kinds name in a reference
	// Version, when set, is the column that with Key identifies a row: each
	// value is one version of the same Key (a fee item's tariff from a day
	// on). References then need only the Key to exist.
	Version string
	columns []column
}

// keyColumns are the columns that identify a row: Key, then Version.
func (k *Kind) keyColumns() []string {
	if k.Version == "" {
		return []string{k.Key}
	}
	return []string{k.Key, k.Version}
}

func col(name string, typ colType, aliases ...string) column {
	return column{name: name, typ: typ, aliases: aliases}
}

func (c column) lines() column               { c.multiline = true; return c }
func (c column) req() column                 { c.required = true; return c }
func (c column) withDefault(v string) column { c.def = v; return c }
func (c column) refs(kind string) column     { c.ref = kind; return c }
func (c column) oneOf(e parse.Enum) column   { c.enum = e; c.typ = enumCol; return c }
func (c column) orElse(name string) column   { c.fallback = name; return c }

// The names of master data in each language of the site: an optional
// column NAME_en and NAME_zh beside a text column NAME, each taking the
// plain value when the file leaves it empty. Headers: "name_en", "name (en)",
// 英文名稱 ...; the plain column stays the one the other kinds and the
// analysts' SQL use.
func inLanguages(name string, enAliases, zhAliases []string) []column {
	return []column{
		col(name+"_en", textCol, append([]string{name + "(en)", name + "_(en)", name + "_english"}, enAliases...)...).orElse(name),
		col(name+"_zh", textCol, append([]string{name + "(zh)", name + "_(zh)", name + "_chinese"}, zhAliases...)...).orElse(name),
	}
}

// maxText is the longest text value accepted in any column, in characters.
const maxText = 1000

// The vocabularies of the enum columns, with the words Chinese exports use.
var (
	methodEnum = parse.NewEnum(map[string][]string{
		"cash":          {"現金", "现金", "cash payment"},
		"card":          {"刷卡", "銀行卡", "银行卡", "credit card", "debit card", "pos"},
		"bank_transfer": {"銀行轉賬", "银行转账", "轉賬", "转账", "bank", "transfer", "銀行轉帳", "银行转帐"},
		"wechat":        {"微信", "微信支付", "wechat pay", "wechatpay", "weixin"},
		"alipay":        {"支付寶", "支付宝"},
		"other":         {"其他", "其它"},
	})
	paymentStatusEnum = parse.NewEnum(map[string][]string{
		"completed": {"已完成", "完成", "成功", "paid", "success"},
		"voided":    {"已作廢", "已作废", "作廢", "作废", "void"},
	})
	channelEnum = parse.NewEnum(map[string][]string{
		"bank":         {"銀行", "银行", "銀行轉賬", "银行转账", "bank_transfer"},
		"card":         {"刷卡", "銀行卡", "银行卡", "pos"},
		"wechat":       {"微信", "微信支付", "wechat pay"},
		"alipay":       {"支付寶", "支付宝"},
		"cash_deposit": {"現金存款", "现金存款", "現金", "现金", "cash"},
	})
	decisionEnum = parse.NewEnum(map[string][]string{
		"pending":  {"待審核", "待审核", "審核中", "审核中"},
		"approved": {"已批准", "批准", "通過", "通过", "同意"},
		"rejected": {"已拒絕", "已拒绝", "拒絕", "拒绝", "駁回", "驳回"},
	})
	invoiceTypeEnum = parse.NewEnum(map[string][]string{
		"invoice": {"發票", "发票"},
		"receipt": {"收據", "收据"},
	})
	invoiceStatusEnum = parse.NewEnum(map[string][]string{
		"issued":  {"已開具", "已开具", "開具", "开具"},
		"lost":    {"遺失", "遗失", "丟失", "丢失"},
		"damaged": {"損壞", "损坏", "污損", "污损"},
		"void":    {"作廢", "作废", "已作廢", "已作废", "voided"},
	})
	exceptionTypeEnum = parse.NewEnum(map[string][]string{
		"cannot_pay": {"無力支付", "无力支付", "無法繳費", "无法缴费"},
		"refused":    {"拒繳", "拒缴", "拒付"},
		"dispute":    {"爭議", "争议"},
		"fraud":      {"欺詐", "欺诈"},
	})
	problemEnum = parse.NewEnum(map[string][]string{
		"complex_process":    {"流程複雜", "流程复杂"},
		"system_instability": {"系統不穩定", "系统不稳定"},
		"unclear_standards":  {"標準不清", "标准不清", "收費標準不清", "收费标准不清"},
		"operator_error":     {"操作失誤", "操作失误", "人為差錯", "人为差错"},
		"other":              {"其他", "其它"},
	})
	metricEnum = parse.NewEnum(map[string][]string{
		"collection_rate":    {"收費率", "收费率"},
		"on_time_rate":       {"準時率", "准时率"},
		"match_rate":         {"對賬匹配率", "对账匹配率"},
		"discrepancy_amount": {"差異金額", "差异金额"},
		"refund_days":        {"退款天數", "退款天数"},
		"reissue_rate":       {"補開率", "补开率"},
		"errors_per_1000":    {"千筆差錯", "千笔差错"},
		"avg_score":          {"平均評分", "平均评分"},
	})
	resolutionEnum = parse.NewEnum(map[string][]string{
		"late_settlement": {"延遲結算", "延迟结算"},
		"bank_error":      {"銀行差錯", "银行差错"},
		"cashier_error":   {"收費員差錯", "收费员差错"},
		"refunded":        {"已退款", "退款"},
		"written_off":     {"核銷", "核销", "註銷", "注销"},
		"other":           {"其他", "其它"},
	})
)

// Common columns, spelled once.
var (
	customerIDCol = col("customer_id", textCol, "客戶編號", "客户编号", "客戶號", "客户号")
	collectorCol  = col("collector", textCol, "收費員", "收费员")
	txnIDCol      = col("txn_id", textCol, "交易號", "交易号", "交易編號", "交易编号")
	billIDCol     = col("bill_id", textCol, "賬單號", "账单号", "帳單號", "账单编号")
	feeItemCol    = col("fee_item", textCol, "收費項目", "收费项目", "項目代碼", "项目代码")
)

// kinds lists the record kinds in upload order: a kind may reference only
// kinds before it (invoices also reference invoices).
var kinds = []*Kind{
	{Name: "fee_items", Key: "code", Version: "effective_from", columns: concat(
		[]column{
			col("code", textCol, "項目代碼", "项目代码").req(),
			col("name", textCol, "項目名稱", "项目名称").req(),
		},
		inLanguages("name", []string{"英文名稱", "英文名称", "項目英文名稱", "项目英文名称"}, []string{"中文名稱", "中文名称", "項目中文名稱", "项目中文名称"}),
		[]column{col("unit", textCol, "單位", "单位")},
		inLanguages("unit", []string{"英文單位", "英文单位"}, []string{"中文單位", "中文单位"}),
		[]column{
			col("rate", moneyCol, "收費標準", "收费标准").req(),
			col("effective_from", dateCol, "生效日期").req(),
			col("effective_to", dateCol, "失效日期", "截止日期"),
		},
	)},
	{Name: "customers", Key: "customer_id", columns: concat(
		[]column{
			customerIDCol.req(),
			col("name", textCol, "姓名", "客戶名稱", "客户名称"),
			col("unit", textCol, "房號", "房号", "車牌", "车牌", "房號/車牌", "房号/车牌"),
			col("area", textCol, "區域", "区域"),
		},
		inLanguages("area", []string{"英文區域", "英文区域", "區域英文名稱", "区域英文名称"}, []string{"中文區域", "中文区域", "區域中文名稱", "区域中文名称"}),
		[]column{col("id_doc", idDocCol, "證件號碼", "证件号码")},
	)},
	{Name: "bills", Key: "bill_id", columns: []column{
		billIDCol.req(),
		customerIDCol.req().refs("customers"),
		feeItemCol.req().refs("fee_items"),
		col("period", periodCol, "賬期", "账期", "帳期").req(),
		col("amount_due", moneyCol, "應收金額", "应收金额").req(),
		col("discount", moneyCol, "優惠金額", "优惠金额").withDefault("0"),
		col("due_date", dateCol, "到期日", "到期日期").req(),
	}},
	{Name: "payments", Key: "txn_id", columns: []column{
		txnIDCol.req(),
		col("paid_at", timeCol, "收費時間", "收费时间", "交易時間", "交易时间").req(),
		customerIDCol,
		billIDCol.refs("bills"),
		feeItemCol.req().refs("fee_items"),
		col("amount", moneyCol, "實收金額", "实收金额").req(),
		col("method", enumCol, "支付方式", "付款方式", "收費方式", "收费方式").oneOf(methodEnum).req(),
		collectorCol,
		col("receipt_no", textCol, "收據號", "收据号", "收據編號", "收据编号"),
		col("status", enumCol, "狀態", "状态").oneOf(paymentStatusEnum).withDefault("completed"),
	}},
	{Name: "settlements", Key: "settlement_id", columns: []column{
		col("settlement_id", textCol, "結算編號", "结算编号", "流水號", "流水号").req(),
		col("channel", enumCol, "渠道", "結算渠道", "结算渠道").oneOf(channelEnum).req(),
		col("txn_ref", textCol, "交易號", "交易号", "商戶訂單號", "商户订单号"),
		// Negative: the channel paid a refund of txn_ref back to the payer.
		col("amount", signedMoneyCol, "金額", "金额", "結算金額", "结算金额").req(),
		col("settled_at", timeCol, "結算時間", "结算时间").req(),
		col("fee", signedMoneyCol, "手續費", "手续费").withDefault("0"),
		collectorCol,
		col("refund_ref", textCol, "退款單號", "退款单号", "商戶退款單號", "商户退款单号"),
	}},
	{Name: "refunds", Key: "refund_id", columns: []column{
		col("refund_id", textCol, "退款單號", "退款单号", "退款編號", "退款编号").req(),
		txnIDCol.req().refs("payments"),
		col("amount", moneyCol, "退款金額", "退款金额").req(),
		col("reason", textCol, "原因", "退款原因").lines(),
		col("requested_at", timeCol, "申請時間", "申请时间").req(),
		col("reviewed_at", timeCol, "審核時間", "审核时间"),
		col("decision", enumCol, "審核結果", "审核结果").oneOf(decisionEnum).withDefault("pending"),
		col("executed_at", timeCol, "執行時間", "执行时间", "退款時間", "退款时间"),
	}},
	{Name: "invoices", Key: "invoice_no", columns: []column{
		col("invoice_no", textCol, "發票號", "发票号", "發票號碼", "发票号码").req(),
		txnIDCol.req().refs("payments"),
		col("type", enumCol, "類型", "类型").oneOf(invoiceTypeEnum).withDefault("invoice"),
		col("issued_at", timeCol, "開具時間", "开具时间", "開票時間", "开票时间").req(),
		col("status", enumCol, "狀態", "状态").oneOf(invoiceStatusEnum).withDefault("issued"),
		col("reissue_of", textCol, "原發票號", "原发票号").refs("invoices"),
	}},
	{Name: "exceptions", Key: "exception_id", columns: []column{
		col("exception_id", textCol, "異常編號", "异常编号").req(),
		col("occurred_at", timeCol, "發生時間", "发生时间").req(),
		customerIDCol,
		billIDCol,
		col("type", enumCol, "類型", "类型", "異常類型", "异常类型").oneOf(exceptionTypeEnum).req(),
		col("reason", textCol, "原因").lines(),
		collectorCol,
		col("escalated", boolCol, "已升級", "已升级", "升級", "升级").withDefault("false"),
		col("resolved_at", timeCol, "解決時間", "解决时间"),
	}},
	{Name: "actions", Key: "action_id", columns: concat(
		[]column{
			col("action_id", textCol, "措施編號", "措施编号").req(),
			col("title", textCol, "標題", "标题", "措施").lines().req(),
		},
		multiline(inLanguages("title", []string{"英文標題", "英文标题"}, []string{"中文標題", "中文标题"})),
		[]column{
			col("problem", enumCol, "問題類型", "问题类型", "問題", "问题").oneOf(problemEnum).req(),
			col("owner", textCol, "責任人", "责任人").req(),
			col("started_on", dateCol, "開始日期", "开始日期").req(),
			col("metric", enumCol, "指標", "指标").oneOf(metricEnum).req(),
			col("target", targetCol, "目標", "目标", "目標值", "目标值").req(),
		},
	)},
	{Name: "feedback", Key: "feedback_id", columns: []column{
		col("feedback_id", textCol, "反饋編號", "反馈编号").req(),
		col("received_at", timeCol, "收到時間", "收到时间", "反饋時間", "反馈时间").req(),
		customerIDCol,
		col("channel", textCol, "渠道"),
		col("score", scoreCol, "評分", "评分").req(),
		col("category", textCol, "類別", "类别"),
		col("comment", textCol, "意見", "意见", "備註", "备注").lines(),
	}},
	{Name: "resolutions", Key: "ref", columns: []column{
		col("ref", textCol, "參考號", "参考号", "差異編號", "差异编号").req(),
		col("resolved_at", timeCol, "處理時間", "处理时间").req(),
		col("resolution", enumCol, "處理結果", "处理结果").oneOf(resolutionEnum).req(),
		col("note", textCol, "備註", "备注").lines(),
		col("resolved_by", textCol, "處理人", "处理人"),
	}},
}

func concat(parts ...[]column) []column {
	var out []column
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

func multiline(cs []column) []column {
	for i := range cs {
		cs[i] = cs[i].lines()
	}
	return cs
}

// KindNames lists the record kinds in the order they should be uploaded.
func KindNames() []string {
	names := make([]string, len(kinds))
	for i, k := range kinds {
		names[i] = k.Name
	}
	return names
}

// KindByName finds a record kind.
func KindByName(name string) (*Kind, bool) {
	for _, k := range kinds {
		if k.Name == name {
			return k, true
		}
	}
	return nil, false
}

// normHeader folds a header for matching: case, surrounding spaces, and the
// spellings "Txn ID", "txn-id" and "TXN_ID" are the same.
func normHeader(h string) string {
	h = strings.TrimSpace(strings.Trim(h, "\ufeff\u3000 "))
	h = strings.ToLower(h)
	return strings.NewReplacer(" ", "_", "-", "_").Replace(h)
}
