"""Stand-ins for Amazon Kinesis and Amazon SNS, on loopback: neither can run here, so these speak
the operations Cognito Streams and push sync use and check each request's SigV4 signature for
their service (`kinesis`, `sns`) as lambda_stub.py does for Lambda.

- Kinesis: `Kinesis_20131202.PutRecords` (JSON 1.1) into streams made with `create_stream()`,
  every record kept with its partition key and sequence number. `down` answers every request
  with HTTP 503 (as a Kinesis that is unreachable for a while); `refuse_every` fails every n-th
  record of a request with `ProvisionedThroughputExceededException` (a partial failure).
- SNS: `CreatePlatformEndpoint` (the same endpoint for a token it knows) and `Publish` with
  `MessageStructure=json` (which SNS only takes with a `default` message), query protocol, XML
  answers, into applications made with `create_application()`; every publication is kept."""

from __future__ import annotations

import base64
import json
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs
from xml.sax.saxutils import escape

from lambda_stub import signature_problem

ACCOUNT = "000000000000"


class _Stub:
    service = ""

    def __init__(self) -> None:
        stub = self
        self.lock = threading.Lock()

        class RequestHandler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def send(self, status: int, content_type: str, body: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self):  # noqa: N802 (http.server's name)
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                headers = dict(self.headers.items())
                why = signature_problem(stub.service, self.command, self.path, headers, body)
                with stub.lock:
                    status, content_type, answer = stub.handle({k.lower(): v for k, v in headers.items()}, body, why)
                self.send(status, content_type, answer)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), RequestHandler)
        self.server.daemon_threads = True
        self.endpoint = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, name=f"{self.service}-stub", daemon=True)

    def handle(self, headers: dict, body: bytes, signature_problem: str | None) -> tuple[int, str, bytes]:
        """The answer (status, content type, body) to a request (`headers` in lower case)."""
        raise NotImplementedError

    def start(self):
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class KinesisStub(_Stub):
    service = "kinesis"

    def __init__(self) -> None:
        super().__init__()
        self.streams: dict[str, list[dict]] = {}
        self.down = False
        self.refuse_every = 0
        self.requests: list[dict] = []
        self.sequence = 0

    def create_stream(self, name: str) -> str:
        self.streams[name] = []
        return name

    def records(self, stream: str) -> list[dict]:
        """What reached the stream, in order: partition key and the decoded JSON data."""
        with self.lock:
            return [{"PartitionKey": r["PartitionKey"], "Data": json.loads(r["Data"])} for r in self.streams[stream]]

    @staticmethod
    def _json(status: int, payload: dict) -> tuple[int, str, bytes]:
        return status, "application/x-amz-json-1.1", json.dumps(payload).encode()

    def handle(self, headers, body, signature_problem):
        if signature_problem:
            return self._json(400, {"__type": "InvalidSignatureException", "message": signature_problem})
        if self.down:
            return self._json(503, {"__type": "ServiceUnavailableException", "message": "Kinesis is down (stand-in)"})
        target = headers.get("x-amz-target", "")
        if target != "Kinesis_20131202.PutRecords" or not headers.get("content-type", "").startswith("application/x-amz-json-1.1"):
            return self._json(400, {"__type": "UnknownOperationException", "message": target})
        request = json.loads(body)
        self.requests.append(request)
        stream = self.streams.get(request.get("StreamName"))
        if stream is None:
            return self._json(400, {"__type": "ResourceNotFoundException", "message": f"Stream {request.get('StreamName')} not found"})
        records = request.get("Records", [])
        if not 1 <= len(records) <= 500:
            return self._json(400, {"__type": "InvalidArgumentException", "message": "1 to 500 records per request"})
        outcomes, failed = [], 0
        for i, record in enumerate(records, 1):
            data = base64.b64decode(record["Data"])
            if len(data) + len(record["PartitionKey"].encode()) > 1024 * 1024 or not 1 <= len(record["PartitionKey"]) <= 256:
                return self._json(400, {"__type": "ValidationException", "message": "record too large or bad partition key"})
            if self.refuse_every and i % self.refuse_every == 0:
                failed += 1
                outcomes.append({"ErrorCode": "ProvisionedThroughputExceededException", "ErrorMessage": "Rate exceeded (stand-in)"})
                continue
            self.sequence += 1
            stream.append({"PartitionKey": record["PartitionKey"], "Data": data, "SequenceNumber": str(self.sequence)})
            outcomes.append({"SequenceNumber": str(self.sequence), "ShardId": "shardId-000000000000"})
        return self._json(200, {"FailedRecordCount": failed, "Records": outcomes})


