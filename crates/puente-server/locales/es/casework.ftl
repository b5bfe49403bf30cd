# Referrals: urgency, reason in words, contact person.
referral-urgency = Urgencia
referral-pick-urgency = Elija la urgencia de la remisión.
referral-reason-note = Motivo en palabras
referral-reason-note-hint = Por qué la remite y qué necesita; no escriba más de la persona que lo que comparte.
referral-contact = Persona de contacto
referral-contact-name = Nombre
referral-contact-details = Teléfono o correo
referral-needs-contact = Escriba a quién puede llamar la otra organización.

# The organisation's setting of who sees which cases.
admin-advocates-see-team-cases = Defensoras, defensores y trabajo social ven los casos de todo el equipo
admin-advocates-see-team-cases-hint = Sin marcar, cada quien ve solo los casos que tiene a su cargo o que le asignaron.

# Merging two records of one person.
merge-title = Fusionar dos registros de la misma persona
merge-compare-hint = Elija, dato por dato, el valor que queda. Viene marcado el dato que no está vacío y, si los dos tienen uno, el más reciente. Nada se pierde: los dos registros quedan guardados con la fusión.
merge-record-kept = Registro que queda
merge-record-merged = Registro que se fusiona
merge-empty = vacío
merge-review = Revisar la fusión
merge-confirm-title = Confirme la fusión
merge-confirm-hint = Así quedará la persona de los casos { $kept } y { $merged }. Todavía no se ha cambiado nada.
merge-from-merged = del registro que se fusiona
merge-confirm = Confirmar la fusión
merge-change-choices = Cambiar lo elegido
merge-done-title = Fusión { $id }
merge-moved-cases = Casos que pasaron a la persona que queda
merge-fields-from-merged = Datos tomados del registro fusionado
merge-nothing-from-merged = Ninguno
merge-by = Fusionó
merge-history-hint = Los valores de antes quedan en el historial de cada caso.
merge-undo = Deshacer la fusión
merge-undo-hint = Los dos registros vuelven a ser como eran y los casos vuelven a su persona.
merge-undone = Fusión deshecha por { $who }
audit-action-person_merge_undo = Fusión de registros deshecha
