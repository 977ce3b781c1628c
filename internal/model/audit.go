package model

import "time"

// Action is what an audit entry records. Every change the foundation may
// need to account for is written with one of these, in the same
// transaction as the change.
type Action string

const (
	ActionUserCreate      Action = "user.create"
	ActionUserAccommodate Action = "user.accommodation"
	ActionUserNameChange  Action = "user.name_change"  // by the candidate
	ActionUserNameCorrect Action = "user.name_correct" // by the foundation, re-issuing
	ActionPasswordChange  Action = "user.password_change"
	ActionUserMerge       Action = "user.merge" // two accounts of one person joined into one
	ActionAttemptStart    Action = "attempt.start"
	ActionAttemptFinish   Action = "attempt.finish"
	ActionCooldownWaive   Action = "attempt.cooldown_waive"
	ActionAttemptView     Action = "attempt.view"   // staff opened an attempt's answers and key
	ActionAttemptExtend   Action = "attempt.extend" // staff added time to a running attempt
	ActionAttemptCancel   Action = "attempt.cancel" // staff cancelled an attempt, with a reason
	ActionCandidateNote   Action = "user.note"      // staff wrote a note on a candidate
	ActionCertIssue       Action = "certificate.issue"
	ActionCertRevoke      Action = "certificate.revoke"
	ActionCertReinstate   Action = "certificate.reinstate"
	ActionContentReload   Action = "content.reload"
)

// The directory of certified technicians. Their detail names the listing
// by id, never its contents: a deleted listing leaves no personal data
// behind in the audit log.
const (
	ActionListingCreate    Action = "directory.listing_create"
	ActionListingUpdate    Action = "directory.listing_update"
	ActionListingPublish   Action = "directory.listing_publish"
	ActionListingUnpublish Action = "directory.listing_unpublish"
	ActionListingDelete    Action = "directory.listing_delete"
	ActionListingHide      Action = "directory.listing_hide"    // by the foundation, with a reason
	ActionListingRestore   Action = "directory.listing_restore" // the foundation shows it again
)

// The directory's moderation: success stories, visitors' reports and the
// partner programme. Their detail names listings, stories, reports and
// levels by id, and a reason; never a visitor.
const (
	ActionStorySubmit   Action = "directory.story_submit"   // by its author, pending approval
	ActionStoryDelete   Action = "directory.story_delete"   // by its author
	ActionStoryApprove  Action = "directory.story_approve"  // by the foundation: public from now on
	ActionStoryReject   Action = "directory.story_reject"   // by the foundation, with a reason
	ActionReportDismiss Action = "directory.report_dismiss" // a visitor's report closed with nothing to do
	ActionListingLevel  Action = "directory.listing_level"  // a listing's partner level set or removed
	ActionLevelCreate   Action = "directory.level_create"
	ActionLevelUpdate   Action = "directory.level_update"
	ActionLevelDelete   Action = "directory.level_delete"
)

// The second factor's entries. Their detail names the account and the
// source address; never a code or a secret.
const (
	ActionTOTPEnrol       Action = "mfa.enrol"            // an authenticator enrolled or replaced
	ActionTOTPUse         Action = "mfa.totp_use"         // a TOTP code accepted
	ActionRecoveryUse     Action = "mfa.recovery_use"     // a recovery code spent
	ActionRecoveryRenew   Action = "mfa.recovery_renew"   // a new set of recovery codes
	ActionVerifyFailure   Action = "mfa.failure"          // a wrong code, or a wrong password at a re-check
	ActionPasswordRecheck Action = "mfa.password_recheck" // the password typed again before a sensitive action
)

// Authentication events: whose account, from which address (detail
// "ip"), when (the entry's time). A failed sign-in names the account it
// tried when the e-mail is one, "unknown" otherwise; a lockout is an
// address made to wait after too many failures. Never a password or a
// session token.
const (
	ActionSignIn                Action = "auth.sign_in"
	ActionSignInFailure         Action = "auth.sign_in_failure"
	ActionLockout               Action = "auth.lockout"
	ActionSignOut               Action = "auth.sign_out"
	ActionPasswordChangeFailure Action = "user.password_change_failure" // a wrong current password
)

// Addresses and single-use links. Their detail names the account and the
// source address; never a token.
const (
	ActionRegisterExisting     Action = "user.register_existing"      // a registration with an address that has an account: nothing made, the owner told
	ActionEmailVerifySend      Action = "user.email_verify_send"      // a confirmation link sent (registration or a resend)
	ActionEmailVerify          Action = "user.email_verify"           // the address confirmed
	ActionEmailChangeRequest   Action = "user.email_change_request"   // a link sent to a new address
	ActionEmailChange          Action = "user.email_change"           // the new address confirmed and in use; the old one told
	ActionPasswordResetRequest Action = "user.password_reset_request" // «¿Olvidaste tu contraseña?»: subject "unknown" when no account has the address
	ActionPasswordResetIssue   Action = "user.password_reset_issue"   // a reset link made by the foundation (console or command line)
	ActionPasswordReset        Action = "user.password_reset"         // a new password set through a link; every session ended
)

// AuditEntry is one line of the audit log.
type AuditEntry struct {
	ID        int64
	At        time.Time
	ActorID   int64
	ActorName string // empty for the command line or the system
	Action    Action
	Subject   string
	// SubjectUserID is the account whose address the subject is, 0 when
	// the subject is not an account's address.
	SubjectUserID int64
	Detail        map[string]any
}

// EventKind is what a dated event of the console's weekly charts is.
type EventKind string

const (
	EventRegistered EventKind = "registered"
	EventPassed     EventKind = "passed"
	EventFailed     EventKind = "failed"
	EventIssued     EventKind = "issued"
	EventRevoked    EventKind = "revoked"
)

// Event is a dated happening for the weekly charts.
type Event struct {
	At   time.Time
	Kind EventKind
}

// Totals are the dashboard's headline numbers.
type Totals struct {
	Candidates        int
	AttemptsOpen      int
	AttemptsPassed    int
	AttemptsFailed    int
	CertsValid        int
	CertsRevoked      int
	CertsSuperseded   int
	CandidatesByState map[string]int
	CertifiedByState  map[string]int
}
