package site

// SetListPageRows makes the list pages show at most n rows until the
// returned function restores the number.
func SetListPageRows(n int) (restore func()) {
	old := listPageRows
	listPageRows = n
	return func() { listPageRows = old }
}
