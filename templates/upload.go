// Package templates holds feeflow's templ components: plain structs in, HTML
// out, no I/O.
package templates

import (
	_ "embed"
	"strconv"
	"strings"
)

// UploadPage is the finance upload desk: the report of the last upload at
// the top when there is one, the form, and the record kinds with their
// columns and sample files.
type UploadPage struct {
	Desk  Desk
	Kinds []KindInfo // record kinds in upload order
	// Kind is the kind chosen last: "auto" (or "") recognises each file's
	// kind from its headers.
	Kind     string
	Encoding string // the encoding chosen last ("" or auto: detect)
	// Profiles are the profiles offered; Map the one chosen last ("":
	// recognise the layout automatically).
	Profiles []ProfileChoice
	Map      string
	DryRun   bool
	// Reports are the files of the last upload, in the order they were
	// written (upload order); empty before the first upload.
	Reports []FileReport
	// Previews say how each chosen file will be read (empty unless asked).
	Previews []FilePreview
	Problem  string // a request-level error (bad token, unreadable form)
	// Previewed is set when the form was sent to preview the files, not
	// to upload them (a Problem is then the preview's).
	Previewed bool
	MaxBytes  string // the upload limit, for the hint under the file field
	// Publish, when set, follows the dashboard's rebuild after a commit.
	Publish *PublishNote
}

// KindInfo is a record kind as the desk presents it: its name (the
// catalog's "kind.NAME" names it in words) and the columns a file has.
type KindInfo struct {
	Name    string
	Columns []KindColumn
}

// KindColumn is one column of a kind, with the other headers read as it.
type KindColumn struct {
	Name     string
	Headers  []string
	Required bool
}

// ProfileChoice is a profile the upload form offers.
type ProfileChoice struct {
	Name   string
	Title  string
	Kind   string // the kind it reads; "" for a stored profile that names none
	Stored bool   // from the server's folder of profiles, not built in
}

// profileGroup is the profiles of one kind, built-in or stored, as one
// optgroup of the form's profile choice.
type profileGroup struct {
	Label    string
	Kind     string
	Profiles []ProfileChoice
}

// profileGroups groups the page's profiles by kind, in upload order,
// built-in ones first; profiles that name no kind come last.
func (p UploadPage) profileGroups() []profileGroup {
	var groups []profileGroup
	add := func(kind string, stored bool, label string) {
		g := profileGroup{Label: label, Kind: kind}
		for _, c := range p.Profiles {
			if c.Kind == kind && c.Stored == stored {
				g.Profiles = append(g.Profiles, c)
			}
		}
		if len(g.Profiles) > 0 {
			groups = append(groups, g)
		}
	}
	d := p.Desk
	for _, k := range p.Kinds {
		add(k.Name, false, d.T(UploadCatalog, "profiles.builtin", d.KindName(k.Name)))
		add(k.Name, true, d.T(UploadCatalog, "profiles.stored", d.KindName(k.Name)))
	}
	add("", true, d.T(UploadCatalog, "profiles.anykind"))
	return groups
}

// LoginPage is the sign-in form.
type LoginPage struct {
	Next    string // where to go once signed in (a path on this server)
	CSRF    string // the form's CSRF token (also in a cookie)
	Name    string // the name typed last
	Problem string // why the last attempt failed
}

// FileReport is what became of one file of an upload.
type FileReport struct {
	FileName string
	Kind     string // "" when it could not be told
	// Candidates are the kinds the file could be, when its kind had to be
	// chosen (Outcome "choose").
	Candidates []string
	// Outcome is ingested, dry_run, rejected, duplicate, refused, failed,
	// or choose (the kind could not be told; nothing was done).
	Outcome       string
	BatchID       string
	DuplicateOf   string
	RowsTotal     int
	RowsAccepted  int
	RowsRejected  int
	RowsDuplicate int
	// Problem is why the file was refused as a whole (as the server says it).
	Problem string
	// Groups summarise the rows' problems by column and kind of problem,
	// largest first; ErrorsTotal counts the problems; ErrorsCSV is where
	// the full list is downloaded ("" when it could not be kept).
	Groups        []ProblemGroup
	GroupsOmitted int // problems not summarised (the CSV has them)
	ErrorsTotal   int
	ErrorsKept    int
	ErrorsCSV     string
	// How the file was read: the profile ("" for feeflow's own headers),
	// the header line, the lines that are not rows, the rows left out by
	// reason and the file's columns not read.
	Profile        string
	HeaderRow      int
	Skipped        []SkippedLine
	SkippedOmitted int
	Dropped        []DroppedRows
	IgnoredColumns []string
}