class SnsStub(_Stub):
    service = "sns"

    def __init__(self) -> None:
        super().__init__()
        self.applications: set[str] = set()
        self.endpoints: dict[str, tuple[str, str]] = {}  # endpoint ARN -> (application, token)
        self.published: list[dict] = []

    def create_application(self, platform: str, name: str = "") -> str:
        arn = f"arn:aws:sns:us-east-1:{ACCOUNT}:app/{platform}/{name or 'app-' + uuid.uuid4().hex[:8]}"
        self.applications.add(arn)
        return arn

    def published_to(self, token: str) -> list[dict]:
        """The messages published to the endpoint of a device token (parsed message structures)."""
        with self.lock:
            return [p["Message"] for p in self.published if p["Token"] == token]

    @staticmethod
    def _xml(status: int, action: str, result: str) -> tuple[int, str, bytes]:
        body = (f'<{action}Response xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><{action}Result>{result}</{action}Result>'
                f"<ResponseMetadata><RequestId>{uuid.uuid4()}</RequestId></ResponseMetadata></{action}Response>")
        return status, "text/xml", body.encode()

    @staticmethod
    def _error(status: int, code: str, message: str) -> tuple[int, str, bytes]:
        body = (f'<ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><Error><Type>Sender</Type>'
                f"<Code>{code}</Code><Message>{escape(message)}</Message></Error><RequestId>{uuid.uuid4()}</RequestId></ErrorResponse>")
        return status, "text/xml", body.encode()

    def handle(self, headers, body, signature_problem):
        if signature_problem:
            return self._error(403, "SignatureDoesNotMatch", signature_problem)
        params = {k: v[0] for k, v in parse_qs(body.decode(), keep_blank_values=True).items()}
        action = params.get("Action")
        if action == "CreatePlatformEndpoint":
            application, token = params.get("PlatformApplicationArn", ""), params.get("Token", "")
            if application not in self.applications:
                return self._error(404, "NotFound", "PlatformApplication does not exist")
            if not token:
                return self._error(400, "InvalidParameter", "Invalid parameter: Token")
            for arn, known in self.endpoints.items():
                if known == (application, token):
                    return self._xml(200, action, f"<EndpointArn>{arn}</EndpointArn>")
            arn = application.replace(":app/", ":endpoint/", 1) + "/" + str(uuid.uuid4())
            self.endpoints[arn] = (application, token)
            return self._xml(200, action, f"<EndpointArn>{arn}</EndpointArn>")
        if action == "Publish":
            target = params.get("TargetArn", "")
            if target not in self.endpoints:
                return self._error(404, "NotFound", "Endpoint does not exist")
            message = params.get("Message", "")
            if params.get("MessageStructure") == "json":
                try:
                    structure = json.loads(message)
                except ValueError:
                    return self._error(400, "InvalidParameter", "Message Structure - JSON message body failed to parse")
                if "default" not in structure:
                    return self._error(400, "InvalidParameter", "Message Structure - No default entry in JSON message body")
                message = structure
            self.published.append({"TargetArn": target, "Token": self.endpoints[target][1], "Message": message})
            return self._xml(200, action, f"<MessageId>{uuid.uuid4()}</MessageId>")
        return self._error(400, "InvalidAction", f"Could not find operation {action}")
