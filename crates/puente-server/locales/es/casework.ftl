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