// OK says whether the file went as the clerk wanted.
func (r FileReport) OK() bool {
	return r.Outcome == "ingested" || r.Outcome == "dry_run" || r.Outcome == "duplicate"
}

// ProblemGroup is the rows that share a problem in one column.
type ProblemGroup struct {
	Column string
	// Code names the problem for its translation in UploadCatalog
	// ("problem.CODE"), with Arg filled in; "" when the problem is not
	// one of the known ones, and Message (ingest's words) says it.
	Code    string
	Arg     string
	Message string
	Count   int
	First   []UploadError // the first rows with it
}

// FilePreview is how one chosen file will be read, or why it cannot be.
type FilePreview struct {
	FileName string
	Kind     string
	Preview  *UploadPreview
	Problem  string // the file cannot be read as the kind (no header found)
}

// PublishNote follows the dashboard's rebuild after a commit: the upload
// is on the dashboard once a published build includes BatchSeq batches.
type PublishNote struct {
	BatchSeq int64
	// Published is set when the page is made after such a build already;
	// At is then its time of day in the organisation's zone, Zone its name.
	Published bool
	At        string
	Zone      string
}

// SkippedLine is a line of the file that is not a row (preamble, footer).
type SkippedLine struct {
	Row    int
	Reason string
}

// DroppedRows counts the rows left out for one reason.
type DroppedRows struct {
	Reason string
	Rows   int
}

// UploadPreview is how a file will be read, shown before anything is
// written.
type UploadPreview struct {
	FileName     string
	Kind         string
	Format       string
	Encoding     string
	Profile      string // "" for feeflow's own headers
	ProfileTitle string
	HeaderRow    int
	Header       []string
	// Mapping says where each column comes from.
	Mapping        []ColumnSource
	IgnoredColumns []string
	Skipped        []SkippedLine
	SkippedOmitted int
	Dropped        []DroppedRows
	Rows           int // rows read as the kind's rows
	Rejected       int
	Errors         []UploadError
	// Columns and First are the first rows exactly as they would be stored.
	Columns []string
	First   []PreviewRow
}

// ColumnSource is where one column's value comes from.
type ColumnSource struct {
	Column string
	From   string
}

// PreviewRow is one row as it would be stored, with its line in the file.
type PreviewRow struct {
	Row    int
	Values []string
}

// UploadError is one row problem.
type UploadError struct {
	Row     int
	Column  string
	Value   string
	Message string
}

// UploadCSS is the desk's stylesheet.
//
//go:embed upload.css
var UploadCSS []byte

// UploadJS is the upload page's script: it takes files dropped on the page,
// shows the kind recognised for each and lets the clerk choose it, offers
// the layouts of the chosen kind, shows a preview without leaving the page,
// and follows the dashboard's rebuild after an upload (the page works
// without it).
//
//go:embed upload.js
var UploadJS []byte

// RefusedPage says why a signed-in person may not open a page.
type RefusedPage struct {
	User    string
	CSRF    string
	Problem string
}

// joinCells writes a header line's cells as the file has them.
func joinCells(cells []string) string { return strings.Join(cells, ", ") }

// KindName names a record kind in words in the desk's language; an unknown
// kind is named as itself.
func (d Desk) KindName(kind string) string {
	if _, ok := UploadCatalog["kind."+kind]; !ok {
		return kind
	}
	return d.T(UploadCatalog, "kind."+kind)
}

// problemText is a group's problem in the desk's language.
func (d Desk) problemText(g ProblemGroup) string {
	if g.Code == "" {
		return g.Message
	}
	arg := g.Arg
	if g.Code == "not_found" {
		arg = d.KindName(arg)
	}
	if arg == "" {
		return d.T(UploadCatalog, "problem."+g.Code)
	}
	return d.T(UploadCatalog, "problem."+g.Code, arg)
}

