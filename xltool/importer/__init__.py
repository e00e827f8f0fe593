"""Published reports of a form (.docx, .html, .pdf, .txt, .md) -> returns of the form, and their audit.

- document.py, formats.py, pdftext.py, plaintext.py: reading a file into paragraphs and tables
- labels.py: tolerant comparison of a document's labels with the form's
- sections.py: title (unit, year), the form's section headings, each section's text by field
- tables.py: the form's tables: every number in its field, or what could not be read and where
- build.py: import_document (the values of a return) and write_imported (the return itself)
- previous.py: last year's returns and published reports for the cross-year checks (the hook of
  verify --previous and init --previous)
- audit.py: verify's checks on a published document, placed in the document
- findings.py: what only a document gets wrong, as the form's built-in "import:<kind>" rules
"""
