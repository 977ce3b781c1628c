package mail

import (
	"net/url"
	"time"

	"mxcert/internal/model"
)

// The pages that account messages link to.
const (
	VerifyPath = "/correo/verificar"  // ?t=TOKEN: confirms an address (new account or a new address)
	ResetPath  = "/contrasena/nueva"  // ?t=TOKEN: the form for a new password
	ForgotPath = "/contrasena/olvide" // asks for a reset link
	SignInPath = "/entrar"
)

// VerifyLink is the address that confirms an e-mail with token.
func (c *Composer) VerifyLink(token string) string {
	return c.site + VerifyPath + "?t=" + url.QueryEscape(token)
}

// ResetLink is the address where token lets a person choose a password.
func (c *Composer) ResetLink(token string) string {
	return c.site + ResetPath + "?t=" + url.QueryEscape(token)
}

// VerifyEmail asks a new account's owner to confirm the address, with a
// link valid for ttl.
func (c *Composer) VerifyEmail(lang, to, name, token string, ttl time.Duration) (*model.Mail, error) {
	return c.Compose("verify-email", lang, to, struct {
		Name, Link string
		Hours      int
	}{name, c.VerifyLink(token), int(ttl / time.Hour)})
}

// ConfirmNewEmail asks for a new address to be confirmed before the
// account uses it; sent to the new address.
func (c *Composer) ConfirmNewEmail(lang, to, name, token string, ttl time.Duration) (*model.Mail, error) {
	return c.Compose("email-change", lang, to, struct {
		Name, Link, NewEmail string
		Hours                int
	}{name, c.VerifyLink(token), to, int(ttl / time.Hour)})
}

// EmailChanged tells the old address that the account now uses newEmail.
func (c *Composer) EmailChanged(lang, to, name, newEmail string) (*model.Mail, error) {
	return c.Compose("email-changed", lang, to, struct{ Name, NewEmail string }{name, newEmail})
}

// PasswordReset carries a link, valid for ttl, to choose a new password.
func (c *Composer) PasswordReset(lang, to, name, token string, ttl time.Duration) (*model.Mail, error) {
	return c.Compose("password-reset", lang, to, struct {
		Name, Link, ForgotLink string
		Minutes                int
	}{name, c.ResetLink(token), c.site + ForgotPath, int(ttl / time.Minute)})
}

// PasswordChanged tells the owner that the password changed and every
// session ended.
func (c *Composer) PasswordChanged(lang, to, name string) (*model.Mail, error) {
	return c.Compose("password-changed", lang, to, struct{ Name, SignInLink, ForgotLink string }{name, c.site + SignInPath, c.site + ForgotPath})
}

// AccountExists answers a registration (or an address change) with an
// address that already has an account: to its mailbox, never to the
// person who typed it.
func (c *Composer) AccountExists(lang, to string) (*model.Mail, error) {
	return c.Compose("account-exists", lang, to, struct{ SignInLink, ForgotLink string }{c.site + SignInPath, c.site + ForgotPath})
}
