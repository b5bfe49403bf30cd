# La interfaz de Puente en español. Cada id tiene su gemelo en en/main.ftl (una prueba lo verifica).

nav-cases = Casos
nav-new-case = Nuevo caso
nav-audit = Auditoría
nav-admin = Usuarios y ajustes
nav-account = Mi cuenta
nav-logout = Cerrar sesión
footer-note = Puente: gestión de casos y evaluación para el trabajo contra la trata. Un resultado de evaluación es una ayuda, nunca una determinación legal.

role-advocate = Defensora o defensor
role-case_worker = Trabajador o trabajadora social
role-supervisor = Supervisión
role-org_admin = Administración de la organización
role-analyst = Análisis

login-title = Iniciar sesión
login-email = Correo electrónico
login-password = Contraseña
login-code = Código de su aplicación de autenticación
login-code-hint = Solo si su cuenta usa un segundo factor.
login-submit = Entrar

error-title = Algo salió mal
error-back = Volver al inicio
error-unauthenticated = No ha iniciado sesión.
error-invalid_credentials = El correo o la contraseña no son correctos.
error-second_factor_required = Esta cuenta necesita el código de su aplicación de autenticación, y faltaba o no era correcto.
error-too_many_attempts = Demasiados intentos fallidos. Vuelva a intentarlo en { $seconds } segundos.
error-forbidden = Su rol no permite esta acción.
error-second_factor_enrolment_required = Su organización pide a quienes administran usar un segundo factor: configúrelo primero.
error-csrf_rejected = El formulario caducó o no vino de Puente. Recargue la página e inténtelo de nuevo.
error-not_found = No encontrado.
error-stale_version = Otra persona cambió este caso desde que usted lo abrió (su versión { $yours }, ahora { $current }). No se sobrescribió nada: abra el caso de nuevo y repita su cambio.
error-conflict = Esto entra en conflicto con lo guardado.
error-invalid = Algo en el formulario no es válido.
error-bad_request = No se pudo leer la solicitud.
error-internal = Ocurrió un error interno. Quedó registrado; inténtelo de nuevo.

invalid-person-name = La persona necesita un nombre o un alias (escriba "desconocido" si no se sabe).
invalid-country = "{ $value }" no es un código de país.
invalid-code = "{ $value }" no es uno de los valores que admite este campo.
invalid-age = "{ $value }" no es una edad en años.
invalid-phone = "{ $value }" no es un número de teléfono (escríbalo con el código de país, por ejemplo +502 5555 1234).
invalid-date = "{ $value }" no es una fecha: escriba AAAA, AAAA-MM o AAAA-MM-DD.
invalid-consent-scopes = Un consentimiento necesita al menos una cosa que se pueda compartir.
invalid-consent-date = Un consentimiento necesita la fecha en que se dio.
invalid-owner = El usuario { $value } no es defensor, trabajador social ni supervisor de esta organización.
invalid-role = "{ $value }" no es un rol.
invalid-password-length = La contraseña debe tener al menos { $value } caracteres.
invalid-user-name = El usuario necesita un nombre.
invalid-own-role = No puede cambiar su propio rol.

cases-title = Casos
cases-empty = Aún no hay casos.
case-person = Persona
case-status = Estado
case-age = Edad
case-opened = Abierto
case-title = Caso { $id }
case-new-title = Nuevo caso
case-edit-title = Editar el caso { $id }
case-edit = Editar
case-version = versión { $version }
case-audit-link = Registro de auditoría
case-victim-context = Contexto de la víctima (HTCDS)
case-screenings = Evaluaciones
case-route = Ruta: captación, tránsito, explotación
case-consents = Consentimiento
case-notes = Notas
case-history = Historial
case-owner = Responsable
case-no-owner = nadie todavía
case-assign = Asignar
case-nothing-yet = Aún no hay nada registrado.

person-given-name = Nombre
person-middle-name = Segundo nombre
person-surname = Primer apellido
person-second-surname = Segundo apellido
person-alias = Conocida como
person-sex = Sexo
person-date-of-birth = Fecha de nacimiento
person-estimated-age = Edad estimada
person-nationality = Nacionalidad
person-languages = Idiomas
person-phone = Teléfono
person-current-country = País donde está ahora
person-current-place = Lugar donde está ahora
date-placeholder = AAAA, AAAA-MM o AAAA-MM-DD

