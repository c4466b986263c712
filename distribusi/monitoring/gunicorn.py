"""gunicorn's logger with personal data masked: access lines lose query values and tracking codes, error lines
are masked JSON like the app's. deploy/gunicorn.conf.py sets it as `logger_class`.
"""
from __future__ import annotations

import logging

from gunicorn.glogging import Logger

from distribusi.monitoring.logs import PersonalDataFilter, mask, make_handler

MASKED_ATOMS = ("r", "U", "q", "f")  # request line, path, query string, referer


class MaskingLogger(Logger):
    """gunicorn's Logger whose access atoms are masked and whose error log is JSON through the masking filter."""

    @staticmethod
    def mask_atoms(atoms: dict) -> dict:
        """The access log atoms with the request line, path, query and referer masked."""
        return {key: mask(value) if key in MASKED_ATOMS and isinstance(value, str) else value
                for key, value in atoms.items()}

    def atoms(self, resp, req, environ, request_time):
        return self.mask_atoms(super().atoms(resp, req, environ, request_time))

    def setup(self, cfg):
        super().setup(cfg)
        for handler in self.error_log.handlers:
            handler.addFilter(PersonalDataFilter())
        if cfg.errorlog == "-":  # to the journal: the same JSON lines as the app
            self.error_log.handlers = [make_handler()]
        for handler in self.access_log.handlers:
            handler.addFilter(_AccessFilter())


class _AccessFilter(logging.Filter):
    """A last guard on the access line: whatever format the operator set, no personal data passes."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg, record.args = mask(record.getMessage()), None
        return True
