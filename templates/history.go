package templates

import "strconv"

// HistoryPage is the upload history: every upload attempt, newest first,
// one page of them.
type HistoryPage struct {
	Desk     Desk
	Attempts []HistoryAttempt
	Zone     string // the organisation's time zone, which When is written in
	Page     int    // 1-based
	Pages    int
	Total    int
	// MaxErrors is how many problems are kept per attempt.
	MaxErrors int
}

// thousands writes n with thousands separators: 100,000.
func thousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0 && s[i-1] != '-'; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// HistoryAttempt is one upload attempt as the history shows it.
type HistoryAttempt struct {
	ID            int64
	When          string // YYYY-MM-DD HH:MM in the organisation's zone
	By            string
	Via           string // page or api
	FileName      string
	Kind          string // "" when none could be told
	DryRun        bool
	Outcome       string // ingested, dry_run, rejected, duplicate, refused, failed
	BatchID       string
	RowsTotal     int
	RowsAccepted  int
	RowsRejected  int
	RowsDuplicate int
	ErrorsTotal   int
	ErrorsKept    int
	ErrorsCSV     string // "" when none were kept
	Problem       string
}

// Wrote says whether the attempt wrote rows.
func (a HistoryAttempt) Wrote() bool { return a.Outcome == "ingested" }

// HistoryCatalog is the texts of the upload history.
var HistoryCatalog = Catalog{
	"title":     {"Upload history", "上傳紀錄", "上传记录"},
	"intro":     {"Every upload, newest first: through this desk, the API and the command line, including rejected files and dry runs, which wrote nothing. Times are in %s.", "所有上傳，最新的在前：包括透過此頁面、API 與命令列的上傳，以及未寫入任何資料的被拒檔案與模擬上傳。時間為 %s 時區。", "所有上传，最新的在前：包括通过此页面、API 和命令行的上传，以及未写入任何数据的被拒文件和模拟上传。时间为 %s 时区。"},
	"kept":      {"Up to %s problems are kept with each upload; download them to fix the file.", "每次上傳最多保留 %s 個問題，可下載後據以修正檔案。", "每次上传最多保留 %s 个问题，可下载后据此修正文件。"},
	"none":      {"No uploads yet.", "尚無上傳紀錄。", "暂无上传记录。"},
	"when":      {"When", "時間", "时间"},
	"who":       {"Who", "上傳者", "上传者"},
	"file":      {"File", "檔案", "文件"},
	"kind":      {"Kind", "資料類型", "数据类型"},
	"total":     {"Rows", "列數", "行数"},
	"accepted":  {"Accepted", "已接受", "已接受"},
	"rejected":  {"Rejected", "已拒絕", "已拒绝"},
	"duplicate": {"Already in", "已存在", "已存在"},
	"outcome":   {"Outcome", "結果", "结果"},
	"errors":    {"Problems", "問題", "问题"},
	"csv":       {"%d (CSV)", "%d 個（CSV）", "%d 个（CSV）"},
	"via.api":   {"through the API", "透過 API", "通过 API"},
	"unknown":   {"unknown", "不明", "未知"},
	"newer":     {"Newer", "較新", "较新"},
	"older":     {"Older", "較舊", "较旧"},
	"pageof":    {"Page %d of %d (%d uploads)", "第 %d 頁，共 %d 頁（%d 次上傳）", "第 %d 页，共 %d 页（%d 次上传）"},
	"nothing":   {"nothing written", "未寫入", "未写入"},

	"outcome.ingested":  {"ingested", "已匯入", "已导入"},
	"outcome.dry_run":   {"dry run", "模擬上傳", "模拟上传"},
	"outcome.rejected":  {"rejected", "已拒絕", "已拒绝"},
	"outcome.duplicate": {"same file again", "重複的檔案", "重复的文件"},
	"outcome.refused":   {"refused", "被拒", "被拒"},
	"outcome.failed":    {"failed", "失敗", "失败"},
}