victim-trafficking-status = Situación de trata
victim-types-of-exploitation = Tipos de explotación
victim-recruitment-methods = Cómo fue captada la persona
victim-methods-of-control = Métodos de control

victim-status-decided-by = Situación determinada por
victim-types-of-labour = Tipos de explotación laboral
victim-types-of-sex-exploitation = Tipos de explotación sexual
victim-relationship-to-trafficker = Relación con el tratante
victim-vulnerabilities = Vulnerabilidades

form-save = Guardar
notice-saved = Guardado.

event-add = Añadir un paso de la ruta
event-kind = Paso
event-country = País
event-place = Lugar
event-date = Fecha
event-description = Qué pasó

consent-add = Registrar un consentimiento
consent-with = Compartir con
consent-given-on = Dado el
consent-recorded-by = registrado por
consent-withdraw = Retirar
consent-withdrawn = retirado el

note-text = Nota
note-add = Añadir nota
note-empty = Una nota necesita texto.
status-change = Cambiar el estado

audit-title = Registro de auditoría del caso { $id }
audit-back = Volver al caso
audit-organisation-title = Registro de auditoría de la organización
audit-filter = Filtrar
audit-latest = Las últimas { $count } entradas, de la más reciente a la más antigua.
audit-record = Registro
audit-at = Cuándo
audit-actor = Quién
audit-action = Qué
audit-detail = Detalle
audit-chain-intact = La cadena de hashes del registro de auditoría está intacta ({ $entries } entradas).
audit-chain-broken = El registro de auditoría fue alterado: la cadena se rompe en la entrada { $entry }.

screening-title = Evaluación
screening-start-quick = Evaluación rápida
screening-start-full = Evaluación completa
screening-start-child = Evaluación para niñas, niños y adolescentes
screening-progress = { $answered } de unas { $total } preguntas
screening-back-to-case = Volver al caso
screening-years = Años
screening-next = Siguiente
screening-yes = Sí
screening-no = No
screening-unknown = No sabe / prefiere no decir
screening-finish-now = Terminar ahora y ver el resultado
screening-answer-invalid = Esa respuesta no corresponde a la pregunta. Inténtelo de nuevo.
screening-result-title = Resultado de la evaluación
screening-rules-version = reglas { $version }
screening-disclaimer = Este resultado es una ayuda para su trabajo, no una determinación legal. Cada conclusión nombra los hechos y la regla en que se basa.
screening-urgent = Urgente
screening-next-steps = Próximos pasos
screening-explanation = Por qué
screening-frameworks = Marcos legales
screening-met = se cumple
screening-not-met = no se cumple
screening-facts = Hechos registrados
framework-palermo = Protocolo de Palermo, art. 3
framework-tvpa-sex = TVPA de EE. UU.: trata sexual
framework-tvpa-labor = TVPA de EE. UU.: trata laboral
framework-ilo-forced-labour = Trabajo forzoso según la OIT

admin-title = Usuarios y ajustes
admin-users = Usuarios
admin-name = Nombre
admin-role = Rol
admin-second-factor = Segundo factor
admin-new-user = Nuevo usuario
admin-initial-password = Contraseña inicial (al menos 12 caracteres)
admin-change-role = Cambiar
admin-create-user = Crear usuario
admin-user-created = Se creó el usuario.
admin-reset-second-factor = Quitar (teléfono perdido)
admin-settings = Ajustes
admin-require-totp = Quienes administran la organización deben entrar con un segundo factor (aplicación de autenticación)

account-title = Mi cuenta
account-language = Idioma
account-language-browser = Según mi navegador
account-second-factor = Segundo factor
account-must-enrol = Su organización exige un segundo factor a quienes administran. Configúrelo abajo para continuar.
account-totp-on = Su cuenta usa un segundo factor.
account-totp-explain = Añada este secreto a una aplicación de autenticación (o abra el enlace en su teléfono) y escriba el código que muestra.
account-totp-enable = Activar el segundo factor
account-totp-enabled = El segundo factor está activo.
account-totp-wrong-code = Ese código no corresponde a este secreto. Revise la hora de su teléfono e inténtelo de nuevo.


