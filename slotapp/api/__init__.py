"""Starlette routes that are not UI pages (QR codes of share links, ...)."""
