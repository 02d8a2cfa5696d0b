"""A scripted batch engine: the OpenAI files and batches endpoints on a real loopback server.

    with BatchServer(Script(ok())) as server:       # Script, ok: test_draft_helpers
        os.environ["OPENAI_BASE_URL"] = server.base_url
        ...  # writer batch submit / status / fetch

It implements what ``writer batch`` calls, in the documented formats:

- ``POST /v1/files`` (multipart: ``file``, ``purpose``) → a file object;
- ``POST /v1/batches`` (``input_file_id``, ``endpoint``, ``completion_window``) → a batch,
  which it "runs" at once: every request line's ``body`` is answered by the ``Script`` (the
  same scripted answers the interactive tests use), a 200 answer into the output file and any
  other status into the error file, each line ``{"id", "custom_id", "response":
  {"status_code", "request_id", "body"}, "error"}``;
- ``GET /v1/batches/{id}``: ``in_progress`` on the first read, then ``completed`` with the
  request counts and the output and error file ids; 404 for an unknown id;
- ``GET /v1/files/{id}/content``: the file's bytes.

``run_batch(script, requests, results)`` does the same for a file on disk, as ``vllm
run-batch -i requests -o results`` would.
"""

from __future__ import annotations

import json
import threading
import time
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from test_draft_helpers import Script


def answer_lines(script: Script, requests: bytes, prefix: str = "batch_req"
                 ) -> tuple[list[dict], list[dict]]:
    """(output lines, error lines) of a requests file answered by ``script``."""
    output, errors = [], []
    for n, raw in enumerate(requests.splitlines(), 1):
        if not raw.strip():
            continue
        line = json.loads(raw)
        status, payload, _headers = script.next(line["body"], {})
        result = {"id": f"{prefix}_{n}", "custom_id": line["custom_id"],
                  "response": {"status_code": status, "request_id": f"req_{n}",
                               "body": payload},
                  "error": None}
        (output if status == 200 else errors).append(result)
    return output, errors


def run_batch(script: Script, requests: Path, results: Path) -> Path:
    """What ``vllm run-batch -i requests -o results`` does, with ``script`` as the model."""
    output, errors = answer_lines(script, requests.read_bytes())
    results.write_text("".join(json.dumps(x) + "\n" for x in output + errors),
                       encoding="utf-8")
    return results


class BatchServer:
    def __init__(self, script: Script) -> None:
        self.script = script
        self.files: dict[str, tuple[str, str, bytes]] = {}  # id -> (filename, purpose, bytes)
        self.batches: dict[str, dict[str, Any]] = {}
        self.reads: dict[str, int] = {}
        self.calls: list[tuple[str, str]] = []  # (method, path)
        self.lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:  # quiet
                pass

            def _send(self, status: int, payload: Any, content_type: str = "application/json"
                      ) -> None:
                data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("content-type", content_type)
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _body(self) -> bytes:
                return self.rfile.read(int(self.headers.get("content-length", 0)))

            def do_POST(self) -> None:  # noqa: N802
                outer.calls.append(("POST", self.path))
                body = self._body()
                if self.path == "/v1/files":
                    return self._send(200, outer.upload(self.headers["content-type"], body))
                if self.path == "/v1/batches":
                    return self._send(200, outer.create(json.loads(body)))
                self._send(404, {"error": {"message": "no such endpoint"}})

            def do_GET(self) -> None:  # noqa: N802
                outer.calls.append(("GET", self.path))
                parts = self.path.strip("/").split("/")
                if parts[:2] == ["v1", "batches"] and len(parts) == 3:
                    batch = outer.retrieve(parts[2])
                    if batch is None:
                        return self._send(404, {"error": {"message": f"No batch {parts[2]}",
                                                          "type": "invalid_request_error"}})
                    return self._send(200, batch)
                if parts[:2] == ["v1", "files"] and len(parts) == 4 and parts[3] == "content":
                    found = outer.files.get(parts[2])
                    if found is None:
                        return self._send(404, {"error": {"message": "No such file"}})
                    return self._send(200, found[2], "application/octet-stream")
                self._send(404, {"error": {"message": "no such endpoint"}})

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/v1"

    def _file(self, filename: str, purpose: str, data: bytes) -> dict[str, Any]:
        with self.lock:
            file_id = f"file-{len(self.files) + 1}"
            self.files[file_id] = (filename, purpose, data)
        return {"id": file_id, "object": "file", "bytes": len(data),
                "created_at": int(time.time()), "filename": filename, "purpose": purpose,
                "status": "processed"}

    def upload(self, content_type: str, body: bytes) -> dict[str, Any]:
        message = BytesParser(policy=HTTP).parsebytes(
            b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + body)
        fields: dict[str, tuple[str | None, bytes]] = {}
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            fields[str(name)] = (part.get_filename(), part.get_payload(decode=True) or b"")
        filename, data = fields["file"]
        return self._file(filename or "upload.jsonl", fields["purpose"][1].decode(), data)

    def create(self, request: dict[str, Any]) -> dict[str, Any]:
        _name, purpose, data = self.files[request["input_file_id"]]
        assert purpose == "batch" and request["endpoint"] == "/v1/chat/completions"
        assert request["completion_window"] == "24h"
        output, errors = answer_lines(self.script, data)
        batch_id = f"batch_{len(self.batches) + 1}"
        out = self._file(f"{batch_id}_output.jsonl", "batch_output",
                         "".join(json.dumps(x) + "\n" for x in output).encode())
        err = self._file(f"{batch_id}_error.jsonl", "batch_output",
                         "".join(json.dumps(x) + "\n" for x in errors).encode()) \
            if errors else None
        batch = {"id": batch_id, "object": "batch", "endpoint": request["endpoint"],
                 "errors": None, "input_file_id": request["input_file_id"],
                 "completion_window": "24h", "status": "validating",
                 "output_file_id": None, "error_file_id": None,
                 "created_at": int(time.time()), "metadata": request.get("metadata"),
                 "request_counts": {"total": len(output) + len(errors), "completed": 0,
                                    "failed": 0},
                 "_done": {"output_file_id": out["id"], "error_file_id": err and err["id"],
                           "request_counts": {"total": len(output) + len(errors),
                                              "completed": len(output),
                                              "failed": len(errors)}}}
        with self.lock:
            self.batches[batch_id] = batch
        return {k: v for k, v in batch.items() if not k.startswith("_")}

    def retrieve(self, batch_id: str) -> dict[str, Any] | None:
        with self.lock:
            batch = self.batches.get(batch_id)
            if batch is None:
                return None
            self.reads[batch_id] = self.reads.get(batch_id, 0) + 1
            shown = {k: v for k, v in batch.items() if not k.startswith("_")}
            if self.reads[batch_id] == 1:
                shown["status"] = "in_progress"
            else:
                shown.update(batch["_done"], status="completed")
        return shown

    def __enter__(self) -> BatchServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)
