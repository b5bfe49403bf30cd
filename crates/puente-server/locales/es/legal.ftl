
## Protección legal de un caso: opciones migratorias y de víctima, y el seguimiento judicial.
legal-title = Protección legal
legal-link = Protección legal
legal-aid-not-determination = Una ayuda para quien atiende el caso y su abogada o abogado, nunca una determinación jurídica.
legal-relief-options = Opciones de protección
legal-screen-first = Haga primero una evaluación del caso: las opciones se calculan a partir de ella.
legal-answer-questions = Responder las preguntas que faltan ({ $count })
legal-rules-version = Reglas de protección legal, versión { $version }
legal-reports = Denuncias ante autoridades
legal-none = Nada registrado todavía.
legal-authority = Autoridad
legal-agency = Institución u oficina
legal-reported-on = Fecha de la denuncia
legal-reference = Número de referencia (si lo hay)
legal-add-report = Registrar la denuncia
legal-proceedings = Proceso penal
legal-applications = Solicitudes de protección
legal-filed-on = presentada el
legal-certifications = Certificaciones de las autoridades registradas: { $count }
legal-question-progress = Pregunta { $done } · faltan { $left }
legal-back = Volver a la protección legal
legal-question-intro = ¿Es así en el caso de esta persona?