## Issue 5: el directorio de servicios, las remisiones, los avisos y el tablero.

nav-dashboard = Tablero
nav-referrals = Remisiones
nav-notifications = Avisos
nav-directory = Servicios

directory-title = Directorio de servicios
directory-need = Necesidad
directory-any = Cualquiera
directory-country = País
directory-place = Municipio o departamento
directory-age = Edad
directory-sex = Sexo
directory-language = Idiomas
directory-search = Buscar
directory-results = { $count ->
    [one] Un servicio coincide, el mejor primero
   *[other] { $count } servicios coinciden, los mejores primero
}
directory-trafficking-specific = especializado en trata
directory-nothing = Ningún servicio coincide. Pruebe sin el lugar o la edad, o vea el informe de brechas en el tablero.

services-title = Servicios sugeridos
services-no-screening = Este caso aún no tiene evaluación: haga una para recibir sugerencias según sus próximos pasos, o busque en el directorio.
services-gap = Ningún servicio del directorio cubre esta necesidad para esta persona: una brecha.
services-search-directory = Buscar en el directorio
case-services-link = Servicios sugeridos y remisiones

referrals-title = Remisiones
referrals-received = Recibidas
referrals-sent = Enviadas
referrals-from = De
referrals-to = A
referrals-case = Caso
referrals-status = Estado
referrals-shared = Compartido
referrals-date = Fecha
referrals-none = Ninguna todavía.

referral-new = Remitir este caso
referral-refer-here = Remitir aquí
referral-back-to-case = Volver al caso
referral-title = Remisión { $id }
referral-reason = Motivo
referral-services = Servicios
referral-answered = Respondida
referral-completed = Completada
referral-revoked = Revocada
referral-accept = Aceptar
referral-reject = Rechazar
referral-reject-note = Motivo breve (sin datos personales)
referral-complete = Registrar los servicios como prestados
referral-revoke = Revocar la remisión
referral-revoke-hint = Al revocar, la otra organización deja de tener acceso al caso.
referral-shared-case = Lo compartido
referral-shared-only = Solo se compartieron estas partes del caso, con el consentimiento de la persona: { $parts }.
referral-part-identity = Identidad
referral-part-contact = Contacto
referral-part-screening = Resultados de la evaluación
referral-part-events = Ruta
referral-part-notes = Notas
referral-name = Nombre
referral-birth = Fecha de nacimiento
referral-nationality = Nacionalidad
referral-phone = Teléfono
referral-what-to-share = Qué compartir
referral-consent = La persona consiente en compartir estas partes con esta organización
referral-consent-hint = El consentimiento queda registrado en el caso con su nombre y la fecha de hoy. Sin él, no se comparte nada.
referral-send = Enviar la remisión
referral-pick-organisation = Elija la organización a la que remitir.

notifications-title = Avisos
notifications-none = No hay avisos.
notifications-mark-read = Marcar todos como leídos

dashboard-title = Tablero
dashboard-table = Las cifras
dashboard-cases = Casos
dashboard-total = Total
dashboard-overlapping = Un caso puede contarse en varios valores aquí, así que las filas no suman el total.
dashboard-csv = Descargar en CSV
dashboard-gaps = Brechas de servicios
dashboard-gaps-hint = Necesidades que ningún servicio del directorio cubre, por país y población.
dashboard-population = Población
dashboard-no-gaps = No se encontraron brechas.
dashboard-ctdc = Conjunto de datos CTDC importado ({ $count } registros)
dashboard-unknown = Sin registrar
dashboard-not-referred = Sin remitir
dashboard-no-service-yet = Aún sin servicio
dashboard-days = { $days } días
dashboard-ctdc-gender = Género
dashboard-ctdc-age_group = Grupo de edad
dashboard-ctdc-nationality = Ciudadanía
dashboard-ctdc-country_of_exploitation = País de explotación
dashboard-ctdc-year = Año de registro

## Issue 6: posibles duplicados de personas.

