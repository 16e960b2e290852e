"""A stand-in for AWS KMS, on loopback: KMS cannot run here, so this speaks the two operations
the AWS Encryption SDK's KMS keyring uses (`TrentService.GenerateDataKey` and
`TrentService.Decrypt`, JSON 1.1), checks each request's SigV4 signature for the `kms` service
as lambda_stub.py does for Lambda, and keeps symmetric keys that never leave it: a data key is
wrapped with AES-GCM under the named key, bound to the key's ARN and the encryption context,
as KMS binds them. Keys are made with `create_key()`; every call is recorded."""

from __future__ import annotations

import base64
import json
import os
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from lambda_stub import signature_problem

MAGIC = b"pooldesk-kms-stand-in\0"


class KmsStub:
    def __init__(self, region: str = "us-east-1") -> None:
        self.region = region
        self.keys: dict[str, bytes] = {}
        self.calls: list[tuple[str, dict]] = []
        stub = self

        class RequestHandler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def answer(self, status: int, payload: dict) -> None:
                body = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/x-amz-json-1.1")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def refuse(self, status: int, kind: str, message: str) -> None:
                self.answer(status, {"__type": kind, "message": message})

            def do_POST(self):  # noqa: N802 (http.server's name)
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                why = signature_problem("kms", self.command, self.path, dict(self.headers.items()), body)
                if why:
                    return self.refuse(400, "InvalidSignatureException", why)
                target = self.headers.get("X-Amz-Target", "")
                request = json.loads(body or b"{}")
                stub.calls.append((target, request))
                if target == "TrentService.GenerateDataKey":
                    status, payload = stub.generate_data_key(request)
                elif target == "TrentService.Decrypt":
                    status, payload = stub.decrypt(request)
                else:
                    status, payload = 400, {"__type": "UnknownOperationException", "message": target}
                self.answer(status, payload)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), RequestHandler)
        self.server.daemon_threads = True
        self.endpoint = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, name="kms-stub", daemon=True)

    def create_key(self) -> str:
        arn = f"arn:aws:kms:{self.region}:000000000000:key/{uuid.uuid4()}"
        self.keys[arn] = AESGCM.generate_key(bit_length=256)
        return arn

    @staticmethod
    def _aad(arn: str, context: dict) -> bytes:
        return json.dumps([arn, sorted((context or {}).items())]).encode()

    def generate_data_key(self, request: dict) -> tuple[int, dict]:
        arn = request.get("KeyId", "")
        if arn not in self.keys:
            return 400, {"__type": "NotFoundException", "message": f"Key '{arn}' does not exist"}
        size = request.get("NumberOfBytes") or {"AES_256": 32, "AES_128": 16}.get(request.get("KeySpec", ""), 0)
        if size not in (16, 24, 32, 64):
            return 400, {"__type": "ValidationException", "message": "NumberOfBytes or KeySpec is required"}
        plaintext, nonce = os.urandom(size), os.urandom(12)
        wrapped = AESGCM(self.keys[arn]).encrypt(nonce, plaintext, self._aad(arn, request.get("EncryptionContext")))
        blob = MAGIC + arn.encode() + b"\0" + nonce + wrapped
        return 200, {"CiphertextBlob": base64.b64encode(blob).decode(), "Plaintext": base64.b64encode(plaintext).decode(), "KeyId": arn}

    def decrypt(self, request: dict) -> tuple[int, dict]:
        blob = base64.b64decode(request.get("CiphertextBlob", ""))
        invalid = (400, {"__type": "InvalidCiphertextException", "message": "The ciphertext is not valid"})
        if not blob.startswith(MAGIC) or b"\0" not in blob[len(MAGIC):]:
            return invalid
        arn, rest = blob[len(MAGIC):].split(b"\0", 1)
        arn = arn.decode()
        if arn not in self.keys or request.get("KeyId", arn) != arn:
            return 400, {"__type": "IncorrectKeyException", "message": "The key does not match the ciphertext"}
        try:
            plaintext = AESGCM(self.keys[arn]).decrypt(rest[:12], rest[12:], self._aad(arn, request.get("EncryptionContext")))
        except Exception:  # noqa: BLE001 (wrong context or tampered blob: KMS's own answer)
            return invalid
        return 200, {"Plaintext": base64.b64encode(plaintext).decode(), "KeyId": arn, "EncryptionAlgorithm": "SYMMETRIC_DEFAULT"}

    def start(self) -> KmsStub:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
