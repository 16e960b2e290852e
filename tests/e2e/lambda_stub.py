"""A stand-in for AWS Lambda, on loopback: AWS Lambda cannot run here, so this speaks its Invoke
API (`POST /2015-03-31/functions/<FunctionName>/invocations`) and runs real handlers written as
they would be deployed (`def handler(event, context)`), in this process.

What PoolDesk must get right is the protocol, so the stand-in checks it strictly: the SigV4
signature (recomputed with botocore for the `lambda` service and the test credentials; a wrong
one is a 403 `InvalidSignatureException` as Lambda answers), `X-Amz-Invocation-Type:
RequestResponse`, a JSON body. A handler that raises is answered as Lambda answers a function
error: HTTP 200 with `X-Amz-Function-Error: Unhandled` and `{"errorMessage", "errorType",
"stackTrace"}`. A handler may return `Raw(bytes)` to answer something that is not JSON.
Every invocation is recorded (function, event, headers).
"""

from __future__ import annotations

import json
import re
import threading
import traceback
import urllib.parse
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

ACCESS_KEY_ID = "AKIALAMBDATESTKEY001"
SECRET_ACCESS_KEY = "lambda-stand-in-secret-key-0000000000000"
AUTH_RE = re.compile(r"AWS4-HMAC-SHA256 Credential=([^/]+)/(\d{8})/([^/]+)/([^/]+)/aws4_request, SignedHeaders=([^,]+), Signature=([0-9a-f]{64})")
PATH_RE = re.compile(r"^/2015-03-31/functions/([^/]+)/invocations$")


@dataclass
class Raw:
    """An answer that is not JSON (to test what PoolDesk does with nonsense)."""

    body: bytes


@dataclass
class Invocation:
    function: str
    event: dict
    headers: dict[str, str]


@dataclass
class Context:
    """The parts of Lambda's context object handlers commonly read."""

    function_name: str
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    memory_limit_in_mb: int = 128

    def get_remaining_time_in_millis(self) -> int:
        return 5000


Handler = Callable[[dict, Context], Any]


def function_name(path_part: str) -> str:
    """The function's name from a name, a partial ARN or a full ARN (with or without a qualifier)."""
    name = urllib.parse.unquote(path_part)
    if name.startswith("arn:"):
        parts = name.split(":")
        return parts[6] if len(parts) > 6 else name
    return name


class LambdaStub:
    def __init__(self) -> None:
        self.functions: dict[str, Handler] = {}
        # Functions Lambda throttles (their concurrency used up): answered 429 without running.
        self.throttled: set[str] = set()
        self.invocations: list[Invocation] = []
        self.refused: list[str] = []
        stub = self

        class RequestHandler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet: invocations are recorded instead
                pass

            def answer(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)

            def refuse(self, status: int, kind: str, message: str) -> None:
                stub.refused.append(f"{kind}: {message}")
                self.answer(status, json.dumps({"Type": "User", "message": message}).encode(), {"x-amzn-ErrorType": kind})

            def do_POST(self):  # noqa: N802 (http.server's name)
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                m = PATH_RE.match(self.path.split("?", 1)[0])
                if not m:
                    return self.refuse(404, "UnknownOperationException", f"no such operation: {self.path}")
                why = stub.check_signature(self.command, self.path, dict(self.headers.items()), body)
                if why:
                    return self.refuse(403, "InvalidSignatureException", why)
                if self.headers.get("X-Amz-Invocation-Type", "RequestResponse") != "RequestResponse":
                    return self.refuse(400, "InvalidParameterValueException", "only RequestResponse is expected")
                name = function_name(m.group(1))
                if name in stub.throttled:
                    stub.refused.append(f"TooManyRequestsException: {name}")
                    body = {"Reason": "ReservedFunctionConcurrentInvocationLimitExceeded", "Type": "User", "message": "Rate Exceeded."}
                    return self.answer(429, json.dumps(body).encode(), {"x-amzn-ErrorType": "TooManyRequestsException"})
                handler = stub.functions.get(name)
                if handler is None:
                    return self.refuse(404, "ResourceNotFoundException", f"Function not found: {name}")
                try:
                    event = json.loads(body)
                except ValueError:
                    return self.refuse(400, "InvalidRequestContentException", "Could not parse request body into json")
                # What was sent, before the handler changes the event it is given.
                stub.invocations.append(Invocation(name, json.loads(body), {k.lower(): v for k, v in self.headers.items()}))
                try:
                    result = handler(event, Context(function_name=name))
                except Exception as e:  # noqa: BLE001 (a function error, reported as Lambda does)
                    error = {"errorMessage": str(e), "errorType": type(e).__name__, "stackTrace": traceback.format_tb(e.__traceback__)}
                    return self.answer(200, json.dumps(error).encode(), {"X-Amz-Function-Error": "Unhandled"})
                if isinstance(result, Raw):
                    return self.answer(200, result.body)
                self.answer(200, json.dumps(result).encode())

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), RequestHandler)
        self.server.daemon_threads = True
        self.endpoint = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, name="lambda-stub", daemon=True)

    def check_signature(self, method: str, path: str, headers: dict[str, str], body: bytes) -> str | None:
        """None if the request is signed by the test key for `lambda`, else why not."""
        return signature_problem("lambda", method, path, headers, body)

    def of(self, name: str) -> list[dict]:
        """The events function `name` was sent, oldest first."""
        return [i.event for i in self.invocations if i.function == name]

    def start(self) -> LambdaStub:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def signature_problem(service: str, method: str, path: str, headers: dict[str, str], body: bytes) -> str | None:
    """None if the request is SigV4-signed by the test key for `service`, else why not."""
    lower = {k.lower(): v for k, v in headers.items()}
    m = AUTH_RE.fullmatch(lower.get("authorization", ""))
    if not m:
        return "missing or malformed Authorization header"
    key, _date, region, scope_service, signed_headers, signature = m.groups()
    if key != ACCESS_KEY_ID:
        return f"unknown access key {key}"
    if scope_service != service:
        return f"credential scoped to {scope_service}, not {service}"
    request = AWSRequest(method=method, url=f"http://{lower.get('host', '')}{path}", data=body,
                         headers={h: lower.get(h, "") for h in signed_headers.split(";")})
    request.context["timestamp"] = lower.get("x-amz-date", "")
    signer = SigV4Auth(Credentials(ACCESS_KEY_ID, SECRET_ACCESS_KEY), service, region)
    expected = signer.signature(signer.string_to_sign(request, signer.canonical_request(request)), request)
    if expected != signature:
        return "The request signature we calculated does not match the signature you provided."
    return None


def function_arn(name: str) -> str:
    return f"arn:aws:lambda:us-east-1:000000000000:function:{name}"


def server_env(stub: LambdaStub, tmp_dir, *, secret: str = SECRET_ACCESS_KEY) -> dict[str, str]:
    """A PoolDesk's environment to reach `stub` as the AWS SDKs would: the endpoint variable and
    credentials in the environment (profiles and instance metadata out of the way)."""
    return {
        "AWS_ENDPOINT_URL_LAMBDA": stub.endpoint,
        "AWS_ACCESS_KEY_ID": ACCESS_KEY_ID,
        "AWS_SECRET_ACCESS_KEY": secret,
        "AWS_SESSION_TOKEN": None,
        "AWS_REGION": "us-east-1",
        "AWS_PROFILE": None,
        "AWS_CONFIG_FILE": str(tmp_dir / "no-aws-config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_dir / "no-aws-credentials"),
        "AWS_EC2_METADATA_DISABLED": "true",
    }
