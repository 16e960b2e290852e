// Cognito Sync with the AWS SDK for JavaScript (v3), as an app drives it with an identity's
// temporary credentials: ListRecords (for the sync session token), UpdateRecords, then a stale
// UpdateRecords that must conflict, and ListRecords since the sync count it started from.
//
// Input: one JSON object, as the first argument:
//   {"endpoint", "region", "credentials": {"accessKeyId", "secretAccessKey", "sessionToken"},
//    "identityPoolId", "identityId", "dataset", "records": {"key": "value", ...}}
// Output (stdout, one line of JSON):
//   {"ok": true, "first": ListRecords, "written": [Record...], "conflict": error name,
//    "after": ListRecords}
//   {"ok": false, "code", "message"} when a call that should succeed fails.
// Bad input exits 2.

import { CognitoSyncClient, ListRecordsCommand, UpdateRecordsCommand } from "@aws-sdk/client-cognito-sync";

let input;
try {
  input = JSON.parse(process.argv[2] ?? "");
} catch (e) {
  process.stderr.write(`input is not JSON: ${e.message}\n`);
  process.exit(2);
}
for (const key of ["endpoint", "region", "identityPoolId", "identityId", "dataset"]) {
  if (typeof input[key] !== "string" || input[key] === "") {
    process.stderr.write(`input lacks "${key}"\n`);
    process.exit(2);
  }
}

const client = new CognitoSyncClient({ endpoint: input.endpoint, region: input.region, credentials: input.credentials });
const ids = { IdentityPoolId: input.identityPoolId, IdentityId: input.identityId, DatasetName: input.dataset };
const plain = ({ $metadata, ...rest }) => rest;

try {
  const first = await client.send(new ListRecordsCommand(ids));
  const patches = Object.entries(input.records ?? {}).map(([Key, Value]) => ({ Op: "replace", Key, Value, SyncCount: 0 }));
  const written = await client.send(new UpdateRecordsCommand({ ...ids, SyncSessionToken: first.SyncSessionToken, RecordPatches: patches }));
  let conflict = null;
  try {
    const again = await client.send(new ListRecordsCommand(ids));
    await client.send(new UpdateRecordsCommand({ ...ids, SyncSessionToken: again.SyncSessionToken, RecordPatches: patches }));
  } catch (e) {
    conflict = e.name;
  }
  const after = await client.send(new ListRecordsCommand({ ...ids, LastSyncCount: first.DatasetSyncCount }));
  process.stdout.write(JSON.stringify({ ok: true, first: plain(first), written: written.Records, conflict, after: plain(after) }) + "\n");
} catch (e) {
  process.stdout.write(JSON.stringify({ ok: false, code: e.name, message: e.message }) + "\n");
}
