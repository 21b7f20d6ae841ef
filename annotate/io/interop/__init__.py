"""Formats other tools speak: W3C Web Annotation (JSON-LD), doccano JSONL
and schema.org ClaimReview. Each format is one module with an exporter
(chunks of bytes from a queryset of annotations) and, where the format can
carry annotations back, a reader that turns a file into ``SpanDraft`` rows
for ``drafts.save_drafts``, which writes all of them or none.
"""
