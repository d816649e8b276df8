"""An example certcheck upload adapter: files each request, keys redacted, in a JSON Lines file."""

import json
import threading

from certcheck.upload import UploadError, UploadResult


class FileAdapter:
    def __init__(self, endpoint: str = "uploads.jsonl", **options: object) -> None:
        self.path, self.lock, self.ids = endpoint, threading.Lock(), {}  # ClientToken -> CertId

    def upload(self, request):  # type: ignore[no-untyped-def]
        if (request.get("Name") or "").startswith("refuse"):
            raise UploadError("Refused", "names starting with 'refuse' are refused", http_status=400)
        with self.lock:  # the same request twice (the same ClientToken) is one upload
            if request.client_token not in self.ids:
                self.ids[request.client_token] = len(self.ids) + 1
                with open(self.path, "a", encoding="utf-8") as out:
                    out.write(json.dumps(request.redacted(), ensure_ascii=False) + "\n")
        return UploadResult(self.ids[request.client_token], request_id=request.client_token)

    def close(self) -> None:
        pass
