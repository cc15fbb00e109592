"""An upload handler that stops a multipart body past the request cap while it streams in
(docs/decisions/0014).

It comes first in FILE_UPLOAD_HANDLERS, so it sees every chunk before the memory or
temporary-file handlers store it: once the bytes received pass the cap it raises
RequestTooLarge, Django's parser closes (and so deletes) any temporary file already
begun, and the 413 page is shown. The request never reaches the view with part of its
files missing. RequestSizeLimitMiddleware refuses most such requests earlier, from their
declared length; this handler does not rely on that declaration, it counts what arrives.
Form fields that are not files are capped by DATA_UPLOAD_MAX_MEMORY_SIZE.
"""

from __future__ import annotations

from django.core.files.uploadhandler import FileUploadHandler

from association.limits import RequestTooLarge, request_cap


class RequestSizeLimitHandler(FileUploadHandler):
    def __init__(self, request=None):
        super().__init__(request)
        self.cap = request_cap(request) if request is not None else None
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.cap is not None and self.received > self.cap:
            self._discard_partial_files()
            raise RequestTooLarge(self.cap)
        return raw_data

    def _discard_partial_files(self):
        """Close (and so delete) the file the handlers after this one have begun: Django's
        parser closes the files it completed, not the one in progress."""
        for handler in getattr(self.request, "upload_handlers", ()):
            file = getattr(handler, "file", None)
            if handler is not self and file is not None:
                file.close()

    def file_complete(self, file_size):
        return None
