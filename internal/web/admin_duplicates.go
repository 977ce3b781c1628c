package web

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"mxcert/internal/admin"
	"mxcert/internal/model"
)

type adminDuplicatesView struct {
	base
	*admin.Duplicates
	Prev, Next int // pages; 0 when there is none
}

// adminDuplicates lists the accounts that are likely one person, a page
// of groups at a time, each with a form to choose which to keep.
func (s *Server) adminDuplicates(c *gin.Context) error {
	page, _ := strconv.Atoi(c.Query("pagina")) // anything but a number is the first page
	d, err := s.admin.Duplicates(c.Request.Context(), page)
	if err != nil {
		return err
	}
	v := adminDuplicatesView{base: s.base(c, "admin.duplicates_title"), Duplicates: d}
	if d.Page > 1 {
		v.Prev = d.Page - 1
	}
	if d.Page < d.Pages {
		v.Next = d.Page + 1
	}
	return s.page(c, http.StatusOK, "admin_duplicates", v)
}

type adminMergeView struct {
	base
	Plan   *admin.MergePlan // nil when the pair cannot be joined at all
	Sides  []mergeSide      // the kept account, then the closed one
	Action string
	Error  string // message id of a refusal
}

// mergeSide is one account of a merge as its confirmation shows it.
type mergeSide struct {
	Label    string // message id
	User     *model.User
	Activity model.Activity
}

// mergeRefusals are the messages of the merges the console refuses.
var mergeRefusals = map[error]string{
	admin.ErrMergeSelf:      "admin.merge_self",
	admin.ErrMergeClosed:    "admin.merge_closed",
	admin.ErrMergeAdmin:     "admin.merge_admin",
	admin.ErrMergeBothOpen:  "admin.merge_both_open",
	admin.ErrMergeTwoValid:  "admin.merge_two_valid",
	admin.ErrMergeOpenValid: "admin.merge_open_valid",
}

func mergeRefusal(err error) string {
	for e, id := range mergeRefusals {
		if errors.Is(err, e) {
			return id
		}
	}
	return ""
}

// adminMerge: GET shows both accounts and what will move, POST joins the
// account to close (cerrar) into the one to keep (conservar).
func (s *Server) adminMerge(c *gin.Context) error {
	keep, err1 := strconv.ParseInt(c.Query("conservar"), 10, 64)
	closeID, err2 := strconv.ParseInt(c.Query("cerrar"), 10, 64)
	if err1 != nil || err2 != nil || keep <= 0 || closeID <= 0 {
		return errNotFound
	}
	v := adminMergeView{base: s.base(c, "admin.merge_title"), Action: c.Request.URL.RequestURI()}
	plan, err := s.admin.PlanMerge(c.Request.Context(), keep, closeID)
	if id := mergeRefusal(err); id != "" {
		v.Error = id // the pair cannot be joined whatever changes
		return s.page(c, statusOf(err), "admin_merge", v)
	}
	if err != nil {
		return err
	}
	v.Plan = plan
	v.Sides = []mergeSide{{"admin.merge_keep", plan.Keep, plan.KeepActivity}, {"admin.merge_close", plan.Close, plan.CloseActivity}}
	if c.Request.Method == http.MethodGet {
		v.Error = mergeRefusal(plan.Refusal)
		return s.page(c, http.StatusOK, "admin_merge", v)
	}
	if err := parseForm(c); err != nil {
		return err
	}
	_, err = s.admin.Merge(c.Request.Context(), currentUser(c).ID, keep, closeID)
	if id := mergeRefusal(err); id != "" {
		v.Error = id
		return s.page(c, http.StatusConflict, "admin_merge", v)
	}
	if err != nil {
		return err
	}
	s.setFlashWith(c, "flash.accounts_merged", "Closed", plan.Close.Name, "ClosedEmail", plan.Close.Email, "Kept", plan.Keep.Name, "KeptEmail", plan.Keep.Email)
	return redirect(c, "/admin/candidatos/"+strconv.FormatInt(keep, 10))
}
