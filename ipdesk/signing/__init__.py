"""Signing: unit keys and certificates, signed workbooks and PDFs, and offline verification."""
