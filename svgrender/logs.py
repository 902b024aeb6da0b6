"""Where log lines go and what they look like: plain text, or with SVGRENDER_LOG_FORMAT=json one
JSON object per line for every logger (ours, uvicorn's, botocore's, dramatiq's, the render
workers'), so a log shipper reads them all alike. Configured once per process: the CLI at
start-up (serve, worker, …) and each render worker process."""

from __future__ import annotations

import json
import logging

TEXT = "%(levelname)s %(name)s: %(message)s"
# Libraries that log: made to use the root's handler (uvicorn's own configuration is skipped:
# cli.py passes log_config=None), whatever they configured for themselves.
LIBRARIES = ("uvicorn", "uvicorn.error", "uvicorn.access", "uvicorn.asgi", "botocore", "boto3",
             "s3transfer", "dramatiq", "pika", "redis", "httpx", "httpcore", "fontTools",
             "multipart", "PIL", "svgrender")


class JsonLines(logging.Formatter):
    """{"ts", "level", "logger", "message"} (+ "exception"), one object per line."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {"ts": round(record.created, 3), "level": record.levelname.lower(),
                 "logger": record.name, "message": record.getMessage()}
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def formatter(log_format: str | None) -> logging.Formatter:
    json_wanted = (log_format or "").strip().lower() == "json"
    return JsonLines() if json_wanted else logging.Formatter(TEXT)


def configure(log_format: str | None, level: int = logging.INFO) -> logging.Handler | None:
    """One stderr handler on the root logger in the chosen format; every library logger
    propagates to it. Answers that handler, or None when the root already had another one (a
    test runner's), which is left alone."""
    root = logging.getLogger()
    handler = next((h for h in root.handlers if getattr(h, "svgrender", False)), None)
    if handler is None and not root.handlers:
        handler = logging.StreamHandler()
        handler.svgrender = True
        root.addHandler(handler)
    if handler is not None:
        handler.setFormatter(formatter(log_format))
    root.setLevel(level)
    for name in LIBRARIES:
        library = logging.getLogger(name)
        for own in list(library.handlers):
            if not isinstance(own, logging.NullHandler):
                library.removeHandler(own)
        library.propagate = True
    return handler