// groupTitle is "37 rows · amount: more than 2 decimal places".
func (d Desk) groupTitle(g ProblemGroup) string {
	rows := d.T(UploadCatalog, "report.rows", g.Count)
	if g.Count == 1 {
		rows = d.T(UploadCatalog, "report.row1")
	}
	if g.Column == "" {
		return d.T(UploadCatalog, "report.group.nocolumn", rows, d.problemText(g))
	}
	return d.T(UploadCatalog, "report.group", rows, g.Column, d.problemText(g))
}

// candidates names the kinds a file could be, in words.
func (d Desk) candidates(kinds []string) string {
	names := make([]string, len(kinds))
	for i, k := range kinds {
		names[i] = d.KindName(k)
	}
	return strings.Join(names, d.T(UploadCatalog, "list.sep"))
}

func itoa(n int) string { return strconv.Itoa(n) }

// UploadCatalog is the texts of the upload desk and its history. Rows are
// 列 in Taiwan and 行 on the mainland; columns 欄位 and 列.
var UploadCatalog = Catalog{
	"title":            {"Upload exports", "上傳匯出檔案", "上传导出文件"},
	"intro":            {"Upload each day's export files. Rows are checked before anything is written: a file with rejected rows writes nothing unless you choose to keep the good rows.", "請上傳每天的匯出檔案。寫入前會先檢查每一列：檔案中有被拒絕的列時，整個檔案都不會寫入，除非您選擇保留正確的列。", "请上传每天的导出文件。写入前会先检查每一行：文件中有被拒绝的行时，整个文件都不会写入，除非您选择保留正确的行。"},
	"files":            {"Export files", "匯出檔案", "导出文件"},
	"files.drop":       {"Drop the day's files here, or choose them below", "將當天的檔案拖放到這裡，或在下方選擇檔案", "将当天的文件拖放到这里，或在下方选择文件"},
	"files.hint":       {"CSV, JSON, NDJSON, XLSX or XLS; UTF-8, GBK or Big5; up to %s in all. Several files go in upload order.", "CSV、JSON、NDJSON、XLSX 或 XLS；UTF-8、GBK 或 Big5；合計最多 %s。多個檔案會依上傳順序寫入。", "CSV、JSON、NDJSON、XLSX 或 XLS；UTF-8、GBK 或 Big5；合计最多 %s。多个文件会按上传顺序写入。"},
	"files.nocopy":     {"The server keeps no copy of a previewed file: choose it again to upload it.", "伺服器不會保留預覽過的檔案：上傳時請再選擇一次。", "服务器不会保留预览过的文件：上传时请再选择一次。"},
	"files.choose":     {"— choose the kind —", "— 請選擇資料類型 —", "— 请选择数据类型 —"},
	"files.checking":   {"recognising…", "辨識中…", "识别中…"},
	"files.detected":   {"recognised from its headers", "已依標題列辨識", "已根据表头识别"},
	"files.ask":        {"the kind is not certain: choose it", "無法確定資料類型，請選擇", "无法确定数据类型，请选择"},
	"files.unread":     {"cannot be read", "無法讀取", "无法读取"},
	"files.missing":    {"Choose the kind of every file before uploading.", "上傳前請為每個檔案選擇資料類型。", "上传前请为每个文件选择数据类型。"},
	"files.order":      {"Files to upload, in upload order", "待上傳的檔案（依上傳順序）", "待上传的文件（按上传顺序）"},
	"kind":             {"Record kind", "資料類型", "数据类型"},
	"kind.auto":        {"Recognise each file's kind from its headers", "依各檔案的標題列自動辨識", "根据各文件的表头自动识别"},
	"kind.hint":        {"Files are written in this order: a row may refer only to records of the kinds above it.", "檔案依此順序寫入：每一列只能參照上方類型的資料。", "文件按此顺序写入：每一行只能引用上方类型的数据。"},
	"map":              {"Statement layout", "對帳單格式", "对账单格式"},
	"map.auto":         {"recognise automatically", "自動辨識", "自动识别"},
	"map.hint":         {"Bank and channel statements of a known layout are recognised by their header; choose one only when it is not.", "已知格式的銀行與支付通路對帳單會依標題列自動辨識；只有辨識不出時才需要選擇。", "已知格式的银行和支付渠道对账单会根据表头自动识别；只有识别不出时才需要选择。"},
	"profiles.builtin": {"%s: built-in", "%s：內建", "%s：内置"},
	"profiles.stored":  {"%s: stored", "%s：已儲存", "%s：已保存"},
	"profiles.anykind": {"stored, any kind", "已儲存，任何類型", "已保存，任意类型"},
	"encoding":         {"Encoding", "編碼", "编码"},
	"encoding.auto":    {"detect", "自動偵測", "自动检测"},
	"preview":          {"Preview", "預覽", "预览"},
	"preview.hint":     {"Shows how the files will be read: nothing is written.", "顯示檔案將如何被讀取：不會寫入任何資料。", "显示文件将如何被读取：不会写入任何数据。"},
	"dryrun":           {"Dry run: check the files and show the report, write nothing", "模擬上傳：只檢查檔案並顯示報告，不寫入任何資料", "模拟上传：只检查文件并显示报告，不写入任何数据"},
	"allowerrors":      {"Keep the good rows when some are rejected", "有列被拒絕時，仍保留正確的列", "有行被拒绝时，仍保留正确的行"},
	"upload":           {"Upload", "上傳", "上传"},

	"kind.fee_items":   {"Fee items", "收費項目", "收费项目"},
	"kind.customers":   {"Customers", "客戶", "客户"},
	"kind.bills":       {"Bills", "帳單", "账单"},
	"kind.payments":    {"Payments", "收款紀錄", "收款记录"},
	"kind.settlements": {"Settlements (bank and channel statements)", "結算明細（銀行與支付通路對帳單）", "结算明细（银行和支付渠道对账单）"},
	"kind.refunds":     {"Refunds", "退款", "退款"},
	"kind.invoices":    {"Invoices and receipts", "發票與收據", "发票和收据"},
	"kind.exceptions":  {"Collection exceptions", "收費異常", "收费异常"},
	"kind.actions":     {"Improvement actions", "改善措施", "改进措施"},
	"kind.feedback":    {"Customer feedback", "客戶意見", "客户反馈"},
	"kind.resolutions": {"Discrepancy resolutions", "差異處理", "差异处理"},

	"kinds":          {"Record kinds, their columns and sample files", "資料類型、欄位與範例檔", "数据类型、列与示例文件"},
	"kinds.intro":    {"A file's first line names its columns, in English or Chinese. Columns marked required must be there; the others may be left out.", "檔案的第一列是欄位名稱，可用英文或中文。標示「必填」的欄位一定要有，其他欄位可以省略。", "文件的第一行是列名，可用英文或中文。标为“必填”的列必须有，其他列可以省略。"},
	"kinds.column":   {"Column", "欄位", "列"},
	"kinds.headers":  {"Also read from", "也接受的標題", "也接受的表头"},
	"kinds.required": {"required", "必填", "必填"},
	"kinds.sample":   {"Sample file (CSV)", "範例檔（CSV）", "示例文件（CSV）"},

	"report":                {"Report of the last upload", "上次上傳的報告", "上次上传的报告"},
	"report.refused":        {"Upload refused", "上傳被拒", "上传被拒"},
	"report.previewrefused": {"Preview refused", "預覽被拒", "预览被拒"},
	"outcome.ingested":      {"ingested", "已匯入", "已导入"},
	"outcome.dry_run":       {"checked (dry run); nothing written", "已檢查（模擬上傳），未寫入", "已检查（模拟上传），未写入"},
	"outcome.rejected":      {"rejected; nothing was written", "已拒絕，未寫入任何資料", "已拒绝，未写入任何数据"},
	"outcome.duplicate":     {"already ingested; nothing written", "先前已匯入，未重複寫入", "之前已导入，未重复写入"},
	"outcome.refused":       {"refused; nothing was written", "被拒，未寫入任何資料", "被拒，未写入任何数据"},
	"outcome.failed":        {"failed on the server; nothing was written", "伺服器發生錯誤，未寫入", "服务器出错，未写入"},
	"outcome.choose":        {"not uploaded: choose its kind", "未上傳：請選擇資料類型", "未上传：请选择数据类型"},
	"report.file":           {"%s: %s", "%s：%s", "%s：%s"},
	"report.could":          {"It could be: %s.", "可能是：%s。", "可能是：%s。"},
	"report.kind":           {"Kind", "資料類型", "数据类型"},
	"report.batch":          {"Batch", "批次", "批次"},
	"report.sameas":         {"Same file as batch", "與此批次的檔案相同", "与此批次的文件相同"},
	"report.total":          {"Rows in file", "檔案中的列數", "文件中的行数"},
	"report.accepted":       {"Accepted", "已接受", "已接受"},
	"report.rejected":       {"Rejected", "已拒絕", "已拒绝"},
	"report.duplicate":      {"Already in the database", "資料庫中已有", "数据库中已有"},
	"report.profile":        {"Layout", "格式", "格式"},
	"report.headerline":     {"Header line", "標題列", "表头行"},
	"report.problems":       {"Problems, the most frequent first", "問題摘要（由多到少）", "问题摘要（由多到少）"},
	"report.rows":           {"%d rows", "%d 列", "%d 行"},
	"report.row1":           {"1 row", "1 列", "1 行"},
	"report.group":          {"%s · %s: %s", "%s · %s 欄位：%s", "%s · %s 列：%s"},
	"report.group.nocolumn": {"%s: %s", "%s：%s", "%s：%s"},
	"report.moregroups":     {"… and %d other problems, less frequent: the CSV lists them all.", "…另有 %d 種較少見的問題，完整清單請見 CSV。", "…另有 %d 种较少见的问题，完整列表请见 CSV。"},
	"report.first":          {"The first rows with this problem", "有此問題的前幾列", "有此问题的前几行"},
	"report.csv":            {"Download all %d problems (CSV) to fix the file and upload it again", "下載全部 %d 個問題（CSV），修正檔案後再上傳", "下载全部 %d 个问题（CSV），修正文件后再上传"},
	"report.kept":           {"The download holds the first %d of the %d problems.", "下載檔只包含 %[2]d 個問題中的前 %[1]d 個。", "下载文件只包含 %[2]d 个问题中的前 %[1]d 个。"},
	"report.nocsv":          {"The full list could not be kept; the problems above are the first ones.", "無法保存完整清單；以上是前幾個問題。", "无法保存完整列表；以上是前几个问题。"},
	"col.row":               {"Row", "列", "行"},
	"col.column":            {"Column", "欄位", "列"},
	"col.value":             {"Value", "值", "值"},
	"col.problem":           {"Problem", "問題", "问题"},
	"list.sep":              {", ", "、", "、"},

	"read.skipped": {"Lines skipped (not rows)", "略過的行（不是資料列）", "跳过的行（不是数据行）"},
	"read.line":    {"Line", "行", "行"},
	"read.why":     {"Why", "原因", "原因"},
	"read.more":    {"… and %d more lines skipped.", "…另有 %d 行略過。", "…另有 %d 行跳过。"},
	"read.dropped": {"Rows left out", "排除的列", "排除的行"},
	"read.reason":  {"Reason", "原因", "原因"},
	"read.rows":    {"Rows", "列數", "行数"},
	"read.ignored": {"Columns not read", "未讀取的欄位", "未读取的列"},

	"pv.title":    {"%s: preview; nothing written yet", "%s：預覽，尚未寫入", "%s：预览，尚未写入"},
	"pv.cannot":   {"%s: the file cannot be read as %s", "%s：無法以「%s」讀取此檔案", "%s：无法按“%s”读取此文件"},
	"pv.format":   {"Format, encoding", "格式、編碼", "格式、编码"},
	"pv.own":      {"feeflow's own headers", "feeflow 標準標題", "feeflow 标准表头"},
	"pv.rowsread": {"Rows read", "讀到的列數", "读取的行数"},
	"pv.mapping":  {"Where each column comes from", "各欄位的來源", "各列的来源"},
	"pv.from":     {"From the file", "檔案中的來源", "文件中的来源"},
	"pv.first":    {"The first rows as they would be stored", "前幾列將如此儲存", "前几行将这样保存"},
	"pv.none":     {"No row would be stored.", "不會儲存任何列。", "不会保存任何行。"},

	"publish.publishing": {"The dashboard is being published with this upload…", "儀表板正在發布，將包含這次上傳…", "仪表板正在发布，将包含本次上传…"},
	"publish.published":  {"Dashboard published at {time} ({zone}); it includes this upload.", "儀表板已於 {time}（{zone}）發布，包含這次上傳。", "仪表板已于 {time}（{zone}）发布，包含本次上传。"},
	"publish.failed":     {"The last dashboard build failed; the dashboard still shows the data before this upload. An administrator can see why in the server's log.", "上次儀表板建置失敗，儀表板仍顯示這次上傳之前的資料。管理員可在伺服器紀錄中查看原因。", "上次仪表板构建失败，仪表板仍显示本次上传之前的数据。管理员可在服务器日志中查看原因。"},
	"publish.none":       {"This server publishes no dashboard.", "此伺服器不發布儀表板。", "此服务器不发布仪表板。"},
	"publish.open":       {"Open the dashboard", "開啟儀表板", "打开仪表板"},

	"problem.required":       {"required, but empty", "必填，但是空白", "必填，但为空"},
	"problem.places2":        {"more than 2 decimal places", "超過 2 位小數", "超过 2 位小数"},
	"problem.negative":       {"negative amount", "金額為負數", "金额为负数"},
	"problem.not_number":     {"not a number", "不是數字", "不是数字"},
	"problem.not_time":       {"not a time (want RFC 3339 or YYYY-MM-DD HH:MM[:SS])", "不是時間（應為 RFC 3339 或 YYYY-MM-DD HH:MM[:SS]）", "不是时间（应为 RFC 3339 或 YYYY-MM-DD HH:MM[:SS]）"},
	"problem.not_date":       {"not a date (want YYYY-MM-DD)", "不是日期（應為 YYYY-MM-DD）", "不是日期（应为 YYYY-MM-DD）"},
	"problem.has_time":       {"has a time of day (want a date alone, YYYY-MM-DD)", "含有時刻（只應有日期 YYYY-MM-DD）", "含有时刻（只应有日期 YYYY-MM-DD）"},
	"problem.not_period":     {"not a billing month (want YYYY-MM)", "不是帳期月份（應為 YYYY-MM）", "不是账期月份（应为 YYYY-MM）"},
	"problem.unknown_value":  {"unknown value; want one of: %s", "無法辨識的值；可接受：%s", "无法识别的值；可接受：%s"},
	"problem.not_found":      {"refers to a record not found in %[1]s (upload %[1]s first)", "參照的資料在「%[1]s」中找不到（請先上傳%[1]s）", "引用的数据在“%[1]s”中找不到（请先上传%[1]s）"},
	"problem.conflict_db":    {"already ingested with other values in an earlier batch", "已在先前的批次以不同的值匯入", "已在之前的批次以不同的值导入"},
	"problem.conflict_file":  {"appears again in the file with other values", "在檔案中重複出現，且值不同", "在文件中重复出现，且值不同"},
	"problem.line_break":     {"contains a line break", "含有換行", "含有换行"},
	"problem.undecodable":    {"contains undecodable bytes; check the file's encoding", "含有無法解碼的位元組，請檢查檔案編碼", "含有无法解码的字节，请检查文件编码"},
	"problem.missing_column": {"required column is missing from the file", "檔案缺少必填欄位", "文件缺少必填列"},
}

// publishedText says when the dashboard was published with the upload.
func publishedText(d Desk, at, zone string) string {
	return strings.NewReplacer("{time}", at, "{zone}", zone).Replace(d.T(UploadCatalog, "publish.published"))
}

// joinHeaders lists the other headers of a column.
func joinHeaders(d Desk, headers []string) string {
	return strings.Join(headers, d.T(UploadCatalog, "list.sep"))
}
