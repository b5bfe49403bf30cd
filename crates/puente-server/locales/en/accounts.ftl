
## Accounts: password, one-time links, recovery codes, notification e-mails.
account-password = Password
account-password-current = Current password
account-password-new = New password (at least 12 characters)
account-password-confirm = The new password again
account-password-change = Change the password
account-password-changed = Your password changed. The other sessions of your account were closed.
account-password-wrong-current = The current password is not right.
account-password-mismatch = The two new passwords are not the same.
account-recovery-codes = Recovery codes
account-recovery-codes-left = You have { $count } unused recovery codes left.
account-recovery-codes-new = Make new codes (the earlier ones stop working)
account-recovery-codes-shown-once = Keep these codes now, on paper or in a password manager: they will not be shown again.
account-recovery-codes-explain = If you lose your phone, type one of these codes at login instead of the app's code. Each code works once.
account-recovery-codes-done = I have kept them
account-recovery-needs-totp = Recovery codes are for accounts with a second factor: turn it on first.
account-email = E-mail notices
account-email-explain = Send me an e-mail when there is something new for me (the mail does not say what it is about or who)
account-email-on = You will get an e-mail when there is something new.
account-email-off = You will no longer get notice e-mails.
admin-access = Access
admin-active = Active
admin-inactive = Deactivated
admin-deactivate = Deactivate
admin-reactivate = Reactivate
admin-reset-password = Link for a new password
admin-not-for-yourself = Not for your own account: use your account page.
admin-reset-inactive = The account is deactivated: reactivate it before giving it a link.
admin-reset-link-title = Link for a new password
admin-reset-link-for = One-time link for { $name } ({ $email }):
admin-reset-link-once = Give it to that person in a safe way. It is shown only now, works once and expires in { $hours } hours.
reset-title = Choose a new password
reset-explain = Type the new password of the account
reset-submit = Save the new password
reset-link-invalid = This link no longer works: it was used, it expired or it does not exist. Ask your organisation's admin for a new one.
login-recovery-summary = Lost your phone?
login-recovery-code = Recovery code
login-recovery-code-refused = That recovery code is not right or was used already: each code works only once. Type another of your codes, or your app's code.
mail-notification-subject = Puente: there is something new for you
mail-notification-body =
    Hello,

    There is something new for you in Puente. Open it here (you need to log in):
    { $link }

    This mail does not say what it is about on purpose: no name or detail of a case leaves Puente by e-mail.
    You can stop these e-mails on your account page: { $account }
audit-action-change_password = Changed the password
audit-action-password_reset_issued = Gave a link for a new password
audit-action-password_reset = Chose a new password through a link
audit-action-deactivate_user = Deactivated an account
audit-action-reactivate_user = Reactivated an account
audit-action-recovery_codes_issued = Made recovery codes
audit-action-recovery_code_used = Used a recovery code
audit-action-email_notifications = Changed the e-mail notices
