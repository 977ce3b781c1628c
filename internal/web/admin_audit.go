package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"mxcert/internal/admin"
	"mxcert/internal/model"
)

// auditActionLabels names every action of the audit log in words: the
// message id of each, in the locales' "audit" section. An action missing
// here is shown as its code; a test requires every model.Action.
var auditActionLabels = map[model.Action]string{
	model.ActionUserCreate:            "audit.user_create",
	model.ActionUserAccommodate:       "audit.user_accommodation",
	model.ActionUserNameChange:        "audit.user_name_change",
	model.ActionUserNameCorrect:       "audit.user_name_correct",
	model.ActionPasswordChange:        "audit.user_password_change",
	model.ActionUserMerge:             "audit.user_merge",
	model.ActionAttemptStart:          "audit.attempt_start",
	model.ActionAttemptFinish:         "audit.attempt_finish",
	model.ActionCooldownWaive:         "audit.attempt_cooldown_waive",
	model.ActionAttemptView:           "audit.attempt_view",
	model.ActionAttemptExtend:         "audit.attempt_extend",
	model.ActionAttemptCancel:         "audit.attempt_cancel",
	model.ActionCandidateNote:         "audit.user_note",
	model.ActionCertIssue:             "audit.certificate_issue",
	model.ActionCertRevoke:            "audit.certificate_revoke",
	model.ActionCertReinstate:         "audit.certificate_reinstate",
	model.ActionContentReload:         "audit.content_reload",
	model.ActionListingCreate:         "audit.listing_create",
	model.ActionListingUpdate:         "audit.listing_update",
	model.ActionListingPublish:        "audit.listing_publish",
	model.ActionListingUnpublish:      "audit.listing_unpublish",
	model.ActionListingDelete:         "audit.listing_delete",
	model.ActionListingHide:           "audit.listing_hide",
	model.ActionListingRestore:        "audit.listing_restore",
	model.ActionStorySubmit:           "moderation.audit_story_submit",
	model.ActionStoryDelete:           "moderation.audit_story_delete",
	model.ActionStoryApprove:          "moderation.audit_story_approve",
	model.ActionStoryReject:           "moderation.audit_story_reject",
	model.ActionReportDismiss:         "moderation.audit_report_dismiss",
	model.ActionListingLevel:          "moderation.audit_listing_level",
	model.ActionLevelCreate:           "moderation.audit_level_create",
	model.ActionLevelUpdate:           "moderation.audit_level_update",
	model.ActionLevelDelete:           "moderation.audit_level_delete",
	model.ActionTOTPEnrol:             "audit.mfa_enrol",
	model.ActionTOTPUse:               "audit.mfa_totp_use",
	model.ActionRecoveryUse:           "audit.mfa_recovery_use",
	model.ActionRecoveryRenew:         "audit.mfa_recovery_renew",
	model.ActionVerifyFailure:         "audit.mfa_failure",
	model.ActionPasswordRecheck:       "audit.mfa_password_recheck",
	model.ActionSignIn:                "audit.auth_sign_in",
	model.ActionSignInFailure:         "audit.auth_sign_in_failure",
	model.ActionLockout:               "audit.auth_lockout",
	model.ActionSignOut:               "audit.auth_sign_out",
	model.ActionPasswordChangeFailure: "audit.user_password_change_failure",
	model.ActionRegisterExisting:      "audit.user_register_existing",
	model.ActionEmailVerifySend:       "audit.user_email_verify_send",
	model.ActionEmailVerify:           "audit.user_email_verify",
	model.ActionEmailChangeRequest:    "audit.user_email_change_request",
	model.ActionEmailChange:           "audit.user_email_change",
	model.ActionPasswordResetRequest:  "audit.user_password_reset_request",
	model.ActionPasswordResetIssue:    "audit.user_password_reset_issue",
	model.ActionPasswordReset:         "audit.user_password_reset",
}

