"""Published reports of a form (.docx, .html, .pdf, .txt, .md) -> returns of the form, and their audit.

- model.py: the Document (paragraphs, tables, images) every reader builds, and DocumentError
- document.py: a file checked and handed to its format's reader: formats.py (Word, web pages),
  pdftext.py, plaintext.py
- labels.py: tolerant comparison of a document's labels with the form's
- sections.py: title (unit, year), the form's section headings, each section's text by field
- tables.py: the form's tables: every number in its field, or what could not be read and where
- build.py: import_document (the values of a return) and write_imported (the return itself)
- previous.py: last year's returns and published reports for the cross-year checks (the reader
  verify --previous, audit --previous and init --previous give the checks); a published report
  becomes a return by workbook/filled.py, without writing a workbook
- audit.py: verify's checks on a published document, placed in the document
- findings.py: what only a document gets wrong, as the form's built-in "import:<kind>" rules
"""
