"""A payload in every free-text field is inert on every page, email and CSV
where it appears.

Every field a person can type (trainers in the admin and on their pages,
members in the logger, visitors in the contact form) is filled with markup
that would run if it were not escaped, each field with its own number in
``alert(n)``. The pages, htmx fragments, admin pages, emails, the calendar
feed and the trainers' CSV export are then read: the markup never appears as
markup (no ``<script>alert``, no ``<img src=x``, no ``on…=`` attribute, no
``javascript:`` link), and the escaped text does appear, so a check cannot
pass because the field was simply not shown. A new free-text field fails
``test_every_free_text_field_is_covered`` until it is added to payloads.py.

One module per surface, so ``-k`` picks a surface (``-k xss_admin``,
``-k xss_emails``) and the test id names the page, email or field:

- test_xss_fields: every field has a payload; the check itself; the admin's
  link field
- test_xss_member_pages, test_xss_trainer_pages, test_xss_admin: each page
- test_xss_forms: what forms say after a post, htmx fragments, input shown again
- test_xss_emails: each email, HTML part, text part and headers
- test_xss_downloads: the CSV export, a member's own downloads, the calendar feed
- test_xss_formulas: cells a spreadsheet would run
"""
