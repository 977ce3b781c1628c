package model

// Activity is what one account holds: its exam attempts by outcome and
// its certificates. The duplicates report shows it beside each account,
// and a merge records it before and after.
type Activity struct {
	Passed            int `json:"passed"`
	Failed            int `json:"failed"`
	InProgress        int `json:"in_progress"`
	Certificates      int `json:"certificates"`       // every status
	ValidCertificates int `json:"valid_certificates"` // valid now
	Practice          int `json:"practice_sessions"`
	Studied           int `json:"modules_studied"`
}

// MergeMoves counts the rows a merge moved from the closed account into
// the kept one.
type MergeMoves struct {
	Attempts      int64 `json:"attempts"`
	Practice      int64 `json:"practice_sessions"`
	Progress      int64 `json:"module_progress"`
	Certificates  int64 `json:"certificates"`
	SessionsEnded int64 `json:"sessions_ended"`
}