case-duplicates-link = Posibles duplicados
duplicates-title = Posibles duplicados de esta persona
duplicates-none = Ningún otro registro de su organización se parece a esta persona.
duplicates-warning-title = Esta persona quizá ya esté registrada
duplicates-warning = Su organización tiene registros que se parecen a { $name }. Revíselos antes de guardar: una persona con dos registros divide su historia.
duplicates-hidden-name = Un registro de su organización (no puede abrir su caso; consulte a una supervisora o supervisor)
duplicates-probability = { $percent } % de probabilidad de ser la misma persona
duplicates-cases = Casos
duplicates-explanation-hint = Cada línea dice cómo se compara un campo y cuánto pesa: positivo a favor de la misma persona, negativo en contra.
duplicates-save-anyway = Es otra persona: guardar
duplicates-cancel = Cancelar
duplicates-merge = Fusionar con la persona de este caso
duplicates-distinct = Son personas distintas
duplicates-field-given_name = Nombres
duplicates-field-surname = Apellidos
duplicates-field-date_of_birth = Fecha de nacimiento
duplicates-field-sex = Sexo
duplicates-field-nationality = Nacionalidad
duplicates-field-phone = Teléfono
duplicates-level-exact = iguales
duplicates-level-nickname = un apodo del mismo nombre
duplicates-level-jaro_winkler_0_92 = casi la misma escritura
duplicates-level-jaro_winkler_0_80 = una escritura parecida
duplicates-level-phonetic = suenan igual
duplicates-level-one_name_in_common = un nombre en común
duplicates-level-reordered_or_particles = los mismos apellidos, en otro orden o con partículas
duplicates-level-one_surname_in_common = un apellido en común
duplicates-level-day_month_swapped = día y mes intercambiados
duplicates-level-one_digit = un dígito distinto
duplicates-level-partial_agrees = coincide en lo que se sabe
duplicates-level-same_year = el mismo año
duplicates-level-same_national_number = el mismo número sin el código de país
duplicates-level-else = distintos

## Security: second factors, passwords, bounds and API errors.
account-totp-replace = Cambiar el segundo factor
account-totp-replace-explain = Para pasar a un teléfono nuevo: añada este secreto nuevo a su aplicación, y confirme con su contraseña, un código actual del factor que usa ahora y el código nuevo.
account-totp-qr-label = Código QR del secreto para su aplicación de autenticación
account-totp-open-link = Abrir en la aplicación de autenticación de este teléfono
account-totp-current-code = Código actual (del factor que usa ahora)
account-totp-new-code = Código que muestra la aplicación para el secreto nuevo
account-totp-offer-expired = Esta oferta de secreto caducó o no es suya. Vuelva a la página de su cuenta: allí se muestra un secreto nuevo para añadir a su aplicación.
account-totp-wrong-password = La contraseña no es correcta.
account-totp-wrong-current-code = El código actual no corresponde al segundo factor que usa ahora.
invalid-password-too-long = La contraseña puede tener como mucho { $value } bytes.
invalid-password-weak = Esa contraseña es fácil de adivinar (es común, repite caracteres, sigue el teclado o usa el nombre o el correo). Elija una frase de varias palabras poco comunes.
error-invalid_parameter = El parámetro «{ $field }» de la dirección no es válido: { $value }
error-invalid_field = El campo «{ $field }» no es válido: { $detail }
error-method_not_allowed = Esta dirección no responde a este método.
error-payload_too_large = La solicitud es demasiado grande.
error-unsupported_media_type = El cuerpo de la solicitud no es de un tipo que esta dirección lea (se espera JSON).
error-request_timeout = La solicitud tardó demasiado.
bound-too-long = «{ $field }» tiene más de { $max } caracteres.
bound-too-many = «{ $field }» tiene más de { $max } entradas.
bound-out-of-range = «{ $field }» debe estar entre { $min } y { $max } (se recibió { $value }).
bound-in-the-future = «{ $field }» no puede ser una fecha futura (se recibió { $value }).
bound-too-early = «{ $field }» no puede ser anterior a { $earliest } (se recibió { $value }).
error-form_unreadable = No se pudo leer el formulario: contiene caracteres que no son texto válido (UTF-8). Vuelva a escribir los campos e inténtelo de nuevo.
account-notices-title = Cuentas con privilegios
account-notice-created = { $actor } creó la cuenta { $user } con el rol { $role }: puede leer todos los casos o administrar las cuentas.
account-notice-promoted = { $actor } dio el rol { $role } a la cuenta { $user }: puede leer todos los casos o administrar las cuentas.