// auditDetailLabels names the keys of the entries' details, in the order
// they are listed; a key not here is shown as it is, after these.
var auditDetailLabels = []struct{ key, id string }{
	{"reason", "audit.key_reason"},
	{"before", "audit.key_before"},
	{"after", "audit.key_after"},
	{"code", "audit.key_code"},
	{"holder_name", "audit.key_holder_name"},
	{"attempt", "audit.key_attempt"},
	{"candidate", "audit.key_candidate"},
	{"track", "audit.key_track"},
	{"score", "audit.key_score"},
	{"total", "audit.key_total"},
	{"passed", "audit.key_passed"},
	{"before_minutes", "audit.key_before_minutes"},
	{"after_minutes", "audit.key_after_minutes"},
	{"extra_minutes", "audit.key_extra_minutes"},
	{"reissued", "audit.key_reissued"},
	{"new", "audit.key_new"},
	{"ip", "audit.key_ip"},
	{"session", "audit.key_session"},
	{"method", "audit.key_method"},
	{"purpose", "audit.key_purpose"},
	{"user_id", "audit.key_user_id"},
	{"role", "audit.key_role"},
	{"via", "audit.key_via"},
	{"replaced", "audit.key_replaced"},
	{"count", "audit.key_count"},
	{"delivered", "audit.key_delivered"},
	{"sessions_ended", "audit.key_sessions_ended"},
	{"other_sessions_ended", "audit.key_other_sessions_ended"},
	{"content_version", "audit.key_content_version"},
	{"bank_version", "audit.key_bank_version"},
	{"bank_before", "audit.key_bank_before"},
	{"bank_after", "audit.key_bank_after"},
	{"warnings", "audit.key_warnings"},
	{"kept", "audit.key_kept"},
	{"closed", "audit.key_closed"},
	{"moved", "audit.key_moved"},
	{"email_verified", "audit.key_email_verified"},
	{"listing", "moderation.key_listing"},
	{"story", "moderation.key_story"},
	{"report", "moderation.key_report"},
	{"reports_closed", "moderation.key_reports_closed"},
	{"level", "moderation.key_level"},
	{"name", "moderation.key_name"},
	{"position", "moderation.key_position"},
}

// certStatusLabels are a certificate's states as its entries' before and
// after name them.
var certStatusLabels = map[string]string{
	string(model.CertValid):      "audit.status_valid",
	string(model.CertRevoked):    "audit.status_revoked",
	string(model.CertSuperseded): "audit.status_superseded",
}

// auditRow is an audit entry as the page and the CSV show it.
type auditRow struct {
	ID          int64
	When        string
	Actor       string // the actor's name; "" for the system
	ActorLink   string
	Action      string // in words
	Code        model.Action
	Subject     string
	SubjectLink string
	Details     []auditDetail
}

type auditDetail struct{ Label, Value string }

// auditRow puts an entry into words in the page's language.
func (b base) auditRow(e model.AuditEntry) auditRow {
	r := auditRow{ID: e.ID, When: b.DateTime(e.At), Actor: e.ActorName, Action: string(e.Action), Code: e.Action, Subject: e.Subject}
	if id, ok := auditActionLabels[e.Action]; ok {
		r.Action = b.T(id)
	}
	if e.ActorID != 0 && e.ActorName != "" {
		r.ActorLink = "/admin/candidatos/" + strconv.FormatInt(e.ActorID, 10)
	}
	action := string(e.Action)
	switch {
	case strings.HasPrefix(action, "certificate."):
		r.SubjectLink = "/admin/certificados/" + e.Subject
		if code, ok := e.Detail["code"].(string); ok && code != "" {
			r.Subject = code
		}
	case strings.HasPrefix(action, "attempt."):
		r.SubjectLink = "/admin/intentos/" + e.Subject
	case e.SubjectUserID != 0:
		r.SubjectLink = "/admin/candidatos/" + strconv.FormatInt(e.SubjectUserID, 10)
	case strings.HasPrefix(e.Subject, "listing:"):
		r.SubjectLink = "/admin/directorio/anuncios/" + strings.TrimPrefix(e.Subject, "listing:")
	case e.Action == model.ActionContentReload:
		r.Subject = b.T("audit.subject_version", "Version", e.Subject)
	case e.Subject == "unknown":
		r.Subject = b.T("audit.subject_unknown")
	}
	known := map[string]bool{}
	for _, l := range auditDetailLabels {
		known[l.key] = true
		if v, ok := e.Detail[l.key]; ok {
			r.Details = append(r.Details, auditDetail{b.T(l.id), b.auditValue(e.Action, l.key, v)})
		}
	}
	var rest []string
	for k := range e.Detail {
		if !known[k] {
			rest = append(rest, k)
		}
	}
	slices.Sort(rest)
	for _, k := range rest {
		r.Details = append(r.Details, auditDetail{k, b.auditValue(e.Action, k, e.Detail[k])})
	}
	return r
}

