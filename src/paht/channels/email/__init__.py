"""E-mail: IMAP polling and an optional SMTP receiver in, SMTP out."""
