
## Accounts: password, one-time links, recovery codes, notification e-mails.
account-password = Contraseña
account-password-current = Contraseña actual
account-password-new = Contraseña nueva (al menos 12 caracteres)
account-password-confirm = Repita la contraseña nueva
account-password-change = Cambiar la contraseña
account-password-changed = Su contraseña cambió. Las demás sesiones de su cuenta se cerraron.
account-password-wrong-current = La contraseña actual no es correcta.
account-password-mismatch = Las dos contraseñas nuevas no coinciden.
account-recovery-codes = Códigos de recuperación
account-recovery-codes-left = Le quedan { $count } códigos de recuperación sin usar.
account-recovery-codes-new = Crear códigos nuevos (los anteriores dejan de servir)
account-recovery-codes-shown-once = Guarde estos códigos ahora, en papel o en un gestor de contraseñas: no se mostrarán otra vez.
account-recovery-codes-explain = Si pierde el teléfono, escriba uno de estos códigos al iniciar sesión en lugar del código de la aplicación. Cada código sirve una sola vez.
account-recovery-codes-done = Ya los guardé
account-recovery-needs-totp = Los códigos de recuperación son para quien usa un segundo factor: actívelo primero.
account-email = Avisos por correo
account-email-explain = Enviarme un correo cuando haya algo nuevo para mí (el correo no dice de qué ni de quién se trata)
account-email-on = Recibirá un correo cuando haya algo nuevo.
account-email-off = Ya no recibirá correos de avisos.
admin-access = Acceso
admin-active = Activo
admin-inactive = Desactivado
admin-deactivate = Desactivar
admin-reactivate = Reactivar
admin-reset-password = Enlace para nueva contraseña
admin-not-for-yourself = Esto no se hace con la propia cuenta: use la página de su cuenta.
admin-reset-inactive = La cuenta está desactivada: reactívela antes de darle un enlace.
admin-reset-link-title = Enlace para una contraseña nueva
admin-reset-link-for = Enlace de un solo uso para { $name } ({ $email }):
admin-reset-link-once = Entréguelo a esa persona por un medio seguro. Solo se muestra ahora, sirve una vez y caduca en { $hours } horas.
reset-title = Elegir una contraseña nueva
reset-explain = Escriba la contraseña nueva de la cuenta
reset-submit = Guardar la contraseña nueva
reset-link-invalid = Este enlace ya no sirve: se usó, caducó o no existe. Pida uno nuevo a quien administra su organización.
login-recovery-summary = ¿Perdió el teléfono?
login-recovery-code = Código de recuperación
login-recovery-code-refused = Ese código de recuperación no es correcto o ya se usó: cada código sirve una sola vez. Escriba otro de sus códigos, o el código de su aplicación.
mail-notification-subject = Puente: hay algo nuevo para usted
mail-notification-body =
    Hola:

    Hay algo nuevo para usted en Puente. Ábralo aquí (hace falta iniciar sesión):
    { $link }

    Este correo no dice de qué se trata a propósito: ningún nombre ni dato de un caso sale de Puente por correo.
    Puede dejar de recibir estos correos en su cuenta: { $account }
audit-action-change_password = Cambió la contraseña
audit-action-password_reset_issued = Dio un enlace para una contraseña nueva
audit-action-password_reset = Eligió una contraseña nueva con un enlace
audit-action-deactivate_user = Desactivó una cuenta
audit-action-reactivate_user = Reactivó una cuenta
audit-action-recovery_codes_issued = Creó códigos de recuperación
audit-action-recovery_code_used = Usó un código de recuperación
audit-action-email_notifications = Cambió los avisos por correo
