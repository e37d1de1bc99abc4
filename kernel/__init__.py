"""The shared kernel: the vocabulary every app speaks, with no models and no imports of any app.

actors      who did something (Actor, ActorKind)
errors      the domain errors services raise (ServiceError, NotAllowed, Conflict, NotFound)
visibility  who may read a timeline entry or a file (Visibility, audiences)
events      the kinds of timeline event (CaseEventKind)
uploads     checking an uploaded file (type sniffed from content, size limit, random stored name)
http        domain errors as HTTP answers, and the one attachment download response
crypto      the key ring (Fernet, newest key first) and the registry of encrypted fields
spreadsheets  the one CSV writer (formula-looking cells quoted, BOM)
ratelimit   fixed-window counters in the shared cache, the caller's address behind proxies
admin       ReadOnlyModelAdmin / ReadOnlyInline: the admin is read-only for what has a service

import-linter (pyproject.toml) keeps this package free of project imports.
"""