// auditValue writes a detail's value: yes or no for a truth value, a
// certificate's state in words, a structure as compact JSON.
func (b base) auditValue(action model.Action, key string, v any) string {
	switch v := v.(type) {
	case nil:
		return "—"
	case bool:
		if v {
			return b.T("audit.yes")
		}
		return b.T("audit.no")
	case string:
		if id, ok := certStatusLabels[v]; ok && (key == "before" || key == "after") && strings.HasPrefix(string(action), "certificate.") {
			return b.T(id)
		}
		return v
	case float64, int, int64:
		return fmt.Sprint(v)
	default:
		j, err := json.Marshal(v)
		if err != nil {
			return fmt.Sprint(v)
		}
		return string(j)
	}
}

// Text is the row's details on one line, for the CSV.
func (r auditRow) Text() string {
	parts := make([]string, len(r.Details))
	for i, d := range r.Details {
		parts[i] = d.Label + ": " + d.Value
	}
	return strings.Join(parts, "; ")
}

type auditActionOption struct {
	Code  string
	Label string
}

type adminAuditView struct {
	base
	Rows    []auditRow
	Actions []auditActionOption
	Action  string
	Person  string
	From    string // yyyy-mm-dd as typed, "" for none
	To      string
	Next    int64
}

// link is the log's address with the current filter and kv added.
func (v adminAuditView) link(kv ...string) string {
	return "/admin/bitacora?" + urlValues(append([]string{"accion", v.Action, "persona", v.Person, "desde", v.From, "hasta", v.To}, kv...)...)
}

// CSVLink downloads every entry of the current filter.
func (v adminAuditView) CSVLink() string { return v.link("formato", "csv") }

// OlderLink is the page after this one.
func (v adminAuditView) OlderLink() string { return v.link("antes", strconv.FormatInt(v.Next, 10)) }

// urlValues encodes the non-empty pairs of kv as a query string.
func urlValues(kv ...string) string {
	var parts []string
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] != "" {
			parts = append(parts, kv[i]+"="+url.QueryEscape(kv[i+1]))
		}
	}
	return strings.Join(parts, "&")
}

// auditDay reads a date typed in the filter, in the site's time zone: the
// start of that day, or of the day after it (for "hasta", which includes
// its day). A date that cannot be read is no limit, and is dropped.
func (s *Server) auditDay(text *string, dayAfter bool) time.Time {
	d, err := time.ParseInLocation(time.DateOnly, strings.TrimSpace(*text), s.zone)
	if err != nil {
		*text = ""
		return time.Time{}
	}
	*text = d.Format(time.DateOnly)
	if dayAfter {
		d = d.AddDate(0, 0, 1)
	}
	return d
}

// adminAudit lists the audit log, filterable by action, person and dates,
// as a page or, with formato=csv, every filtered entry as CSV.
func (s *Server) adminAudit(c *gin.Context) error {
	v := adminAuditView{base: s.base(c, "admin.audit_title"), Action: c.Query("accion"), Person: strings.TrimSpace(c.Query("persona")), From: c.Query("desde"), To: c.Query("hasta")}
	q := admin.AuditQuery{Action: v.Action, Person: v.Person, From: s.auditDay(&v.From, false), To: s.auditDay(&v.To, true)}
	if c.Query("formato") == "csv" {
		return writeCSV(c, "bitacora.csv", func(emit func([]string) error) error {
			if err := emit([]string{"fecha", "persona", "accion", "codigo_accion", "asunto", "detalle"}); err != nil {
				return err
			}
			return s.admin.ExportAudit(c.Request.Context(), q, func(e model.AuditEntry) error {
				r := v.auditRow(e)
				actor := r.Actor
				if actor == "" {
					actor = v.T("admin.audit_system")
				}
				return emit([]string{e.At.In(s.zone).Format("2006-01-02 15:04:05"), actor, r.Action, string(e.Action), r.Subject, r.Text()})
			})
		})
	}
	before, err := strconv.ParseInt(c.Query("antes"), 10, 64)
	if err != nil {
		before = 0 // not a number: the newest entries
	}
	q.Before = before
	p, err := s.admin.Audit(c.Request.Context(), q)
	if err != nil {
		return err
	}
	for _, e := range p.Entries {
		v.Rows = append(v.Rows, v.auditRow(e))
	}
	for _, a := range p.Actions {
		o := auditActionOption{Code: a, Label: a}
		if id, ok := auditActionLabels[model.Action(a)]; ok {
			o.Label = v.T(id)
		}
		v.Actions = append(v.Actions, o)
	}
	slices.SortStableFunc(v.Actions, func(a, b auditActionOption) int { return strings.Compare(a.Label, b.Label) })
	v.Next = p.Next
	return s.page(c, http.StatusOK, "admin_audit", v)
}
